"""The runner on the real seed corpus with the fast MiniLM index: rows, errors, report files, compare, CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from eval import compare_reports, load_report, load_suite
from eval.__main__ import main
from eval.compare import render_comparison
from eval.judge import LLMJudge, OfflineJudge
from eval.report import PLOTS, write_report
from eval.runner import load_config, prepare_corpus, run_suite
from eval.suite import Suite
from index.embedders.fake import FakeEmbedder
from newsdesk.errors import CorpusError, GeneratorUnavailable, SettingsError, SuiteError
from rag.llms.fake import FakeGenerator

ROOT = Path(__file__).resolve().parents[2]
SEED = ROOT / "eval" / "suites" / "seed.jsonl"


def _subset(ids: list[str]) -> Suite:
    suite = load_suite(SEED)
    return Suite(path=suite.path, cases=tuple(c for c in suite.cases if c.id in ids))


@pytest.fixture(scope="module")
def small_report(minilm_seed_index):
    # two answerable singles, a follow-up, an unanswerable and a conflict case
    suite = _subset(["seed-002", "seed-006", "seed-046", "seed-061", "seed-074"])
    return run_suite(suite, minilm_seed_index.settings, news_index=minilm_seed_index, show_progress=False)


def test_a_run_scores_every_case_with_its_answer_and_verdicts(small_report):
    r = small_report
    assert r.n_cases == 5 and r.n_errors == 0 and r.n_scored == 5
    rows = {row["id"]: row for row in r.rows}
    novak = rows["seed-002"]
    assert novak["status"] == "ok" and novak["correct"] and "Novak" in novak["answer"]
    assert novak["citations"] and novak["citations"][0]["doc_id"] == "000_d5ae959b64b4b853"
    assert novak["hit_rank"] == 1 and novak["retrieved"][0] == "000_d5ae959b64b4b853"
    assert all(s["judge_supported"] for s in novak["sentences"])
    assert "Diaoyutai" in rows["seed-046"]["standalone_question"]  # the follow-up used its history
    assert 0.0 <= r.metrics["answer.accuracy"] <= 1.0
    for name in (
        "retrieval.hit@1",
        "retrieval.hit@10",
        "retrieval.mrr@10",
        "retrieval.recall@10",
        "citation.recall",
        "citation.precision",
        "refusal.false_refusal_rate",
        "latency.total.p95_ms",
    ):
        assert r.metrics[name] is not None, name
    assert r.metric_counts["refusal.recall"] == 1 and r.metric_counts["conflict_detection.recall"] == 1
    assert set(r.by_type) == {"single", "followup", "unanswerable", "conflict"}
    assert r.by_type["single"]["n"] == 2
    assert "offline-lexical+embedding" in r.judge and r.index["embedder"].startswith("minilm-onnx")


def test_an_errored_case_is_reported_not_scored(minilm_seed_index, tmp_path):
    suite = load_suite(SEED)
    too_long = suite.cases[1].__class__(**{**suite.cases[1].__dict__, "id": "long", "question": "x" * 2100})
    report = run_suite(
        Suite(suite.path, (suite.cases[0], too_long)),
        minilm_seed_index.settings,
        news_index=minilm_seed_index,
        show_progress=False,
    )
    assert report.n_errors == 1 and report.n_scored == 1
    assert report.errors == [
        {"id": "long", "error": "QuestionError: the question is 2,100 characters long; the limit is 2,000"}
    ]
    assert report.metric_counts["answer.accuracy"] == 1  # the error is not averaged in as a 0
    write_report(report, tmp_path)
    assert "**1 of 2 cases errored**" in (tmp_path / "report.md").read_text()


def test_the_report_files_and_compare(small_report, tmp_path):
    written = write_report(small_report, tmp_path / "a")
    names = {p.name for p in written}
    assert names == {"report.json", "report.md", *PLOTS}
    assert all((tmp_path / "a" / p).read_bytes()[:4] == b"\x89PNG" for p in PLOTS)
    data = load_report(tmp_path / "a")
    assert data["metrics"]["answer.accuracy"] == small_report.metrics["answer.accuracy"]
    md = (tmp_path / "a" / "report.md").read_text()
    assert "| answer.accuracy |" in md and "citation support judge" in md
    # B: the same run with one verdict flipped
    other = json.loads(json.dumps(data))
    other["rows"][0]["correct"] = not other["rows"][0]["correct"]
    other["metrics"]["answer.accuracy"] += 0.2
    deltas, flips = compare_reports(data, other)
    assert [f.id for f in flips] == [data["rows"][0]["id"]]
    acc = next(d for d in deltas if d.name == "answer.accuracy")
    assert acc.delta == pytest.approx(0.2) and acc.better
    text = render_comparison(data, other, "a", "b")
    assert "answer.accuracy" in text and "+0.200" in text and data["rows"][0]["id"] in text


def test_a_generated_answer_is_scored_with_the_judge(minilm_seed_index):
    """A (fake) model's reply goes through the verifier; the judge then scores its citations."""
    from rag.retrieve import hybrid_retrieve

    suite = _subset(["seed-002"])
    passages = hybrid_retrieve(
        suite.cases[0].question, news_index=minilm_seed_index, settings=minilm_seed_index.settings
    ).passages
    good = next(i for i, p in enumerate(passages, 1) if "Novak" in p.text)
    reply = f"Russian Deputy Energy Minister Alexander Novak said energy exports to India increased by 15% [{good}]."
    generator = FakeGenerator([reply])
    report = run_suite(
        suite, minilm_seed_index.settings, news_index=minilm_seed_index, show_progress=False, generator=generator
    )
    row = report.rows[0]
    assert len(generator.calls) == 1
    assert row["status"] == "ok" and row["backend"] == "fake-llm" and row["correct"]
    assert row["sentences"][0]["judge_supported"] and row["citations"][0]["doc_id"] == passages[good - 1].doc_id
    assert report.metrics["citation.recall"] == 1.0 and report.metrics["citation.precision"] == 1.0
    assert report.backends == {"fake-llm": 1}


