"""The answer text's live citation markers (ui/inline_citations.py): each [n] is a button for citation n with a
preview of that source, the sentences' words are exactly the answer's, and nothing from an article becomes markup."""

from __future__ import annotations

from html.parser import HTMLParser

from rag.records import Answer, AnswerSentence, Citation
from ui import inline_citations, render

ALLOWED_TAGS = {"p", "span", "button", "strong"}
ALLOWED_ATTRS = {"class", "type", "data-cite", "aria-label", "aria-describedby", "role", "id"}


class Parsed(HTMLParser):
    """The HTML as a browser's parser sees it: tags with attributes, the answer's visible text (previews and badges
    left out), the markers, each preview's text by id, the bold phrases and the badges."""

    def __init__(self, markup: str):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict]] = []
        self.text = ""
        self.markers: list[dict] = []
        self.previews: dict[str, str] = {}
        self.strong: list[str] = []
        self.badges: list[str] = []
        self._stack: list[tuple[str, dict]] = []
        self.feed(markup)
        self.close()

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.tags.append((tag, attrs))
        self._stack.append((tag, attrs))
        if tag == "button":
            self.markers.append(attrs)
        if "preview" in (attrs.get("class") or "").split():
            self.previews[attrs["id"]] = ""

    def handle_endtag(self, tag):
        assert self._stack and self._stack[-1][0] == tag, (tag, self._stack)
        self._stack.pop()

    def handle_data(self, data):
        classes = [c for _, attrs in self._stack for c in (attrs.get("class") or "").split()]
        preview = next((attrs["id"] for _, attrs in self._stack if "preview" in (attrs.get("class") or "")), None)
        if preview is not None:
            self.previews[preview] += data + "\n"
        elif "badge" not in classes:
            self.text += data
        else:
            self.badges.append(data)
        if self._stack and self._stack[-1][0] == "strong":
            self.strong.append(data)


def _previews(answer: Answer, titles: dict[str, str]):
    def of(n):
        c = answer.citation(n)
        return None if c is None else inline_citations.preview_of(c, titles[c.doc_id])

    return of


def test_each_marker_is_a_button_for_its_own_citation_described_by_that_sources_preview():
    answer = Answer(
        question="q",
        refused=False,
        sentences=[
            AnswerSentence("North Korea sent roughly 15,000 troops.", (1, 3), 0.9, highlight=(17, 38)),
            AnswerSentence("They fought in Kursk.", (2,), 0.9, corroboration=2),
        ],
        citations=[
            Citation(
                1, "dw-1", 0, 10, "About 15,000 soldiers were sent.", title="T one", source="DW", date="2025-09-02"
            ),
            Citation(2, "ap-2", 0, 10, "Troops fought in Kursk.", title="T two", date="2025-09-03"),
            Citation(3, "rt-3", 0, 10, "Pyongyang sent 15,000.", title="T three"),
        ],
    )
    titles = {"dw-1": "T one", "ap-2": "T two", "rt-3": "T three"}
    parsed = Parsed(inline_citations.answer_html(render.shown_sentences(answer), _previews(answer, titles)))

    assert [m["data-cite"] for m in parsed.markers] == ["1", "3", "2"]
    assert all(m["type"] == "button" for m in parsed.markers)  # focusable, Enter and Space activate it
    ids = [m["aria-describedby"] for m in parsed.markers]
    assert len(set(ids)) == 3 and set(ids) == set(parsed.previews)
    by_n = {m["data-cite"]: parsed.previews[m["aria-describedby"]] for m in parsed.markers}
    assert by_n["1"].splitlines()[:3] == ["T one", "DW · 2025-09-02", "\u201cAbout 15,000 soldiers were sent.\u201d"]
    assert by_n["2"].splitlines()[:3] == ["T two", "2025-09-03", "\u201cTroops fought in Kursk.\u201d"]
    assert by_n["3"].splitlines()[:2] == ["T three", "\u201cPyongyang sent 15,000.\u201d"]  # no outlet, no date: none
    assert {m["aria-label"] for m in parsed.markers} == {"Source 1: T one", "Source 2: T two", "Source 3: T three"}
    # The words are the answer's own, markers in place: exactly Answer.text.
    assert parsed.text == answer.text
    assert parsed.strong == ["roughly 15,000 troops"]  # the short answer in bold


def test_article_text_never_becomes_markup():
    evil = '<script>alert("x")</script> & \'quoted\' "double" <img src=x onerror=alert(1)>'
    answer = Answer(
        question="q",
        refused=False,
        sentences=[AnswerSentence(f"He said {evil} today.", (1,), 0.9, highlight=(8, 20))],
        citations=[Citation(1, "d", 0, 5, f"Quote {evil}", title=f"Title {evil}", source=f"Out{evil}", date="2025")],
    )
    markup = inline_citations.answer_html(render.shown_sentences(answer), _previews(answer, {"d": f"Title {evil}"}))
    parsed = Parsed(markup)

    assert {tag for tag, _ in parsed.tags} <= ALLOWED_TAGS  # no <script>, no <img>
    assert all(set(attrs) <= ALLOWED_ATTRS for _, attrs in parsed.tags)  # no onerror=, no src=
    assert parsed.text == answer.text  # shown as text, character for character
    (preview,) = parsed.previews.values()
    assert preview.splitlines()[:3] == [f"Title {evil}", f"Out{evil} · 2025", f"\u201cQuote {evil}\u201d"]
    assert parsed.markers[0]["aria-label"] == f"Source 1: Title {evil}"


def test_a_number_without_a_source_stays_text_and_a_long_quote_is_shortened():
    answer = Answer(
        question="q",
        refused=False,
        sentences=[AnswerSentence("A claim.", (1, 9), 0.9)],
        citations=[Citation(1, "d", 0, 5, "word " * 200, title="T")],
    )
    parsed = Parsed(inline_citations.answer_html(render.shown_sentences(answer), _previews(answer, {"d": "T"})))
    assert [m["data-cite"] for m in parsed.markers] == ["1"]
    assert parsed.text == "A claim. [1][9]"
    quote = next(iter(parsed.previews.values())).splitlines()[1]
    assert quote.endswith("…\u201d") and len(quote) <= inline_citations.PREVIEW_QUOTE_CHARS + 3


def test_copies_of_one_story_keep_one_marker_per_sentence():
    answer = Answer(
        question="q",
        refused=False,
        sentences=[AnswerSentence("Putin met Xi.", (1, 2), 0.9), AnswerSentence("Putin met  Xi.", (2,), 0.9)],
        citations=[Citation(1, "dw", 0, 5, "Putin met Xi", story="s"), Citation(2, "dw-mt", 0, 5, "Putin", story="s")],
    )
    parsed = Parsed(inline_citations.answer_html(render.shown_sentences(answer), _previews(answer, {"dw": "A"})))
    assert parsed.text == "Putin met Xi. [1]"
