"""`python -m index add SOURCE...`: files, folders, article pages, RSS/Atom feeds and sitemaps into the corpus.

Each article is saved under the corpus folder first (a ``.txt``/``.md``/``.jsonl`` file is
copied; a web page's extracted text is saved as a JSON-lines record with its URL, title,
date, author and outlet), then ``index.build()`` embeds what is new or changed. So a
failure at any point loses nothing: what was saved is indexed by the next build.

One article reached twice (a feed and its page, tracking tags, http/https, AMP, a canonical
link) is one article: its doc id comes from its canonical URL and every URL it was reached
by is remembered. A page whose text changed is rewritten, so the build re-embeds it.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from index.clean import clean_article
from index.load import TEXT_SUFFIXES, normalize_date
from index.records import BuildReport
from index.web.extract import NoArticleText, extract_html_bytes
from index.web.feeds import BadListing, Listed, parse_feed, parse_sitemap, sniff_kind
from index.web.fetch import Fetcher, FetchError, RefusedAddress, Response
from index.web.saved import SavedArticles, write_atomic
from index.web.state import WebState
from index.web.urls import BadURL, check_http_url, doc_id_for, same_site, url_key, without_tracking
from newsdesk.errors import CorpusError, NewsdeskError, StoreError
from newsdesk.settings import Settings, load_settings

HTML_SUFFIXES = (".html", ".htm")
FILE_SUFFIXES = TEXT_SUFFIXES + (".jsonl",) + HTML_SUFFIXES
ADDED_FOLDER = "added"  # copies of added .txt/.md/.jsonl files, under the corpus folder
MAX_CHILD_SITEMAPS = 50  # a sitemap index may list thousands; the newest pages are in the first few

LineCallback = Callable[[str], None]


@dataclass(frozen=True)
class Failure:
    source: str  # as given by the user
    url: str  # the page, feed or file that failed
    reason: str
    transient: bool = False

    def line(self) -> str:
        return f"failed: {self.url}: {self.reason}"


@dataclass
class AddReport:
    """What one `add` (or one `watch` round) did."""

    new: list[str] = field(default_factory=list)  # doc ids (or file names)
    updated: list[str] = field(default_factory=list)
    unchanged: int = 0
    known: int = 0  # listed pages already in the corpus, not fetched again
    failed: list[Failure] = field(default_factory=list)
    failed_sources: dict[str, FetchError | NewsdeskError] = field(default_factory=dict)
    interrupted: bool = False
    build: BuildReport | None = None
    build_error: str | None = None
    seconds: float = 0.0

    @property
    def changed(self) -> bool:
        return bool(self.new or self.updated)

    def summary(self) -> str:
        return (
            f"{len(self.new)} new, {len(self.updated)} updated, {self.unchanged + self.known} unchanged, "
            f"{len(self.failed)} failed"
        )


def _is_url(source: str) -> bool:
    return "://" in source or source.lower().startswith(("http:", "https:"))


class _Session:
    """One pass over some sources, sharing a fetcher, the saved articles and the polling state."""

    def __init__(
        self,
        settings: Settings,
        fetcher: Fetcher,
        state: WebState,
        report: AddReport,
        on_line: LineCallback,
        stop: threading.Event,
    ):
        self.settings = settings
        self.cfg = settings.web
        self.fetcher = fetcher
        self.state = state
        self.report = report
        self.on_line = on_line
        self.stop = stop
        self.corpus = Path(settings.index.corpus_dir)
        self.saved = SavedArticles(self.corpus)
        for warning in self.saved.warnings:
            on_line(f"warning: {warning}")
        self._lock = threading.Lock()

    # --- outcomes ------------------------------------------------------------------------------
    def _fail(self, source: str, url: str, reason: str, transient: bool = False) -> None:
        failure = Failure(source, url, reason, transient)
        with self._lock:
            self.report.failed.append(failure)
        self.on_line(failure.line())

    def _outcome(self, outcome: str, name: str, url: str | None) -> None:
        where = f" ({url})" if url else ""
        with self._lock:
            if outcome == "new":
                self.report.new.append(name)
            elif outcome == "updated":
                self.report.updated.append(name)
            else:
                self.report.unchanged += 1
        if outcome != "unchanged":
            self.on_line(f"{outcome}: {name}{where}")

    # --- sources -------------------------------------------------------------------------------
    def add_source(self, source: str) -> bool:
        """Add one source; False when the source itself failed (its pages' failures do not count)."""
        try:
            if _is_url(source):
                return self._add_url(source)
            return self._add_path(source)
        except NewsdeskError as exc:  # one bad source never stops the others
            self.report.failed_sources[source] = exc
            self._fail(source, source, str(exc).removeprefix(f"{source}: "))
            return False
        except Exception as exc:  # a bug on one source's odd content: report it, go on with the others
            self.report.failed_sources[source] = NewsdeskError(f"{type(exc).__name__}: {exc}")
            self._fail(source, source, f"unexpected {type(exc).__name__}: {exc}")
            return False

    def _add_url(self, source: str) -> bool:
        try:
            url = check_http_url(source)
        except BadURL as exc:
            raise NewsdeskError(f"{source}: {exc}") from None
        record = self.saved.find([url])
        remembered = self.state.source(url)
        validators = record if record else remembered
        try:
            resp = self.fetcher.get(url, etag=validators.get("etag"), last_modified=validators.get("last_modified"))
        except FetchError as exc:
            self.report.failed_sources[source] = exc
            self._fail(source, url, exc.reason, exc.transient)
            return False
        if resp.not_modified:
            if record is not None:
                self._outcome("unchanged", record["id"], url)
                return True
            self.on_line(f"note: {url}: not changed since the last visit (HTTP 304)")
            return self._listing(source, url, resp, [])
        kind = sniff_kind(resp.content_type, resp.body)
        if kind == "html":
            self._ingest(source, resp, None, via=None)
            return True
        if kind in ("feed", "sitemap"):
            try:
                if kind == "feed":
                    listed = parse_feed(resp.body, resp.final_url)
                else:
                    listed = self._sitemap_pages(source, resp)
            except BadListing as exc:
                self.report.failed_sources[source] = FetchError(url, str(exc), transient=False)
                self._fail(source, url, str(exc))
                return False
            if not listed:
                self.on_line(f"note: {url}: the {kind} lists no pages")
            return self._listing(source, url, resp, listed)
        self._fail(source, url, f"not an HTML page, feed or sitemap ({resp.content_type or 'no content type'})")
        self.report.failed_sources[source] = FetchError(url, "not a page, feed or sitemap", transient=False)
        return False

    def _sitemap_pages(self, source: str, resp: Response) -> list[Listed]:
        """The pages of a sitemap, following a sitemap index one level down, newest first."""
        pages, children = parse_sitemap(resp.body, resp.final_url, self.cfg.max_bytes)
        for child in children[:MAX_CHILD_SITEMAPS]:
            if self.stop.is_set():
                break
            try:
                child_resp = self.fetcher.get(child)
                child_pages, _ = parse_sitemap(child_resp.body, child_resp.final_url, self.cfg.max_bytes)
            except (FetchError, BadListing) as exc:
                self._fail(source, child, getattr(exc, "reason", str(exc)), getattr(exc, "transient", False))
                continue
            pages.extend(child_pages)
        if len(children) > MAX_CHILD_SITEMAPS:
            self.on_line(f"note: {resp.url}: read the first {MAX_CHILD_SITEMAPS} of {len(children)} sitemaps")
        return sorted(pages, key=lambda p: normalize_stamp(p.stamp), reverse=True)

    def _listing(self, source: str, url: str, resp: Response, listed: list[Listed]) -> bool:
        """Fetch the listed pages that are new, changed or waiting for a retry; then remember the listing."""
        todo: dict[str, Listed] = {}
        for item in listed:
            key = url_key(item.url)
            if key in todo:
                continue
            record = self.saved.find([item.url])
            if record is not None and (item.stamp is None or record.get("listed_stamp") == item.stamp):
                with self._lock:
                    self.report.known += 1
                continue
            if record is None and self.state.skip_page(item.url, item.stamp) is not None:
                continue  # failed for good before, and the listing has not changed it since
            todo[key] = item
        for retry in self.state.retry_pages(url):
            todo.setdefault(url_key(retry), Listed(retry))
        items = list(todo.values())
        if len(items) > self.cfg.max_pages_per_source:
            self.on_line(
                f"note: {url}: {len(items)} pages to fetch, taking the first {self.cfg.max_pages_per_source} "
                "(web.max_pages_per_source); the rest come on the next pass"
            )
            items = items[: self.cfg.max_pages_per_source]
        transient = self._fetch_pages(source, url, items)
        if self.stop.is_set():
            return True  # interrupted: the listing is read again in full next time, nothing is skipped
        self.state.set_retry_pages(url, transient)
        self.state.source_ok(url, etag=resp.etag, last_modified=resp.last_modified)
        self.state.save()
        return True

    def _fetch_pages(self, source: str, via: str, items: list[Listed]) -> list[str]:
        """Fetch pages, one host at a time per worker; returns the URLs that failed transiently."""
        by_host: dict[str, list[Listed]] = {}
        for item in items:
            by_host.setdefault(urlsplit(item.url).netloc.lower(), []).append(item)
        transient: list[str] = []

        def run(host_items: list[Listed]) -> None:
            for item in host_items:
                if self.stop.is_set():
                    transient.extend(i.url for i in host_items[host_items.index(item) :])
                    return
                try:
                    ok = self._page(source, item, via)
                except Exception as exc:  # a bug on one odd page must not cost the others
                    self._fail(source, item.url, f"unexpected {type(exc).__name__}: {exc}")
                    ok = False
                if not ok:
                    transient.append(item.url)

        workers = max(1, min(self.cfg.hosts_in_parallel, len(by_host)))
        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="web-fetch") as pool:
            for future in [pool.submit(run, group) for group in by_host.values()]:
                future.result()
        return transient

    def _page(self, source: str, item: Listed, via: str | None) -> bool:
        """Fetch and save one listed page; False when it is to be tried again next pass: it failed transiently,
        or its address was refused (a setting, not the page, decides that, and the setting may change)."""
        record = self.saved.find([item.url])
        try:
            resp = self.fetcher.get(
                item.url,
                etag=record.get("etag") if record else None,
                last_modified=record.get("last_modified") if record else None,
            )
        except FetchError as exc:
            self._fail(source, item.url, exc.reason, exc.transient)
            if isinstance(exc, RefusedAddress):
                return False
            if not exc.transient:
                self.state.page_failed_for_good(item.url, exc.reason, item.stamp)
            return not exc.transient
        if resp.not_modified and record is not None:
            self.saved.save({**record, "listed_stamp": item.stamp or record.get("listed_stamp")})
            self._outcome("unchanged", record["id"], item.url)
            return True
        self._ingest(source, resp, item, via=via)
        return True

    def _ingest(self, source: str, resp: Response, item: Listed | None, *, via: str | None):
        """Extract a fetched page and save it as an article (new, updated or unchanged)."""
        stamp = item.stamp if item else None
        if sniff_kind(resp.content_type, resp.body) != "html":
            reason = f"not an HTML page ({resp.content_type or 'no content type'})"
            self._fail(source, resp.url, reason)
            self.state.page_failed_for_good(resp.url, reason, stamp)
            return
        try:
            page = extract_html_bytes(resp.body, resp.final_url, resp.charset)
        except NoArticleText as exc:
            self._fail(source, resp.url, str(exc))
            self.state.page_failed_for_good(resp.url, str(exc), stamp)
            return
        canonical = page.canonical_url
        if canonical and not (same_site(canonical, resp.final_url) and _names_a_page(canonical, resp.final_url)):
            canonical = None  # another outlet's original (a syndicated copy stays its own article) or the home page
        url = canonical or without_tracking(resp.final_url)
        reached = [url, resp.final_url, resp.url, *resp.redirects] + ([item.url] if item else [])
        # The article is known by its canonical URL, or by the address it was served from. Not by the
        # address asked for: a redirector ("/latest", a feed proxy) may lead to another article each time.
        existing = self.saved.find([url]) or self.saved.find_own(resp.final_url)
        if not clean_article(page.text).kept:
            self._fail(source, resp.url, "no article text left after cleaning")
            return
        now = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
        new_record = {
            "id": existing["id"] if existing else doc_id_for(url),
            "title": page.title or (item.title if item else None),
            "date": normalize_date(page.date) or normalize_date(item.date if item else None),
            "source": page.outlet,
            "url": url,
            "byline": page.author,
            "text": page.text,
            "aliases": sorted({url_key(u) for u in reached}),
            "fetched_url": resp.final_url,
            "via": via or (existing or {}).get("via"),
            "etag": resp.etag,
            "last_modified": resp.last_modified,
            "listed_stamp": stamp or (existing or {}).get("listed_stamp"),
            "added_at": now,
            "updated_at": now,
        }
        outcome = self.saved.save({k: v for k, v in new_record.items() if v is not None})
        self.state.page_ok(resp.url)
        self._outcome(outcome, str(new_record["id"]), url)

    # --- local files -------------------------------------------------------------------------
    def _add_path(self, source: str) -> bool:
        path = Path(source).expanduser()
        if not path.exists():
            looks_like_host = "." in source.split("/")[0] and path.suffix.lower() not in FILE_SUFFIXES
            hint = " (a web address needs http:// or https://)" if looks_like_host else ""
            raise NewsdeskError(f"{source}: no such file or folder{hint}")
        corpus = self.corpus.resolve()
        if path.resolve() == corpus or corpus in path.resolve().parents:
            self.on_line(f"note: {source} is inside the corpus folder already; the build reads it from there")
            return True
        if path.is_dir():
            files = sorted(
                p
                for p in path.rglob("*")
                if p.is_file()
                and p.suffix.lower() in FILE_SUFFIXES
                and not any(part.startswith(".") for part in p.relative_to(path).parts)
            )
            if not files:
                raise NewsdeskError(f"{source}: no .txt, .md, .jsonl or .html files in this folder")
            for file in files:
                if self.stop.is_set():
                    break
                self._add_file(source, file, file.relative_to(path))
            return True
        self._add_file(source, path, Path(path.name))
        return True

    def _add_file(self, source: str, path: Path, rel: Path) -> None:
        suffix = path.suffix.lower()
        if suffix not in FILE_SUFFIXES:
            self._fail(source, str(path), f"not a supported file ({', '.join(FILE_SUFFIXES)})")
            return
        limit = self.settings.index.max_article_bytes
        try:
            if path.stat().st_size > limit:
                self._fail(source, str(path), f"over the {limit / 1e6:.1f} MB limit (index.max_article_bytes)")
                return
            raw = path.read_bytes()
        except OSError as exc:
            self._fail(source, str(path), f"cannot read ({exc.strerror or exc})")
            return
        if not raw.strip():
            self._fail(source, str(path), "empty file")
            return
        if b"\x00" in raw[:8192] and not raw.startswith((b"\xff\xfe", b"\xfe\xff")):
            self._fail(source, str(path), "looks like a binary file")
            return
        if suffix in HTML_SUFFIXES:
            self._add_html_file(source, path, raw)
            return
        target = self.corpus / ADDED_FOLDER / rel
        if suffix in TEXT_SUFFIXES:
            clash = self._text_doc_id_clash(path.stem, target)
            if clash is not None:
                self._fail(source, str(path), f"doc id {path.stem!r} is already used by {clash}; rename the file")
                return
        existed = target.exists()
        if existed and target.read_bytes() == raw:
            self._outcome("unchanged", str(rel), None)
            return
        write_atomic(target, raw)
        self._outcome("updated" if existed else "new", str(rel), None)

    def _text_doc_id_clash(self, stem: str, target: Path) -> Path | None:
        """Another corpus file whose doc id (file stem) is ``stem``."""
        for suffix in TEXT_SUFFIXES:
            for candidate in self.corpus.rglob(f"{stem}{suffix}"):
                if candidate.resolve() != target.resolve() and not any(
                    p.startswith(".") for p in candidate.relative_to(self.corpus).parts
                ):
                    return candidate
        return None

    def _add_html_file(self, source: str, path: Path, raw: bytes) -> None:
        """A saved web page: extracted like a fetched one; its canonical link, when it has one, is its URL."""
        try:
            page = extract_html_bytes(raw, None)
        except NoArticleText as exc:
            self._fail(source, str(path), str(exc))
            return
        url = page.canonical_url
        existing = self.saved.find([url]) if url else None
        now = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
        record = {
            "id": existing["id"] if existing else (doc_id_for(url) if url else path.stem),
            "title": page.title,
            "date": normalize_date(page.date),
            "source": page.outlet,
            "url": url,
            "byline": page.author,
            "text": page.text,
            "aliases": [url_key(url)] if url else [],
            "via": str(path.resolve()),
            "added_at": now,
            "updated_at": now,
        }
        outcome = self.saved.save({k: v for k, v in record.items() if v not in (None, [])})
        self._outcome(outcome, str(record["id"]), url)


