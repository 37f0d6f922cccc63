"""Pure functions that turn answers and articles into display pieces (no Streamlit here).

Everything that ends up in ``st.markdown`` goes through ``escape_markdown`` first:
article text and model output are data, never markup. The only markup we add is
our own (bold for the short answer, ``:orange-background[...]`` for a quote).
"""

from __future__ import annotations

import re
import string
from dataclasses import dataclass
from pathlib import Path

HIGHLIGHT = "orange-background"
_PUNCTUATION = frozenset(string.punctuation)  # CommonMark: any ASCII punctuation may be backslash-escaped
_SPACES = re.compile(r"[ \t\f\v\u00a0]+")
# Some scraped articles open with a "date 2025-09-03" header line; it makes a poor title.
_DATE_HEADER = re.compile(r"^date:?\s+\d{4}-\d{2}-\d{2}\s*", re.IGNORECASE)


def escape_markdown(text: str) -> str:
    """``text`` as inert Markdown: every punctuation mark escaped, HTML shown as text, one line per paragraph.

    Whitespace runs collapse to one space (so indentation cannot make a code
    block); line breaks become paragraph breaks.
    """
    paragraphs = [p for p in (_escape_line(line) for line in text.splitlines()) if p]
    return "\n\n".join(paragraphs)


def _escape_line(line: str) -> str:
    return _escape_inline(line).strip()


def _escape_inline(text: str) -> str:
    """Escape one line, collapsing whitespace runs but keeping a space at either edge.

    Checked in Chromium against Streamlit 1.67: escaped ``:smile:``, ``:red[x]``,
    ``$x$``, ``<script>`` and ``[a](javascript:...)`` all show as plain text.
    """
    return "".join("\\" + ch if ch in _PUNCTUATION else ch for ch in _SPACES.sub(" ", text))


def highlighted(text: str) -> str:
    """``text`` escaped and marked as highlighted (one highlight per paragraph: the markup is inline)."""
    parts = [p for p in (_escape_line(line) for line in text.splitlines()) if p]
    return "\n\n".join(f":{HIGHLIGHT}[{p}]" for p in parts)


def visible_text(markdown_escaped: str) -> str:
    """What a reader sees of ``escape_markdown``'s output (for tests and checks)."""
    return re.sub(r"\\(.)", r"\1", markdown_escaped)


@dataclass(frozen=True)
class Segments:
    """A window of an article split around a quote: ``before + quote + after`` is the window's text."""

    before: str
    quote: str
    after: str
    clipped_start: bool = False  # the window starts after the article's start
    clipped_end: bool = False


def quote_segments(
    text: str, start: int, end: int, window_start: int | None = None, window_end: int | None = None
) -> Segments:
    """Split ``text[window_start:window_end]`` around ``text[start:end]`` (offsets into the ORIGINAL text).

    Bad or missing offsets fall back safely: the window always contains the quote.
    """
    n = len(text)
    start = max(0, min(start, n))
    end = max(start, min(end, n))
    lo = start if window_start is None else max(0, min(window_start, start))
    hi = end if window_end is None else min(n, max(window_end, end))
    return Segments(text[lo:start], text[start:end], text[end:hi], clipped_start=lo > 0, clipped_end=hi < n)


def segments_markdown(seg: Segments) -> str:
    """The window as Markdown, the quote highlighted; paragraphs kept, everything else escaped."""
    pieces: list[str] = []
    if seg.clipped_start:
        pieces.append("… ")
    pieces.append(_inline_block(seg.before))
    pieces.append(_inline_highlight(seg.quote))
    pieces.append(_inline_block(seg.after))
    if seg.clipped_end:
        pieces.append(" …")
    md = "".join(pieces)
    return re.sub(r"\n{3,}", "\n\n", md).strip()


def _inline_block(text: str) -> str:
    """Escape ``text``; its line breaks become paragraph breaks, a space at either edge is kept."""
    return "\n\n".join(_escape_inline(line) for line in text.split("\n")) if text else ""


def _inline_highlight(quote: str) -> str:
    return "\n\n".join(f":{HIGHLIGHT}[{_escape_line(line)}]" if line.strip() else "" for line in quote.split("\n"))


