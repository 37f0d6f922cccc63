"""The real thing: `streamlit run ui/app.py` on loopback, driven by Debian's headless Chromium.

A person types a question, watches the answer arrive, opens citation [1] and
reads the highlighted passage, then opens the full article: the highlighted
text must be exactly the citation's quote, and in view.
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

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
APP = ROOT / "ui" / "app.py"
QUESTION = "How many troops has North Korea sent to Russia?"
HIGHLIGHT = ".stMarkdownColoredBackground"  # how Streamlit renders :orange-background[...]

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
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NEWSDESK_", "OPENAI_"))}
    env.update(
        NEWSDESK_INDEX__STORE_DIR=str(minilm_seed_index.settings.index.store_dir),
        NEWSDESK_INDEX__EMBEDDER="minilm-onnx",
        NEWSDESK_INDEX__CORPUS_DIR=str(SEED_CORPUS),
        NEWSDESK_EVAL_RUNS_DIR=str(tmp_path / "runs"),
        HF_HUB_OFFLINE="1",
        ANONYMIZED_TELEMETRY="False",
    )
    log_path = tmp_path / "streamlit.log"
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "streamlit",
                "run",
                str(APP),
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

    # The streamed answer arrives, then is replaced by the checked answer with its citation popovers.
    wait.until(shown('[data-testid="stChatMessage"]', "15,000"))
    wait.until(shown('[data-testid="stPopover"] button', "[1]"))
    browser.save_screenshot(str(shots / "1-answer.png"))

    click('[data-testid="stPopover"] button', "[1]")
    passage = wait.until(shown(f'[data-testid="stPopoverBody"] {HIGHLIGHT}'))
    assert passage.text == quote
    time.sleep(0.5)  # let the popover finish its transition for the screenshot
    browser.save_screenshot(str(shots / "2-citation.png"))

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
    browser.save_screenshot(str(shots / "3-full-article.png"))
    assert (shots / "3-full-article.png").stat().st_size > 10_000
    print(f"screenshots in {shots}")