def test_offline_judge_thresholds():
    judge = OfflineJudge()
    quote = "Russian Deputy Energy Minister Alexander Novak stated that energy exports to India increased by 15%"
    assert judge.supports("Novak said energy exports to India increased by 15%.", [quote])
    assert not judge.supports("Novak said energy exports to India increased by 40%.", [quote])  # number differs
    assert not judge.supports("Kim Jong Un travelled by armoured train.", [quote])
    blended = OfflineJudge(FakeEmbedder())
    assert blended.supports("Novak said energy exports to India increased by 15%.", [quote])
    assert "0.75 * lexical_support" in blended.describe()


class _FakeChat:
    """The slice of the openai client the LLM judge uses: canned replies and a record of prompts."""

    def __init__(self, replies):
        self.replies, self.prompts = list(replies), []
        self.chat = self
        self.completions = self

    def create(self, **kwargs):
        self.prompts.append(kwargs["messages"][0]["content"])
        reply = self.replies.pop(0)
        if isinstance(reply, Exception):
            raise reply
        message = type("M", (), {"content": reply})
        return type("R", (), {"choices": [type("C", (), {"message": message})]})


def test_llm_judge_parses_yes_no_and_fails_clearly():
    client = _FakeChat(["Yes.", "no", "maybe", TimeoutError("timed out")])
    judge = LLMJudge("http://127.0.0.1:1/v1", "tiny", client=client)
    assert judge.supports("Kim met Putin.", ["Kim met Putin in Beijing."])
    assert judge.supports("Kim met Putin.", ["Kim met Putin in Beijing."])  # cached: no second call
    assert not judge.supports("Kim met Biden.", ["Kim met Putin in Beijing."])
    assert "Premise: Kim met Putin in Beijing." in client.prompts[0]
    with pytest.raises(GeneratorUnavailable, match="not yes or no"):
        judge.supports("x", ["y"])
    with pytest.raises(GeneratorUnavailable, match="gave no verdict"):
        judge.supports("x y", ["z"])


def test_configs_and_corpus_staging(tmp_path):
    assert load_config("dense") == ("dense", {"retrieval": {"mode": "dense"}})
    assert load_config(None) == ("default", {})
    with pytest.raises(SettingsError, match="config 'nope' not found"):
        load_config("nope")
    bench = tmp_path / "bench"
    bench.mkdir()
    for name in ("corpus.jsonl", "corpus_counterfactual.jsonl", "suite.jsonl", "README.md"):
        (bench / name).write_text("{}\n")
    staged = prepare_corpus(bench, tmp_path / "stage")
    assert sorted(p.name for p in staged.iterdir()) == [".newsdesk-staging", "corpus.jsonl"]
    staged = prepare_corpus(bench, tmp_path / "stage", with_counterfactual=True)
    names = sorted(p.name for p in staged.iterdir())
    assert names == [".newsdesk-staging", "corpus.jsonl", "corpus_counterfactual.jsonl"]
    plain = tmp_path / "plain"
    plain.mkdir()
    assert prepare_corpus(plain, tmp_path / "stage2") == plain
    with pytest.raises(CorpusError, match="--with-counterfactual"):
        prepare_corpus(plain, tmp_path / "stage2", with_counterfactual=True)


def test_cli_runs_a_suite_end_to_end_with_the_fake_embedder(tmp_path, capsys):
    suite = tmp_path / "mini.jsonl"
    rows = [json.loads(line) for line in SEED.read_text().splitlines()[:3]]
    suite.write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    config = tmp_path / "fake.json"
    config.write_text(json.dumps({"index": {"embedder": "fake"}}))
    corpus = ROOT / "data" / "corpus"
    code = main(
        [
            "run",
            "--suite",
            str(suite),
            "--corpus",
            str(corpus),
            "--store",
            str(tmp_path / "store"),
            "--config",
            str(config),
            "--out",
            str(tmp_path / "run"),
            "--quiet",
        ]
    )
    assert code == 0
    out = capsys.readouterr().out
    assert "mini [fake]: 3 cases, 3 scored, 0 errors" in out
    report = load_report(tmp_path / "run")
    assert report["index"]["embedder"] == "fake" and report["config"] == "fake"
    assert main(["compare", str(tmp_path / "run"), str(tmp_path / "run")]) == 0
    assert "No case flipped." in capsys.readouterr().out


@pytest.mark.parametrize(
    "argv, message",
    [
        (["run", "--suite", "missing.jsonl", "--out", "x"], "error: missing.jsonl: suite file not found"),
        (["compare", "nowhere", "nowhere"], "error: nowhere: no report found"),
    ],
)
def test_cli_errors_are_one_line_and_exit_2(argv, message, capsys):
    assert main(argv) == 2
    err = capsys.readouterr().err.strip()
    assert err == message or err.startswith(message)
    assert "\n" not in err


def test_unknown_doc_ids_stop_the_run(minilm_seed_index, tmp_path):
    path = tmp_path / "bad.jsonl"
    row = json.loads(SEED.read_text().splitlines()[0]) | {"sources": ["999_nope"]}
    path.write_text(json.dumps(row) + "\n")
    with pytest.raises(SuiteError, match="line 1: unknown doc id"):
        run_suite(load_suite(path), minilm_seed_index.settings, news_index=minilm_seed_index, show_progress=False)
