"""The Add articles page: upload files or paste article, feed and sitemap addresses; `index add` takes them in.

Uploads are written to a private temporary folder under sanitised names and handed to
``index.add.add_sources`` like files named on the command line, so they land where and how
`python -m index add` puts local files (``CORPUS/added/`` or a web record for ``.html``; an
unchanged file is not rewritten, a text file whose doc id another corpus file holds is refused).
Pasted lines must be http(s) addresses: nothing typed here is ever read as a path on the server.

The add runs on a worker thread (the index fetches pages on threads of its own, and only the
script thread may draw), which posts its progress to a queue the page draws from. The job lives
in the session, so leaving the page mid-add loses nothing: coming back shows where it is.
"""

from __future__ import annotations

import itertools
import logging
import math
import queue
import re
import shutil
import tempfile
import threading
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import streamlit as st

from index.add import FILE_SUFFIXES, AddReport, Failure, add_sources, build_index, needs_build
from index.web.fetch import Fetcher
from index.web.state import WebState
from index.web.urls import BadURL, check_http_url
from newsdesk.safetext import mask_urls
from newsdesk.settings import Settings
from ui import render, resources
from ui.sidebar import Choices

log = logging.getLogger("newsdesk.ui")

JOB = "add_job"  # the running or last AddJob of this session
UPLOAD_ROUND = "add_upload_round"  # bumped after an add: a new uploader key starts empty
PENDING_ADDRESSES = "add_pending_addresses"  # what the address box shows after an add: the addresses that failed
ADDRESSES = "add_addresses"
UPLOAD_TYPES = [suffix.lstrip(".") for suffix in FILE_SUFFIXES]
MAX_NAME_CHARS = 100
MAX_NAME_BYTES = 200
COLLECT_SHARE = 0.5  # of the bar: saving the articles; the rest is embedding them
MAX_FAILURE_LINES = 20  # one line each; the rest in a folded list
REDRAW_S = 0.5
ADDING_OFF = "Adding articles is turned off in this app (ui.allow_adding is false)."


@dataclass(frozen=True)
class Upload:
    name: str  # as the person's browser named it
    data: bytes


@dataclass
class Outcome:
    """What an add did, as the page shows it (kept in the session until the next add)."""

    summary: str  # "Added: 2 new, 0 updated, 3 unchanged, 1 failed"
    failures: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    build_summary: str | None = None
    build_error: str | None = None
    failed_addresses: list[str] = field(default_factory=list)


def safe_upload_name(name: str) -> str:
    """An uploaded file's name reduced to one harmless path component that keeps its suffix.

    No folders, no leading dot (the loader skips hidden files), only letters, digits, ``.``, ``_``
    and ``-``; the stem becomes the article's doc id for ``.txt``/``.md``.
    """
    base = unicodedata.normalize("NFKC", name).replace("\\", "/").rsplit("/", 1)[-1]
    stem, dot, suffix = base.rpartition(".")
    if not dot:
        stem, suffix = base, ""
    stem = re.sub(r"[^\w.-]+", "-", stem).strip(".-_")
    stem = re.sub(r"-{2,}", "-", stem)[:MAX_NAME_CHARS]
    while len(stem.encode("utf-8")) > MAX_NAME_BYTES:  # file systems count bytes (255), not letters
        stem = stem[:-1]
    stem = stem.rstrip(".-") or "upload"
    suffix = re.sub(r"[^a-z0-9]", "", suffix.lower())[:10]
    return f"{stem}.{suffix}" if suffix else stem


def parse_addresses(text: str) -> tuple[list[str], list[Failure]]:
    """The http(s) addresses in ``text`` (one per line; any whitespace separates), in order, once each;
    and one failure for every other entry."""
    addresses: list[str] = []
    failures: list[Failure] = []
    for entry in (text or "").split():
        shown = entry if len(entry) <= 120 else entry[:117] + "..."
        try:
            url = check_http_url(entry)
        except BadURL as exc:
            failures.append(Failure(entry, shown, str(exc)))
            continue
        if url not in addresses:
            addresses.append(url)
    return addresses, failures


