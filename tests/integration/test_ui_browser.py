"""The real thing: `streamlit run ui/app.py` on loopback, driven by Debian's headless Chromium.

A person types a question, watches the answer arrive, hovers and focuses the [1]
in the answer text (a preview of the source), clicks it and reads the
highlighted passage, opens source card [1] and reads the same passage, then
opens the full article: the highlighted text must be exactly the citation's
quote, and in view.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

import rag
from tests.conftest import ROOT, SEED_CORPUS
from ui import render

SCREENSHOTS = os.environ.get("SCREENSHOTS_DIR")  # set to docs/ to refresh the README's pictures
CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
APP = ROOT / "ui" / "app.py"
QUESTION = "How many troops has North Korea sent to Russia?"
HIGHLIGHT = ".stMarkdownColoredBackground"  # how Streamlit renders :orange-background[...]
# The answer text's [n] markers live in the inline-citation component's shadow root (isolated styles).
INLINE_MARKER = """
const n = arguments[0];
for (const host of document.querySelectorAll('*')) {
  const marker = host.shadowRoot && host.shadowRoot.querySelector(`button[data-cite="${n}"]`);
  if (marker) return marker;
}
return null;
"""

pytestmark = [
    pytest.mark.slow,
    pytest.mark.browser,
    pytest.mark.skipif(
        not (CHROMIUM.exists() and CHROMEDRIVER.exists()),
        reason="needs Debian's chromium and chromium-driver (apt-get install -y chromium chromium-driver)",
    ),
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def app_url(minilm_seed_index, tmp_path):
    """The app as `make run` starts it, on a free port, over the session's MiniLM index; killed afterwards."""
    yield from _serve(
        APP,
        tmp_path,
        NEWSDESK_INDEX__STORE_DIR=str(minilm_seed_index.settings.index.store_dir),
        NEWSDESK_INDEX__EMBEDDER="minilm-onnx",
        NEWSDESK_INDEX__CORPUS_DIR=str(SEED_CORPUS),
        NEWSDESK_EVAL_RUNS_DIR=str(tmp_path / "runs"),
    )


def _serve(app: Path, tmp_path: Path, **settings: str):
    """`streamlit run app` on a free loopback port with these settings; yields its URL, kills it afterwards."""
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NEWSDESK_", "OPENAI_"))}
    env.update(settings, HF_HUB_OFFLINE="1", ANONYMIZED_TELEMETRY="False")
    log_path = tmp_path / "streamlit.log"
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "streamlit",
                "run",
                str(app),
                "--server.address",
                "127.0.0.1",
                "--server.port",
                str(port),
                "--server.headless",
                "true",
                "--browser.gatherUsageStats",
                "false",
            ],
            cwd=tmp_path,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 90
        while True:
            if proc.poll() is not None:
                pytest.fail(f"streamlit exited with {proc.returncode}:\n{log_path.read_text()[-3000:]}")
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                    if r.read().strip() == b"ok":
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"streamlit did not become healthy:\n{log_path.read_text()[-3000:]}")
            time.sleep(0.3)
        yield url
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=5)
    assert "Traceback" not in log_path.read_text(errors="replace")


@pytest.fixture
def browser(tmp_path):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for arg in (
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--window-size=1280,1000",
        f"--user-data-dir={tmp_path / 'chromium-profile'}",
    ):
        options.add_argument(arg)
    # An explicit driver path: selenium-manager never downloads anything.
    driver = webdriver.Chrome(service=Service(executable_path=str(CHROMEDRIVER)), options=options)
    try:
        yield driver
    finally:
        driver.quit()