def _names_a_page(canonical: str, fetched: str) -> bool:
    """A canonical link to the site's home page, when the page fetched is not it, is a site misconfiguration."""
    return urlsplit(canonical).path.strip("/") != "" or urlsplit(fetched).path.strip("/") == ""


def normalize_stamp(stamp: str | None) -> str:
    """A sortable form of a listing stamp (ISO when it parses, else empty: oldest)."""
    if not stamp:
        return ""
    from dateutil import parser as date_parser

    try:
        parsed = date_parser.parse(stamp)
    except (ValueError, OverflowError, TypeError):
        return ""
    if parsed.tzinfo is not None:
        from datetime import UTC

        parsed = parsed.astimezone(UTC).replace(tzinfo=None)
    return parsed.isoformat()


def add_sources(
    sources: list[str],
    settings: Settings | None = None,
    *,
    build: bool = True,
    embedder=None,
    fetcher: Fetcher | None = None,
    state: WebState | None = None,
    on_line: LineCallback | None = None,
    stop: threading.Event | None = None,
    progress=None,
) -> AddReport:
    """Save every article the sources hold into the corpus folder, then (``build``) update the index."""
    settings = settings or load_settings()
    started = time.perf_counter()
    report = AddReport()
    on_line = on_line or (lambda line: None)
    stop = stop or threading.Event()
    state = state if state is not None else WebState.load(settings.index.store_dir)
    if state.warning:
        on_line(f"warning: {state.warning}")
    Path(settings.index.corpus_dir).mkdir(parents=True, exist_ok=True)
    own_fetcher = fetcher is None
    fetcher = fetcher or Fetcher(settings.web)
    try:
        session = _Session(settings, fetcher, state, report, on_line, stop)
        for source in sources:
            if stop.is_set():
                report.interrupted = True
                break
            session.add_source(source)
        report.interrupted = report.interrupted or stop.is_set()
        state.save()
    finally:
        if own_fetcher:
            fetcher.close()
    if build:
        build_index(settings, report, state, embedder=embedder, progress=progress)
    report.seconds = time.perf_counter() - started
    return report