def split_paragraph_around(text: str, start: int, end: int) -> tuple[str, Segments, str]:
    """For the full-article view: (text before the quote's paragraph, the paragraph split around the quote, the rest)."""
    n = len(text)
    start = max(0, min(start, n))
    end = max(start, min(end, n))
    para_start = text.rfind("\n", 0, start) + 1
    nl = text.find("\n", end)
    para_end = n if nl < 0 else nl
    seg = Segments(text[para_start:start], text[start:end], text[end:para_end])
    return text[:para_start], seg, text[para_end:]


def display_title(title: str | None, text: str | None = None, doc_id: str = "", limit: int = 70) -> str:
    """The article's title, or its first words when it has none."""
    if title and title.strip():
        return " ".join(title.split())
    words = _DATE_HEADER.sub("", " ".join((text or "").split()))
    if words:
        if len(words) <= limit:
            return words
        cut = words[:limit].rsplit(" ", 1)[0]
        return cut + "…"
    return doc_id or "Untitled article"


def byline(source: str | None, date: str | None) -> str:
    """ "DW · 2025-09-02": only what is known ("2025-09-03" when the outlet is not, "" when neither is)."""
    return " · ".join(part for part in (source, date) if part)


def split_highlight(text: str, highlight: tuple[int, int] | None) -> tuple[str, str, str]:
    """(before, short-answer phrase, after) of a sentence; ("text", "", "") when it has no usable highlight.

    Offsets refer to the sentence with its whitespace runs made one space (sentences are one line already)."""
    text = " ".join(text.split())
    if highlight and 0 <= highlight[0] < highlight[1] <= len(text) and text[highlight[0] : highlight[1]].strip():
        a, b = highlight
        while text[a] == " ":
            a += 1
        while text[b - 1] == " ":
            b -= 1
        return text[:a], text[a:b], text[b:]
    return text, "", ""


def sentence_markdown(
    text: str, citations: tuple[int, ...] = (), highlight: tuple[int, int] | None = None, corroboration: int = 0
) -> str:
    """One answer sentence: escaped, the short-answer phrase in bold, citation markers and badge appended."""
    before, bold, after = split_highlight(text, highlight)
    body = _escape_inline(before) + (f"**{_escape_inline(bold)}**" if bold else "") + _escape_inline(after)
    marks = "".join(f" \\[{n}\\]" for n in citations)
    badge = f" :blue-badge[{corroboration} sources]" if corroboration >= 2 else ""
    return body.strip() + marks + badge


DRAFT_LABEL = "Model's draft, not checked yet: the checked answer replaces it"
SET_ASIDE_NOTE = (
    "The model also wrote these sentences. They are not backed by the articles, so they are not part of the answer."
)


def draft_markdown(text: str) -> str:
    """The model's reply while it streams: labelled as an unchecked draft on top, the text greyed, a cursor."""
    paragraphs = [p for p in (_escape_line(line) for line in text.splitlines()) if p]
    body = "\n\n".join(f":gray[{p}]" for p in paragraphs)
    return f":orange-badge[Unchecked draft] *{_escape_line(DRAFT_LABEL)}*\n\n{body} ▌"


def set_aside_label(count: int) -> str:
    """The heading of the box holding what the model wrote that failed the check."""
    return f"Model's unchecked words ({count}): not part of the answer"


def set_aside_markdown(sentences) -> str:
    """One list item per set-aside sentence: its text, then why it is not shown as sourced."""
    lines = []
    for s in sentences:
        reason = getattr(s, "reason", None) or "not backed by the articles"
        lines.append(f"- {_escape_line(s.text)}  \n  :gray[{_escape_line(reason)}]")
    return "\n".join(lines)


@dataclass(frozen=True)
class SourceEntry:
    """One cited article in an answer's Sources block."""

    doc_id: str
    title: str
    source: str | None
    date: str | None
    numbers: tuple[int, ...]
    also_in: tuple[str, ...] = ()
    url: str | None = None