def test_ask_watch_the_answer_open_a_citation_and_read_the_highlighted_passage(
    app_url, browser, tmp_path, minilm_seed_index
):
    from selenium.common.exceptions import (
        ElementClickInterceptedException,
        NoSuchElementException,
        StaleElementReferenceException,
    )
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support.ui import WebDriverWait

    expected = rag.answer(QUESTION, news_index=minilm_seed_index)  # the offline answerer is deterministic
    assert not expected.refused
    quote = expected.citations[0].quote
    shots = tmp_path / "screenshots"
    shots.mkdir()
    # Streamlit re-renders on every rerun, so elements go stale: always look them up afresh.
    wait = WebDriverWait(
        browser,
        90,
        poll_frequency=0.2,
        ignored_exceptions=(StaleElementReferenceException, NoSuchElementException, ElementClickInterceptedException),
    )

    def shown(css: str, text: str | None = None):
        def find(driver):
            for element in driver.find_elements(By.CSS_SELECTOR, css):
                if element.is_displayed() and (text is None or text in element.text):
                    return element
            return False

        return find

    def click(css: str, text: str | None = None) -> None:
        wait.until(lambda d: shown(css, text)(d) and (shown(css, text)(d).click() or True))

    browser.get(app_url)
    box = wait.until(shown('[data-testid="stChatInputTextArea"]'))
    box.send_keys(QUESTION)
    box.send_keys(Keys.ENTER)

    # The streamed answer arrives, then is replaced by the checked answer: its [n] markers are buttons.
    marker = wait.until(lambda d: d.execute_script(INLINE_MARKER, 1))
    wait.until(shown('[data-testid="stPopover"] button', "[1]"))
    text = browser.execute_script("return arguments[0].closest('p.answer').innerText", marker)
    assert text.startswith(expected.text)  # the checked sentences, word for word, the markers in place
    browser.save_screenshot(str(shots / "1-answer.png"))

    # Hover: a preview of source [1] (title, outlet and date as known, the cited sentence); it goes with the mouse.
    first = expected.citations[0]
    preview = browser.execute_script("return arguments[0].nextElementSibling", marker)
    assert preview.get_attribute("role") == "tooltip" and preview.get_attribute("id") == marker.get_attribute(
        "aria-describedby"
    )
    assert not preview.is_displayed()
    ActionChains(browser).move_to_element(marker).perform()
    wait.until(lambda d: preview.is_displayed())
    lines = preview.text.splitlines()
    title = render.display_title(minilm_seed_index.article(first.doc_id).title, doc_id=first.doc_id)
    assert lines[0] == title, lines
    byline = render.byline(first.source, first.date)
    assert (lines[1] == byline) if byline else lines[1].startswith("\u201c"), lines
    assert " ".join(first.quote.split())[:60] in preview.text
    time.sleep(0.3)
    browser.save_screenshot(str(shots / "2-preview.png"))
    if SCREENSHOTS:
        browser.save_screenshot(str(Path(SCREENSHOTS) / "inline-citation.png"))
    ActionChains(browser).move_to_element(browser.find_element(By.TAG_NAME, "h1")).perform()
    wait.until(lambda d: not preview.is_displayed())

    # Keyboard: the marker takes focus (a button in the tab order) and shows the same preview; Enter opens it.
    assert marker.tag_name == "button" and browser.execute_script("return arguments[0].tabIndex", marker) == 0
    browser.execute_script("arguments[0].focus()", marker)
    wait.until(lambda d: preview.is_displayed())
    assert browser.execute_script("return arguments[0].getRootNode().activeElement === arguments[0]", marker)
    marker.send_keys(Keys.ESCAPE)  # Esc hides the preview, focus stays
    wait.until(lambda d: not preview.is_displayed())
    marker.send_keys(Keys.ENTER)
    passage = wait.until(shown(f'[data-testid="stDialog"] {HIGHLIGHT}'))
    assert passage.text == quote
    time.sleep(0.5)
    browser.save_screenshot(str(shots / "3-inline-citation.png"))
    click('[data-testid="stDialog"] button[aria-label="Close"]')
    wait.until(lambda d: not shown('[data-testid="stDialog"]')(d))

    # A mouse click does the same.
    marker = wait.until(lambda d: d.execute_script(INLINE_MARKER, 1))
    marker.click()
    passage = wait.until(shown(f'[data-testid="stDialog"] {HIGHLIGHT}'))
    assert passage.text == quote
    click('[data-testid="stDialog"] button[aria-label="Close"]')
    wait.until(lambda d: not shown('[data-testid="stDialog"]')(d))

    click('[data-testid="stPopover"] button', "[1]")
    passage = wait.until(shown(f'[data-testid="stPopoverBody"] {HIGHLIGHT}'))
    assert passage.text == quote
    time.sleep(0.5)  # let the popover finish its transition for the screenshot
    browser.save_screenshot(str(shots / "4-citation.png"))

    click('[data-testid="stPopoverBody"] button', "Open full article")
    highlighted = wait.until(shown(f'[data-testid="stDialog"] {HIGHLIGHT}'))
    wait.until(lambda d: not shown('[data-testid="stPopoverBody"]')(d))  # the popover closed behind it
    time.sleep(0.5)
    highlighted = wait.until(shown(f'[data-testid="stDialog"] {HIGHLIGHT}'))
    assert highlighted.text == quote
    top, bottom, height = browser.execute_script(
        "const r = arguments[0].getBoundingClientRect(); return [r.top, r.bottom, window.innerHeight];", highlighted
    )
    assert 0 <= top and bottom <= height, (top, bottom, height)
    dialog = wait.until(shown('[data-testid="stDialog"]'))
    assert "Earlier in the article" in dialog.text  # the text before the passage is folded away
    browser.save_screenshot(str(shots / "5-full-article.png"))
    assert (shots / "5-full-article.png").stat().st_size > 10_000
    print(f"screenshots in {shots}")