def corpus_signature(corpus_dir: str | Path) -> list[int]:
    """[files, newest mtime (ns), total size] of the corpus folder: it changes whenever a file is added or edited."""
    count = newest = total = 0
    for dirpath, dirnames, filenames in os.walk(corpus_dir):
        dirnames[:] = [d for d in dirnames if not d.startswith(".")]
        for name in filenames:
            if name.startswith("."):
                continue
            try:
                info = os.stat(os.path.join(dirpath, name))
            except OSError:
                continue
            count += 1
            total += info.st_size
            newest = max(newest, info.st_mtime_ns)
    return [count, newest, total]


def build_index(settings: Settings, report: AddReport, state: WebState, *, embedder=None, progress=None) -> None:
    """index.build(); a busy or broken index is reported (the articles stay saved for the next build)."""
    import index

    signature = corpus_signature(settings.index.corpus_dir)
    try:
        report.build = index.build(settings=settings, embedder=embedder, progress=progress)
    except (StoreError, CorpusError) as exc:
        report.build_error = str(exc)
        return
    state.built = {"corpus": signature, "at": time.time()}
    state.save()


def needs_build(settings: Settings, state: WebState) -> bool:
    """Whether the corpus folder holds files and changed since the last build `add`/`watch` made (or there was none)."""
    signature = corpus_signature(settings.index.corpus_dir)
    return signature[0] > 0 and state.built.get("corpus") != signature
