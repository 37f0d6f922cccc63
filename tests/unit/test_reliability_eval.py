"""Eval against a careless or hostile user: it never deletes their files, never tracebacks on a bad report or
plot, and never writes a password from a URL into a report or onto the terminal."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from eval.__main__ import main
from eval.compare import render_comparison
from eval.report import load_report
from eval.runner import STAGING_MARKER, prepare_corpus
from index.load import load_corpus
from newsdesk.errors import CorpusError, SuiteError
from tests.conftest import ROOT

SEED_SUITE = ROOT / "eval" / "suites" / "seed.jsonl"
ARTICLE = {"id": "a1", "title": "Troops", "text": "North Korea sent 15,000 troops to Russia. Officials said so."}


def _snapshot(folder: Path) -> dict[str, tuple[bool, bytes]]:
    """Every entry of a folder: whether it is a link, and its bytes (links are not followed)."""
    return {p.name: (p.is_symlink(), b"" if p.is_symlink() else p.read_bytes()) for p in sorted(folder.iterdir())}


def _user_folder(tmp_path: Path) -> tuple[Path, Path]:
    """The issue's layout: D/news-corpus/articles.jsonl (with the user's other files), index in D/news."""
    folder = tmp_path / "D" / "news-corpus"
    folder.mkdir(parents=True)
    articles = folder / "articles.jsonl"
    articles.write_text(json.dumps(ARTICLE) + "\n", encoding="utf-8")
    (folder / "notes.txt").write_text("my notes", encoding="utf-8")
    (folder / "link-to-elsewhere").symlink_to(tmp_path)
    return folder, articles


def test_staging_beside_the_store_refuses_a_folder_it_does_not_own_and_deletes_nothing(tmp_path, capsys):
    """`eval run --corpus D/news-corpus/articles.jsonl --store D/news` emptied D/news-corpus (its staging
    folder) and turned articles.jsonl into a link to itself."""
    folder, articles = _user_folder(tmp_path)
    before = _snapshot(folder)
    with pytest.raises(CorpusError, match="holds files Newsdesk did not put there"):
        prepare_corpus(articles, folder)
    assert _snapshot(folder) == before
    code = main(
        ["run", "--suite", str(SEED_SUITE), "--corpus", str(articles), "--store", str(folder.parent / "news")]
        + ["--out", str(tmp_path / "run"), "--quiet"]
    )
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1 and err.startswith("error: ") and "choose another --store" in err
    assert _snapshot(folder) == before


def test_the_staging_folder_is_marked_and_only_its_own_copies_change(tmp_path):
    bench = tmp_path / "bench"
    bench.mkdir()
    (bench / "corpus.jsonl").write_text(json.dumps(ARTICLE) + "\n", encoding="utf-8")
    (bench / "corpus_counterfactual.jsonl").write_text(json.dumps(ARTICLE | {"id": "cf"}) + "\n", encoding="utf-8")
    stage = tmp_path / "store-corpus"
    prepare_corpus(bench, stage, with_counterfactual=True)
    assert (stage / STAGING_MARKER).is_file()
    assert not any(p.is_symlink() for p in stage.iterdir())  # copies: the loader follows no link out of a corpus
    assert [a.doc_id for a in load_corpus(stage).articles] == ["a1", "cf"]
    (bench / "corpus.jsonl").write_text(json.dumps(ARTICLE | {"id": "a2"}) + "\n", encoding="utf-8")
    prepare_corpus(bench, stage)  # the counterfactual copy goes, the changed corpus is copied again
    assert sorted(p.name for p in stage.iterdir()) == [STAGING_MARKER, "corpus.jsonl"]
    assert [a.doc_id for a in load_corpus(stage).articles] == ["a2"]
    (stage / "mine.txt").write_text("put here by a person", encoding="utf-8")
    with pytest.raises(CorpusError, match=r"mine\.txt"):
        prepare_corpus(bench, stage)
    assert (stage / "mine.txt").read_text(encoding="utf-8") == "put here by a person"
    assert (bench / "corpus.jsonl").is_file() and (bench / "corpus_counterfactual.jsonl").is_file()


def test_a_staging_folder_of_an_earlier_version_is_adopted_without_touching_the_linked_files(tmp_path):
    bench = tmp_path / "bench"
    bench.mkdir()
    (bench / "corpus.jsonl").write_text(json.dumps(ARTICLE) + "\n", encoding="utf-8")
    stage = tmp_path / "old-corpus"
    stage.mkdir()
    (stage / "corpus.jsonl").symlink_to(bench / "corpus.jsonl")  # how staging looked before the marker
    (stage / "corpus_counterfactual.jsonl").symlink_to(bench / "corpus_counterfactual.jsonl")  # an older run's
    prepare_corpus(bench, stage)
    assert sorted(p.name for p in stage.iterdir()) == [STAGING_MARKER, "corpus.jsonl"]
    assert not (stage / "corpus.jsonl").is_symlink()
    assert (bench / "corpus.jsonl").read_text(encoding="utf-8") == json.dumps(ARTICLE) + "\n"


def test_a_marker_cannot_make_staging_delete_outside_its_folder(tmp_path):
    stage = tmp_path / "stage"
    stage.mkdir()
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me", encoding="utf-8")
    (stage / STAGING_MARKER).write_text("# header\n../victim.txt\n/etc/passwd\n", encoding="utf-8")
    source = tmp_path / "articles.jsonl"
    source.write_text(json.dumps(ARTICLE) + "\n", encoding="utf-8")
    prepare_corpus(source, stage)
    assert victim.read_text(encoding="utf-8") == "keep me"


# --- eval compare and the Eval page on broken input ------------------------------------------------------


def _report() -> dict:
    return {"suite_name": "s", "config": "c", "n_cases": 1, "n_errors": 0, "metrics": {"answer.accuracy": 0.5}}


def test_compare_of_a_non_utf8_report_is_one_line(tmp_path, capsys):
    good = tmp_path / "good"
    good.mkdir()
    (good / "report.json").write_text(json.dumps(_report() | {"rows": []}), encoding="utf-8")
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "report.json").write_bytes(b'{"metrics": {}, "rows": [], "x": "\xff\xfe"}')
    with pytest.raises(SuiteError, match="not UTF-8"):
        load_report(bad)
    assert main(["compare", str(good), str(bad)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("error: ") and "Traceback" not in err


_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3),
    max_leaves=8,
)
_row = st.dictionaries(st.sampled_from(["id", "status", "correct", "type", "question", "x"]), _json, max_size=5)
_report_shapes = st.fixed_dictionaries(
    {"metrics": _json | st.dictionaries(st.sampled_from(["answer.accuracy", "latency.total.p50_ms", "x"]), _json)},
    optional={
        "rows": _json | st.lists(_row | _json, max_size=4),
        "n_cases": _json,
        "n_errors": _json,
        "suite_name": _json,
        "config": _json,
    },
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(_report_shapes)
def test_compare_of_an_oddly_shaped_report_renders_or_is_one_clear_error(tmp_path, shape):
    path = tmp_path / "odd.json"
    path.write_text(json.dumps(shape), encoding="utf-8")
    good = _report() | {"rows": [{"id": "q1", "status": "ok", "correct": True, "type": "single", "question": "?"}]}
    try:
        odd = load_report(path)
    except SuiteError as exc:
        assert "\n" not in str(exc) and str(path) in str(exc)
        return
    text = render_comparison(good, odd) + render_comparison(odd, good)
    assert "A = " in text


def test_a_corrupt_plot_is_one_line_on_the_eval_page_and_the_rest_still_shows(tmp_path, monkeypatch):
    from streamlit.testing.v1 import AppTest

    run = tmp_path / "runs" / "r1"
    run.mkdir(parents=True)
    (run / "report.json").write_text(json.dumps(_report() | {"rows": []}), encoding="utf-8")
    (run / "accuracy_by_type.png").write_bytes(b"\x89PNG\r\n\x1a\n not really")  # a PNG header, then junk
    (run / "hit_at_k.png").write_bytes(os.urandom(512))
    _tiny_png(run / "latency.png")
    script = tmp_path / "eval_app.py"
    script.write_text(
        f"import sys\nsys.path.insert(0, {str(ROOT)!r})\nfrom ui.eval_page import show_eval\nshow_eval()\n"
    )
    monkeypatch.setenv("NEWSDESK_EVAL_RUNS_DIR", str(tmp_path / "runs"))
    at = AppTest.from_file(str(script), default_timeout=60).run()
    assert not at.exception, at.exception
    warnings = [w.value for w in at.warning]
    assert len(warnings) == 2 and all("unreadable" in w and "\n" not in w for w in warnings)
    assert len(at.get("image")) == 1  # the good plot is still shown


def _tiny_png(path: Path) -> None:
    from PIL import Image

    Image.new("RGB", (4, 4), "white").save(path)


# --- passwords in URLs -------------------------------------------------------------------------------------

SECRET = "pw-SECRET-42"


def test_a_password_in_the_base_url_reaches_no_report_and_no_terminal(tmp_path, monkeypatch, capsys):
    """With --judge llm every case errors naming the server, and the settings hold the URL: all masked."""
    monkeypatch.setenv("OPENAI_BASE_URL", f"http://user:{SECRET}@127.0.0.1:9/v1")  # port 9: refused at once
    suite = tmp_path / "one.jsonl"
    suite.write_text("\n".join(SEED_SUITE.read_text(encoding="utf-8").splitlines()[:3]) + "\n", encoding="utf-8")
    config = tmp_path / "fake.json"
    config.write_text(json.dumps({"index": {"embedder": "fake"}}))
    out = tmp_path / "run"
    code = main(
        ["run", "--suite", str(suite), "--corpus", str(ROOT / "data" / "corpus"), "--store", str(tmp_path / "s")]
        + ["--config", str(config), "--judge", "llm", "--out", str(out), "--quiet"]
    )
    printed = capsys.readouterr()
    assert code == 0
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert report["n_errors"] >= 1 and "http://***@127.0.0.1:9/v1" in report["errors"][0]["error"]
    assert report["settings"]["answer"]["openai_base_url"] == "http://***@127.0.0.1:9/v1"
    for text in ((out / "report.json").read_text(), (out / "report.md").read_text(), printed.out, printed.err):
        assert SECRET not in text
    assert "case(s) errored" in printed.out  # the CLI line that quoted the judge's error with the URL