def sources_of(citations, title_of=None) -> list[SourceEntry]:
    """The cited articles in first-cited order, each with its citation numbers (several quotes -> one entry)."""
    order: list[str] = []
    by_doc: dict[str, list] = {}
    for c in citations:
        if c.doc_id not in by_doc:
            order.append(c.doc_id)
            by_doc[c.doc_id] = []
        by_doc[c.doc_id].append(c)
    entries = []
    for doc_id in order:
        cs = by_doc[doc_id]
        first = cs[0]
        title = title_of(doc_id) if title_of else display_title(first.title, doc_id=doc_id)
        also = tuple(dict.fromkeys(d for c in cs for d in (c.also_in or ()) if d != doc_id))
        entries.append(SourceEntry(doc_id, title, first.source, first.date, tuple(c.n for c in cs), also, first.url))
    return entries


def conflict_lines(conflict, citation_of) -> list[str]:
    """Markdown lines for a disagreement box: each side's value with its citations, outlets and dates."""
    lines = []
    for value, numbers in conflict.sides:
        refs = []
        for n in numbers:
            c = citation_of(n)
            where = byline(c.source, c.date) if c is not None else ""
            refs.append(f"\\[{n}\\]" + (f" {_escape_line(where)}" if where else ""))
        lines.append(f"- **{_escape_line(str(value))}** — " + "; ".join(refs))
    return lines


# What a question asks about, for "The articles describe two different visits" (first found wins).
_EVENT_NOUNS = (
    ("visit", "visits"), ("trip", "trips"), ("summit", "summits"),
    ("meeting", "meetings"), ("talks", "rounds of talks"), ("parade", "parades"), ("election", "elections"),
    ("attack", "attacks"), ("strike", "strikes"), ("war", "wars"), ("deal", "deals"), ("agreement", "agreements"),
    ("conference", "conferences"), ("tour", "tours"), ("match", "matches"), ("game", "games"),
)  # fmt: skip


def conflict_heading(conflict, question: str = "") -> str:
    """The box's first line: a real contradiction ("Sources disagree on how long"), or, for sides dated far apart,
    what they most likely are: "The articles describe two different visits" (the noun taken from the question)."""
    if getattr(conflict, "kind", "value") == "event":
        lower = f" {question.lower()} "
        plural = next((p for noun, p in _EVENT_NOUNS if re.search(rf"\b{noun}\b", lower)), "events")
        count = "two" if len(conflict.sides) == 2 else "several"
        return f"The articles describe {count} different {plural}"
    return f"Sources disagree on {conflict.topic}" if conflict.topic else "Sources disagree"


def headline(answer) -> str | None:
    """The bold line above an answer: its short answer, or, when sources disagree, every side (never just one)."""
    conflicts = getattr(answer, "conflicts", None) or []
    if not conflicts:
        return answer.short_answer or None
    sides = []
    for value, numbers in conflicts[0].sides:
        dates = sorted({c.date for n in numbers if (c := answer.citation(n)) is not None and c.date})
        sides.append(f"{value} ({', '.join(dates)})" if dates and conflicts[0].kind == "event" else str(value))
    return " · ".join(sides) if conflicts[0].kind == "event" else " or ".join(sides)


@dataclass(frozen=True)
class ShownSentence:
    """One sentence as displayed: copies of one story cited once, a sentence repeated by a copy shown once."""

    text: str
    citations: tuple[int, ...]
    highlight: tuple[int, int] | None = None
    corroboration: int = 0


def shown_sentences(answer) -> list[ShownSentence]:
    """The answer's checked sentences for display. Copies of one story (the original and its translation) are one
    source: a sentence never carries two of their citation numbers, and the same sentence is not printed twice."""
    story_of = {c.n: (c.story or c.doc_id) for c in answer.citations}
    out: list[ShownSentence] = []
    seen: dict[str, int] = {}
    for s in answer.shown_sentences:
        numbers, stories = [], set()
        for n in s.citations:
            story = story_of.get(n, n)
            if story not in stories:
                stories.add(story)
                numbers.append(n)
        key = " ".join(s.text.split()).casefold()
        if key in seen:  # the same words from another copy (or passage): one sentence, its sources merged
            i = seen[key]
            had = {story_of.get(n, n) for n in out[i].citations}
            extra = tuple(n for n in numbers if story_of.get(n, n) not in had)
            out[i] = ShownSentence(out[i].text, out[i].citations + extra, out[i].highlight, out[i].corroboration)
            continue
        seen[key] = len(out)
        out.append(ShownSentence(s.text, tuple(numbers), s.highlight, s.corroboration))
    return out