EVIL = """<script>window.pwned = 1</script><img src=x onerror="window.pwned = 2"> "double" 'single' & </p><b>b</b>"""
EVIL_ANSWER_PAGE = f"""
import sys
sys.path.insert(0, {str(ROOT)!r})
from rag.records import Answer, AnswerSentence, Citation
from ui.answer_view import open_requested_article, show_answer
evil = {EVIL!r}
answer = Answer(
    question="q", refused=False,
    sentences=[AnswerSentence(f"He wrote {{evil}} here.", (1,), 0.9)],
    citations=[Citation(1, "d", 0, 5, f"Quote {{evil}}", title=f"Title {{evil}}", source="DW", date="2025-09-02")],
)
show_answer(answer, None, key="x")
"""


@pytest.fixture
def evil_answer_url(tmp_path):
    """A page showing one hand-made answer whose sentence, title and quote carry markup and quotes."""
    page = tmp_path / "evil_answer.py"
    page.write_text(EVIL_ANSWER_PAGE, encoding="utf-8")
    yield from _serve(page, tmp_path)


def test_markup_in_an_answer_title_or_quote_is_shown_as_text_in_the_inline_citation(evil_answer_url, browser):
    from selenium.common.exceptions import NoSuchElementException, StaleElementReferenceException
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.support.ui import WebDriverWait

    wait = WebDriverWait(
        browser, 60, poll_frequency=0.2, ignored_exceptions=(StaleElementReferenceException, NoSuchElementException)
    )
    browser.get(evil_answer_url)
    marker = wait.until(lambda d: d.execute_script(INLINE_MARKER, 1))
    paragraph = browser.execute_script("return arguments[0].closest('p.answer')", marker)
    assert browser.execute_script("return arguments[0].innerText", paragraph) == f"He wrote {EVIL} here. [1]"
    injected = browser.execute_script(
        "return arguments[0].getRootNode().querySelectorAll('script, img, b, p:not(.answer)').length", marker
    )
    assert injected == 0
    ActionChains(browser).move_to_element(marker).perform()
    preview = browser.execute_script("return arguments[0].nextElementSibling", marker)
    wait.until(lambda d: preview.is_displayed())
    assert preview.text.splitlines()[:3] == [f"Title {EVIL}", "DW · 2025-09-02", f"\u201cQuote {EVIL}\u201d"]
    marker.click()
    wait.until(lambda d: any(e.is_displayed() for e in d.find_elements("css selector", '[data-testid="stDialog"]')))
    assert browser.execute_script("return window.pwned === undefined")