def check_uploads(uploads: list[Upload], max_bytes: int) -> tuple[dict[str, Upload], list[Failure]]:
    """Uploads by their safe name, and one failure for each one that is refused before it is written."""
    kept: dict[str, Upload] = {}
    failures: list[Failure] = []
    for upload in uploads:
        name = safe_upload_name(upload.name)
        if Path(name).suffix.lower() not in FILE_SUFFIXES:
            failures.append(Failure(upload.name, upload.name, f"not a supported file ({', '.join(FILE_SUFFIXES)})"))
        elif len(upload.data) > max_bytes:
            reason = f"{_size(len(upload.data))}, over the {_size(max_bytes)} limit (index.max_article_bytes)"
            failures.append(Failure(upload.name, upload.name, reason))
        elif name in kept:
            failures.append(Failure(upload.name, upload.name, f"another upload is also named {name}; rename one"))
        else:
            kept[name] = upload
    return kept, failures


def _size(n: int) -> str:
    return f"{n / 1e6:.1f} MB" if n >= 1e6 else f"{n / 1e3:.1f} kB" if n >= 1e3 else f"{n} bytes"


class AddJob:
    """One add: uploads and addresses saved into the corpus, then the index updated. ``run()`` once, on any thread."""

    def __init__(
        self,
        settings: Settings,
        uploads: dict[str, Upload],
        addresses: list[str],
        *,
        refused_uploads: list[Failure] | None = None,
        refused_addresses: list[Failure] | None = None,
        embedder=None,
        generation: int | None = None,
    ):
        self.settings = settings
        self.uploads = uploads
        self.addresses = addresses
        self.refused_uploads = list(refused_uploads or [])  # refused before anything was written
        self.refused_addresses = list(refused_addresses or [])
        self.embedder = embedder  # the open index's: not loaded a second time
        self.generation = generation  # of the index open when the add began
        self.updates: queue.Queue[tuple[float, str]] = queue.Queue()  # (share done, what is happening)
        self.finished = threading.Event()
        self.outcome: Outcome | None = None
        self.index_changed = False
        self.shown = False  # the page has taken in the outcome (caches dropped, boxes reset)

    def _post(self, fraction: float, text: str) -> None:
        self.updates.put((min(1.0, max(0.0, fraction)), mask_urls(text)))

    def run(self) -> None:
        try:
            self.outcome = self._run()
        except Exception as exc:  # noqa: BLE001 (a worker thread: the page must hear of it in one line)
            log.exception("unexpected error while adding articles")
            self.outcome = Outcome(
                summary="The add stopped on an unexpected error; what was saved stays in the corpus folder.",
                failures=[f"unexpected {type(exc).__name__}; the details are in the server log"],
            )
        finally:
            self._post(1.0, "Done")
            self.finished.set()

    def _run(self) -> Outcome:
        report = AddReport(failed=self.refused_uploads + self.refused_addresses)
        said: dict[str, None] = {}  # notes and warnings, in order, once each (every source repeats the state's)
        labels: dict[str, str] = {}  # a temporary upload path -> the name the person gave the file
        state = WebState.load(self.settings.index.store_dir)
        folder = Path(tempfile.mkdtemp(prefix="newsdesk-upload-"))
        fetcher = Fetcher(self.settings.web)
        try:
            sources: list[tuple[str, str]] = []
            for name, upload in self.uploads.items():
                path = folder / name
                path.write_bytes(upload.data)
                labels[str(path)] = upload.name
                sources.append((str(path), upload.name))
            self.uploads = {}  # the job stays in the session: it need not hold the files' bytes too
            sources += [(url, url) for url in self.addresses]
            for i, (source, label) in enumerate(sources):
                self._add_one(
                    source, f"Source {i + 1} of {len(sources)}: {label}", i / len(sources), report, fetcher, state, said
                )
        finally:
            fetcher.close()
            shutil.rmtree(folder, ignore_errors=True)
        outcome = Outcome(
            summary=f"Added: {report.summary()}",
            failures=[mask_urls(_failure_line(f, labels)) for f in report.failed],
            notes=[mask_urls(line.removeprefix("note: ")) for line in said if line.startswith("note:")],
            warnings=[mask_urls(line.removeprefix("warning: ")) for line in said if line.startswith("warning:")],
            failed_addresses=[f.source for f in self.refused_addresses]
            + [url for url in self.addresses if url in report.failed_sources],
        )
        if sources and (report.changed or needs_build(self.settings, state)):
            self._build(report, state, outcome)
        return outcome

    def _add_one(
        self,
        source: str,
        where: str,
        done: float,
        report: AddReport,
        fetcher: Fetcher,
        state: WebState,
        said: dict[str, None],
    ) -> None:
        """Add one source, posting a line per page or file saved or failed (unchanged ones say nothing)."""
        base = COLLECT_SHARE * done
        self._post(base, where)
        counter = itertools.count(1)  # next() is atomic: pages are fetched on several threads
        unit = "page" if source in self.addresses else "file"

        def on_line(line: str) -> None:
            if line.startswith(("note:", "warning:")):
                said.setdefault(line)
                return
            count = next(counter)
            self._post(base, f"{where} — {count} {unit}{'s' if count != 1 else ''} saved or failed")

        _merge(report, add_sources([source], self.settings, build=False, fetcher=fetcher, state=state, on_line=on_line))

    def _build(self, report: AddReport, state: WebState, outcome: Outcome) -> None:
        self._post(COLLECT_SHARE, "Updating the index…")

        def progress(done: int, total: int) -> None:
            share = done / total if total else 1.0
            self._post(COLLECT_SHARE + (1 - COLLECT_SHARE) * share, f"Reading the articles: {share:.0%}")

        build_index(self.settings, report, state, embedder=self.embedder, progress=progress)
        if report.build is not None:
            outcome.build_summary = _plain_build_line(report.build)
            self.index_changed = report.build.generation != self.generation
        outcome.build_error = report.build_error