def filter_chips(filters) -> list[str]:
    """The active filters in words, one chip each: "outlet DW", "dated 2025-09-01 to 2025-09-30"."""
    if not filters:
        return []
    chips = []
    sources = tuple(getattr(filters, "sources", ()) or ())
    if sources:
        chips.append(("outlet " if len(sources) == 1 else "outlets ") + ", ".join(sources))
    since, until = getattr(filters, "since", None), getattr(filters, "until", None)
    if since and until:
        chips.append(f"dated {since} to {until}" if since != until else f"dated {since}")
    elif since:
        chips.append(f"dated from {since}")
    elif until:
        chips.append(f"dated until {until}")
    doc_ids = tuple(getattr(filters, "doc_ids", ()) or ())
    if doc_ids:
        chips.append("one article" if len(doc_ids) == 1 else f"{len(doc_ids)} articles")
    return chips


def question_history(messages: list[dict]) -> list[dict]:
    """The chat so far as rag's history: user questions and the assistant's answer text."""
    history = []
    for m in messages:
        if m.get("role") == "user":
            history.append({"role": "user", "content": m["content"]})
        elif m.get("role") == "assistant" and m.get("answer") is not None:
            history.append({"role": "assistant", "content": m["answer"].text})
    return history


def matches(query: str, *fields: str | None) -> bool:
    """Corpus search: every word of ``query`` appears in one of the fields (case-insensitive)."""
    words = query.lower().split()
    hay = " ".join(f for f in fields if f).lower()
    return all(w in hay for w in words)


def latest_eval_report(runs_dir: Path) -> Path | None:
    """The newest ``runs_dir/*/report.json`` by modification time, or None."""
    if not runs_dir.is_dir():
        return None
    reports = [p for p in runs_dir.glob("*/report.json") if p.is_file()]
    return max(reports, key=lambda p: p.stat().st_mtime, default=None)


def metric_rows(metrics: dict) -> list[dict]:
    """An eval report's flat metrics as table rows; a missing or non-numeric value is shown, never made a number."""
    rows = []
    for name, value in (metrics or {}).items():
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            shown = "—" if value is None else str(value)
        elif isinstance(value, int):
            shown = f"{value:,}"
        else:
            shown = f"{value:.3f}"
        rows.append({"metric": str(name), "value": shown})
    return rows


def corpus_summary(articles) -> str:
    """One line about the corpus that claims only what is known: how many articles, over which dates, how many
    from each named outlet and how many from outlets the articles do not name."""
    articles = list(articles)
    if not articles:
        return "The index is empty."
    counts: dict[str, int] = {}
    for a in articles:
        if a.source:
            counts[a.source] = counts.get(a.source, 0) + 1
    dates = sorted(a.date for a in articles if a.date)
    line = f"{len(articles):,} news article{'s' if len(articles) != 1 else ''}"
    if dates:
        line += f", {dates[0]}" + (f" to {dates[-1]}" if dates[-1] != dates[0] else "")
    unnamed = len(articles) - sum(counts.values())
    if not counts:
        return line + ("; the articles do not name their outlets." if unnamed > 1 else "; its outlet is not named.")
    ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    parts = [f"{n:,} from {name}" for name, n in ranked[:4]]
    if len(ranked) > 4:
        rest = sum(n for _, n in ranked[4:])
        parts.append(f"{rest:,} from {len(ranked) - 4} other outlet{'s' if len(ranked) > 5 else ''}")
    if unnamed:
        parts.append(f"{unnamed:,} from outlet{'s' if unnamed != 1 else ''} not named")
    return line + ": " + ", ".join(parts) + "."


# -- the first screen ---------------------------------------------------------------------------------------