def test_the_newcomer_path(app_url, browser, tmp_path):
    """First screen, a starter question, a citation, a follow-up, an event pair, a filtered refusal, and the saved
    chat after a reload: what a newcomer sees, checked on screen."""
    from selenium.common.exceptions import (
        ElementClickInterceptedException,
        NoSuchElementException,
        StaleElementReferenceException,
    )
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support.ui import WebDriverWait

    shots = Path(SCREENSHOTS) if SCREENSHOTS else tmp_path
    wait = WebDriverWait(
        browser,
        90,
        poll_frequency=0.2,
        ignored_exceptions=(StaleElementReferenceException, NoSuchElementException, ElementClickInterceptedException),
    )

    def shown(css: str, text: str | None = None):
        def find(driver):
            for element in driver.find_elements(By.CSS_SELECTOR, css):
                if element.is_displayed() and (text is None or text in element.text):
                    return element
            return False

        return find

    def click(css: str, text: str | None = None) -> None:
        wait.until(lambda d: shown(css, text)(d) and (shown(css, text)(d).click() or True))

    def ask(question: str, expect: str) -> None:
        count = len(browser.find_elements(By.CSS_SELECTOR, '[data-testid="stChatMessage"]'))
        box = wait.until(shown('[data-testid="stChatInputTextArea"]'))
        box.send_keys(question)
        box.send_keys(Keys.ENTER)
        wait.until(lambda d: len(d.find_elements(By.CSS_SELECTOR, '[data-testid="stChatMessage"]')) >= count + 2)
        wait.until(shown('[data-testid="stChatMessage"]', expect))

    # The first screen: a truthful corpus line, main topics, starter questions; no Deploy button.
    browser.get(app_url)
    wait.until(shown('[data-testid="stMarkdownContainer"]', "2 from DW, 3 from outlets not named"))
    wait.until(shown('[data-testid="stButton"] button', "What do the articles report about"))
    assert not shown('[data-testid="stAppDeployButton"]')(browser)
    time.sleep(0.5)
    browser.save_screenshot(str(shots / "first-screen.png"))

    # A starter question is answered with source cards; a card opens its highlighted passage.
    click('[data-testid="stButton"] button', "What do the articles report about")
    wait.until(shown('[data-testid="stPopover"] button', "[1]"))
    # The [1] in the answer text opens the same highlighted passage, in a dialog.
    wait.until(lambda d: d.execute_script(INLINE_MARKER, 1)).click()
    wait.until(shown(f'[data-testid="stDialog"] {HIGHLIGHT}'))
    click('[data-testid="stDialog"] button[aria-label="Close"]')
    wait.until(lambda d: not shown('[data-testid="stDialog"]')(d))
    click('[data-testid="stPopover"] button', "[1]")
    wait.until(shown(f'[data-testid="stPopoverBody"] {HIGHLIGHT}'))
    browser.find_element(By.TAG_NAME, "body").send_keys(Keys.ESCAPE)

    # A follow-up, said in words.
    ask("When did Putin arrive in China for his two-day state visit?", "two-day")
    ask("How long did he stay?", "\u201che\u201d \u2192 Putin")

    # Two visits dated far apart: named as different events, the headline showing both sides.
    ask("How long was Putin's state visit to China?", "different visits")
    time.sleep(0.5)
    browser.save_screenshot(str(shots / "disagreement.png"))
    body = browser.find_element(By.TAG_NAME, "body").text
    assert "unknown outlet" not in body and "Sources disagree: who" not in body

    # The saved chat comes back after a reload, with its questions.
    url = browser.current_url
    assert "chat=" in url
    browser.get(url)
    wait.until(shown('[data-testid="stChatMessage"]', "How long did he stay?"))
    wait.until(shown('[data-testid="stSidebar"] button', "What do the articles report about"))

    # A refusal under an outlet filter says the answer may lie outside it.
    click('[data-testid="stButton"] button', "New chat")
    # The expander may already be open (or a rerun may still be drawing it): open it until the outlet
    # picker shows, never toggling faster than the page can redraw.
    for _ in range(10):
        try:
            if shown('[data-testid="stMultiSelect"]')(browser):
                break
            shown('[data-testid="stExpander"] summary', "Filters")(browser).click()
        except Exception:  # noqa: BLE001 (not drawn yet, or stale: look again after the pause)
            pass
        time.sleep(2)
    click('[data-testid="stMultiSelect"]')
    select = wait.until(lambda d: d.find_element(By.CSS_SELECTOR, '[data-testid="stMultiSelect"] input'))
    select.send_keys("DW")
    select.send_keys(Keys.ENTER)
    wait.until(shown('[data-testid="stMarkdownContainer"]', "outlet DW"))
    ask(QUESTION, "may lie outside these filters")
    click('[data-testid="stButton"] button', "Search all articles")
    wait.until(shown('[data-testid="stChatMessage"]', "15,000"))