def _merge(total: AddReport, part: AddReport) -> None:
    total.new += part.new
    total.updated += part.updated
    total.unchanged += part.unchanged
    total.known += part.known
    total.failed += part.failed
    total.failed_sources.update(part.failed_sources)
    total.interrupted = total.interrupted or part.interrupted


def _failure_line(failure: Failure, labels: dict[str, str]) -> str:
    """``where: reason``, an upload named as the person named it (not by its temporary path)."""
    where = labels.get(failure.url) or labels.get(failure.source) or failure.url
    return f"{where}: {failure.reason}"


# --- the page ------------------------------------------------------------------------------------
def show_add(choices: Choices, news_index, index_error: str | None) -> None:
    st.title("Add articles", anchor=False)
    if not choices.settings.ui.allow_adding:  # the navigation hides the page; this refuses a direct call too
        st.error(ADDING_OFF, icon=":material/block:")
        return
    st.caption(
        "Upload .txt, .md, .jsonl or .html files, or paste the addresses of article pages, RSS/Atom feeds or "
        "sitemaps. They are saved in the corpus folder and the index is updated; the chat answers from them next."
    )
    if news_index is None:
        st.caption(render.escape_markdown(f"{index_error or 'There is no index yet.'} Adding articles builds it."))
    settings = choices.settings
    job: AddJob | None = st.session_state.get(JOB)
    busy = job is not None and not job.finished.is_set()
    if PENDING_ADDRESSES in st.session_state:  # before the box is drawn: a drawn widget's value cannot be set
        st.session_state[ADDRESSES] = st.session_state.pop(PENDING_ADDRESSES)
    max_bytes = settings.index.max_article_bytes
    files = st.file_uploader(
        "Files",
        type=UPLOAD_TYPES,
        accept_multiple_files=True,
        key=f"add_files_{st.session_state.get(UPLOAD_ROUND, 0)}",
        max_upload_size=max(1, math.ceil(max_bytes / 2**20)),
        help=f"Up to {_size(max_bytes)} each (index.max_article_bytes). A .jsonl file holds one article per line.",
    )
    text = st.text_area(
        "Addresses",
        key=ADDRESSES,
        placeholder="https://example.org/rss.xml\nhttps://example.org/sitemap.xml\nhttps://example.org/world/2025/03/04/story",
        help="One per line: article pages, RSS/Atom feeds or sitemaps. Only http and https addresses are fetched.",
    )
    if st.button("Add articles", key="add_run", type="primary", icon=":material/add:", disabled=busy):
        uploads = [Upload(f.name, f.getvalue()) for f in files or []]
        if not uploads and not text.strip():
            st.info("Choose files or paste addresses first.", icon=":material/info:")
        else:
            job = _start(settings, news_index, uploads, text, max_bytes)
    if job is None:
        return
    if not job.shown:
        _follow(job)
        _take_in(job)
        st.rerun()  # the sidebar and every page see the new index
    if job.outcome is not None:
        _show_outcome(job.outcome)