_TOPIC_NAME = re.compile(r"\b[A-Z][a-z]+(?:\s+[A-Z][a-z]+){0,2}\b")
_NOT_TOPICS = frozenset(
    """The A An In On At For But And Or If As It Its This That These Those He She They We His Her Their
    Image Photo Skip Edited Published Read More Top Story Stories Tuesday Monday Wednesday Thursday Friday Saturday
    Sunday January February March April May June July August September October November December What Who When
    Where How Why Meanwhile However While After Before During Since Also Dear""".split()
)


@dataclass(frozen=True)
class CorpusOverview:
    """What the first screen says about the corpus: a truthful summary, its main topics, questions to start with."""

    summary: str
    topics: tuple[str, ...]
    starters: tuple[str, ...]


def corpus_topics(articles, limit: int = 5) -> tuple[list[str], list[str]]:
    """(people, other names) most articles mention, most widespread first; a name counts once per article.

    People are names the articles introduce with a title ("President Vladimir Putin"); a short form
    ("Putin") is folded into the full one. Other names are places and organisations ("Beijing", "Ukraine");
    nationality words ("Russian") are not topics."""
    from newsdesk.text.names import TITLED_NAME

    articles = list(articles)
    people: dict[str, set[str]] = {}  # surname -> doc ids
    full: dict[str, str] = {}  # surname -> the longest form seen
    others: dict[str, set[str]] = {}
    for a in articles:
        text = a.text or ""
        for m in TITLED_NAME.finditer(text):
            words = [w for w in m.group(1).split() if w not in _NOT_TOPICS]
            if 2 <= len(words) <= 4:
                surname = words[-1]
                people.setdefault(surname, set()).add(a.doc_id)
                if len(" ".join(words)) > len(full.get(surname, "")):
                    full[surname] = " ".join(words)
        for m in _TOPIC_NAME.finditer(text):
            words = [w for w in m.group(0).split() if w not in _NOT_TOPICS]
            if len(words) == 1 and not words[0].endswith(("ian", "ese", "ean", "ish")):
                others.setdefault(words[0], set()).add(a.doc_id)
    for surname in people:  # a person introduced once is often named by surname alone elsewhere
        word = re.compile(rf"\b{re.escape(surname)}\b")
        people[surname] |= {a.doc_id for a in articles if word.search(a.text or "")}
    floor = 2 if len(articles) > 1 else 1
    named_people = {w for name in full.values() for w in name.split()}
    ranked_people = sorted((s for s in people if len(people[s]) >= floor), key=lambda s: (-len(people[s]), s))
    ranked_other = sorted(
        (n for n in others if len(others[n]) >= floor and n not in named_people and n not in full),
        key=lambda n: (-len(others[n]), n),
    )
    return [full[s] for s in ranked_people][:limit], ranked_other[:limit]


STARTER_FORM = "What do the articles report about \u201c{title}\u201d?"


def corpus_overview(articles, cited_by=None, limit: int = 4) -> CorpusOverview:
    """The first screen's content. Starter questions ask about the newest articles' headlines; ``cited_by(question)``
    (the caller asks Newsdesk) returns the doc ids the answer's first source stands for (None when it refuses),
    and a question is offered only when its answer comes from that very article (or a copy of it)."""
    articles = list(articles)
    people, places = corpus_topics(articles)
    starters: list[str] = []
    used: set[str] = set()
    for a in sorted(articles, key=lambda a: (a.date or "", a.doc_id), reverse=True):
        if len(starters) >= limit:
            break
        if not a.title or a.doc_id in used:
            continue
        question = STARTER_FORM.format(title=" ".join(a.title.split()))
        found = cited_by(question) if cited_by is not None else {a.doc_id}
        if found and a.doc_id in found:
            starters.append(question)
            used.update(found)  # one starter per story
    return CorpusOverview(corpus_summary(articles), tuple(people[:3] + places[:3]), tuple(starters))


# -- copying and exporting -------------------------------------------------------------------------------


def _source_line(c) -> str:
    meta = byline(c.source, c.date)
    title = display_title(c.title, doc_id=c.doc_id)
    line = f"[{c.n}] {title}" + (f" — {meta}" if meta else "")
    if c.url:
        line += f" — <{c.url}>"
    return line


def answer_as_markdown(answer) -> str:
    """The answer as plain Markdown with its [n] markers, then each source with its quote (for copying)."""
    if answer.refused:
        return answer.text
    parts = [" ".join(s.text + "".join(f" [{n}]" for n in s.citations) for s in shown_sentences(answer))]
    for conflict in answer.conflicts:
        sides = "; ".join(f"{value} " + "".join(f"[{n}]" for n in numbers) for value, numbers in conflict.sides)
        parts.append(f"{conflict_heading(conflict, answer.question)}: {sides}.")
    if answer.citations:
        parts.append(
            "Sources:\n" + "\n".join(f"- {_source_line(c)}\n  > {' '.join(c.quote.split())}" for c in answer.citations)
        )
    return "\n\n".join(parts)


def conversation_as_markdown(messages: list[dict], title: str = "Newsdesk conversation") -> str:
    """A whole chat as Markdown: each question, each answer with its citations, quotes and article links."""
    lines = [f"# {' '.join(title.split())}", ""]
    for m in messages:
        if m.get("role") == "user":
            lines += [f"## {' '.join(m['content'].split())}", ""]
        elif m.get("answer") is not None:
            try:
                lines += [answer_as_markdown(m["answer"]), ""]
            except Exception:  # noqa: BLE001 (an answer that cannot be written costs that answer, not the export)
                lines += ["*(this answer could not be exported)*", ""]
        elif m.get("error"):
            lines += [f"*{' '.join(m['error'].split())}*", ""]
    return "\n".join(lines).rstrip() + "\n"


# -- the Eval page's history -------------------------------------------------------------------------------


@dataclass(frozen=True)
class EvalRun:
    """One finished eval run, as the Eval page's history needs it."""

    folder: str
    suite: str  # "seed test", "feedback"
    when: str  # ISO time the run started
    accuracy: float | None
    correct: dict  # case id -> bool, for scored cases
    questions: dict  # case id -> question


def eval_runs(runs_dir: Path) -> list[EvalRun]:
    """Every readable ``runs_dir/*/report.json``, oldest first; an unreadable report is left out, never made a 0."""
    import json

    runs: list[EvalRun] = []
    if not runs_dir.is_dir():
        return runs
    for path in runs_dir.glob("*/report.json"):
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            suite = " ".join(str(p) for p in (data.get("suite_name"), data.get("split")) if p)
            accuracy = (data.get("metrics") or {}).get("answer.accuracy")
            rows = [r for r in data.get("rows") or [] if isinstance(r, dict) and r.get("status") == "ok"]
            when = data.get("started_at") or ""
        except (OSError, ValueError, AttributeError, TypeError):
            continue
        if not isinstance(accuracy, (int, float)) or isinstance(accuracy, bool) or not suite:
            accuracy = None
        runs.append(
            EvalRun(
                path.parent.name,
                suite or path.parent.name,
                str(when),
                accuracy,
                {str(r.get("id")): bool(r.get("correct")) for r in rows},
                {str(r.get("id")): str(r.get("question", "")) for r in rows},
            )
        )
    return sorted(runs, key=lambda r: (r.when, r.folder))


def accuracy_history(runs: list[EvalRun]) -> list[dict]:
    """Rows for a line chart: one point per run with an accuracy, by suite."""
    return [{"run started": r.when[:19].replace("T", " "), "suite": r.suite, "accuracy": r.accuracy} for r in runs
            if r.accuracy is not None and r.when]  # fmt: skip


def flipped_cases(runs: list[EvalRun]) -> dict[str, list[tuple[str, str, bool]]]:
    """For each suite, the cases whose result changed between its two newest runs: (id, question, now correct)."""
    by_suite: dict[str, list[EvalRun]] = {}
    for r in runs:
        by_suite.setdefault(r.suite, []).append(r)
    flips: dict[str, list[tuple[str, str, bool]]] = {}
    for suite, its in by_suite.items():
        if len(its) < 2:
            continue
        before, now = its[-2], its[-1]
        changed = [
            (case, now.questions.get(case, ""), now.correct[case])
            for case in now.correct
            if case in before.correct and before.correct[case] != now.correct[case]
        ]
        flips[suite] = sorted(changed)
    return flips