def _start(settings: Settings, news_index, uploads: list[Upload], text: str, max_bytes: int) -> AddJob:
    kept, refused_uploads = check_uploads(uploads, max_bytes)
    addresses, refused_addresses = parse_addresses(text)
    job = AddJob(
        settings,
        kept,
        addresses,
        refused_uploads=refused_uploads,
        refused_addresses=refused_addresses,
        embedder=news_index.embedder if news_index is not None else None,
        generation=news_index.generation if news_index is not None else None,
    )
    st.session_state[JOB] = job
    threading.Thread(target=job.run, name="newsdesk-add", daemon=True).start()
    return job


def _follow(job: AddJob) -> None:
    """Draw the job's progress until it ends (a rerun meanwhile leaves it running; the next visit follows it on)."""
    bar = st.progress(0.0, text="Starting…")
    latest = (0.0, "Starting…")
    while not (job.finished.is_set() and job.updates.empty()):
        try:
            latest = job.updates.get(timeout=REDRAW_S)
            while True:  # draw only the newest of what piled up
                latest = job.updates.get_nowait()
        except queue.Empty:
            pass
        # Drawn at least every REDRAW_S even when nothing moved: a click elsewhere is taken at a draw.
        bar.progress(latest[0], text=render.escape_markdown(latest[1]))


def _take_in(job: AddJob) -> None:
    """Once per add: drop the cached index and status, empty the uploader, keep the failed addresses to fix."""
    if job.index_changed:
        resources.forget_index()
    st.session_state[UPLOAD_ROUND] = st.session_state.get(UPLOAD_ROUND, 0) + 1
    st.session_state[PENDING_ADDRESSES] = "\n".join(job.outcome.failed_addresses if job.outcome else [])
    job.shown = True


def _show_outcome(outcome: Outcome) -> None:
    ok = not outcome.failures and not outcome.build_error
    (st.success if ok else st.warning)(
        render.escape_markdown(outcome.summary),
        icon=":material/check_circle:" if ok else ":material/warning:",
    )
    for line in outcome.failures[:MAX_FAILURE_LINES]:
        st.error(render.escape_markdown(line), icon=":material/error:")
    if len(outcome.failures) > MAX_FAILURE_LINES:
        rest = outcome.failures[MAX_FAILURE_LINES:]
        with st.expander(f"{len(rest):,} more failures"):
            st.markdown("\n".join(f"- {render.escape_markdown(line)}" for line in rest))
    if outcome.build_error:
        st.error(
            render.escape_markdown(
                f"Index not updated: {outcome.build_error} (the articles are saved in the corpus folder; "
                "Rebuild index in the sidebar indexes them)"
            ),
            icon=":material/database_off:",
        )
    for warning in outcome.warnings:
        st.warning(render.escape_markdown(warning), icon=":material/warning:")
    for note in outcome.notes:
        st.caption(render.escape_markdown(note))
    if outcome.build_summary:
        st.caption(render.escape_markdown(f"Index: {outcome.build_summary}"))


def _plain_build_line(build) -> str:
    """What a build did, for people (no chunk counts or rates)."""
    return f"{build.articles:,} article{'s' if build.articles != 1 else ''} searchable" + (
        f" ({build.embedded_articles:,} read now)" if build.embedded_articles else ""
    )
