"""`python -m eval claims`: the verifier's claim suite, judged with a fake embedder or words only."""

from __future__ import annotations

import json

import pytest

from eval import claims as claims_mod
from eval.__main__ import main
from eval.claims import DEFAULT_SEED_CORPUS, ClaimsError, claim_metrics, load_contexts, run_claims
from eval.suite import load_claims
from index.embedders.fake import FakeEmbedder
from tests.conftest import RGB_DIR, ROOT

SUITE = ROOT / "eval" / "suites" / "claims.jsonl"

# (kind, label, claim, evidence): what words alone (no embedder) must do with each is known.
HANDMADE = [
    (
        "exact",
        "supported",
        "The bridge reopened on Monday after repairs.",
        "The bridge reopened on Monday after repairs.",
    ),
    (  # a paraphrase too far from the words for word overlap alone: missed (a false negative)
        "paraphrase",
        "supported",
        "Traffic crossing the river may use the span again since the start of the week.",
        "The bridge reopened on Monday after repairs.",
    ),
    (
        "negation",
        "contradicted",
        "The bridge did not reopen on Monday.",
        "The bridge reopened on Monday after repairs.",
    ),
    ("number", "contradicted", "Repairs cost 40 million euros.", "Repairs cost 14 million euros, the city said."),
    (
        "unrelated",
        "unsupported",
        "The mayor resigned over a budget dispute.",
        "The bridge reopened on Monday after repairs.",
    ),
    (  # an opposite no rule knows: kept (a false positive)
        "antonym",
        "contradicted",
        "The talks between the unions and the city were productive.",
        "The talks between the unions and the city were fruitless.",
    ),
]


def _write_suite(path, rows=HANDMADE, split="dev"):
    lines = [
        {"id": f"claim-t-{i:03d}", "claim": c, "evidence": e, "doc_id": "t-doc", "label": label, "kind": kind}
        | {"split": split}
        for i, (kind, label, c, e) in enumerate(rows)
    ]
    path.write_text("".join(json.dumps(r) + "\n" for r in lines), encoding="utf-8")
    return path


def test_precision_recall_per_kind_rates_and_targets_on_a_handmade_suite(tmp_path):
    suite = _write_suite(tmp_path / "claims.jsonl")
    report = run_claims(suite, embedder=False, out=tmp_path / "out", show_progress=False)
    by_kind = {r["kind"]: r for r in report.rows}
    assert [by_kind[k]["supported"] for k in ("exact", "paraphrase", "negation", "number", "unrelated", "antonym")] == [
        True,
        False,
        False,
        False,
        False,
        True,
    ]
    m = report.metrics
    assert m["supported.precision"] == 0.5 and m["supported.recall"] == 0.5 and m["supported.f1"] == 0.5
    assert m["kept.exact"] == 1.0 and m["kept.paraphrase"] == 0.0
    assert m["rejected.negation"] == 1.0 and m["rejected.number"] == 1.0 and m["rejected.antonym"] == 0.0
    assert m["target.contradictions_rejected"] == 1.0 and report.metric_counts["target.contradictions_rejected"] == 2
    assert m["target.paraphrases_kept"] == 0.0
    assert m["rejected.name"] is None and report.metric_counts["rejected.name"] == 0  # no such pair: no number
    assert report.targets_met() == {"target.contradictions_rejected": True, "target.paraphrases_kept": False}
    assert by_kind["negation"]["outcome"] == "says otherwise" and by_kind["unrelated"]["outcome"] in (
        "low support",
        "does not state",
    )
    assert any("without context" in note for note in report.notes)  # "t-doc" is in no corpus

    data = json.loads((tmp_path / "out" / "report.json").read_text(encoding="utf-8"))
    assert data["metrics"] == m and data["n_errors"] == 0 and data["embedder"] == "none (words only)"
    md = (tmp_path / "out" / "report.md").read_text(encoding="utf-8")
    for heading in ("## Targets", "## Supported: precision and recall", "## Per kind", "## Confusion", "## Misjudged"):
        assert heading in md
    assert "claim-t-001" in md and "claim-t-005" in md and "claim-t-000 " not in md  # only the misjudged are listed


@pytest.mark.parametrize("calibrated", [False, True])
def test_a_slice_of_the_real_suite_with_the_fake_embedder_gives_a_consistent_report(tmp_path, monkeypatch, calibrated):
    if calibrated:  # as if the verifier had been calibrated with the fake: its similarity is used
        monkeypatch.setattr(claims_mod.support, "CALIBRATED_EMBEDDER", FakeEmbedder.name)
    report = run_claims(
        SUITE, split="dev", embedder=FakeEmbedder(), out=tmp_path / "out", show_progress=False, limit=30
    )
    assert report.n_cases == 30 and report.n_errors == 0 and report.embedder == "fake"
    # the pairs are judged as the verifier judges with this embedder: by meaning only with a calibrated one
    assert all((r["semantic"] is not None) == calibrated for r in report.rows)
    assert report.threshold == (claims_mod.support.SUPPORT_THRESHOLD if calibrated else 0.6)
    assert any("judged by words and rules" in n for n in report.notes) != calibrated
    metrics, counts, confusion = claim_metrics(report.rows)
    assert metrics == report.metrics and confusion == report.confusion
    for kind, row in confusion.items():  # every pair has exactly one outcome
        assert sum(row.values()) == sum(r["kind"] == kind for r in report.rows)
    kept = sum(r["supported"] for r in report.rows)
    right = sum(r["supported"] and r["label"] == "supported" for r in report.rows)
    assert report.metrics["supported.precision"] == pytest.approx(right / kept)
    md = (tmp_path / "out" / "report.md").read_text(encoding="utf-8")
    assert all(r["id"] in md for r in report.rows if not r["correct"])


def test_an_errored_pair_is_listed_and_left_out_of_every_number(tmp_path, monkeypatch):
    suite = _write_suite(tmp_path / "claims.jsonl")
    real = claims_mod.support.judge_claim

    def flaky(claim, *args, **kwargs):
        if "mayor" in claim:
            raise RuntimeError("boom")
        return real(claim, *args, **kwargs)

    monkeypatch.setattr(claims_mod.support, "judge_claim", flaky)
    report = run_claims(suite, embedder=False, out=tmp_path / "out", show_progress=False)
    assert report.n_errors == 1 and report.errors[0] == {"id": "claim-t-004", "error": "RuntimeError: boom"}
    assert report.metric_counts["rejected.unrelated"] == 0 and report.metrics["rejected.unrelated"] is None
    assert "claim-t-004" in (tmp_path / "out" / "report.md").read_text(encoding="utf-8").split("## Targets")[0]


def test_a_planted_instruction_sits_in_its_article_where_the_case_says():
    planted = [c for c in load_claims(SUITE).claims if c.kind == "instruction" and not c.doc_id.startswith("rgb_")]
    contexts, notes = load_contexts(planted[:2], DEFAULT_SEED_CORPUS, RGB_DIR / "corpus.jsonl")
    for c in planted[:2]:
        text = contexts[c.id]
        assert f"{c.extra['planted_after']} {c.evidence}" in text
    assert not notes


def test_calibration_runs_on_dev_only_and_chooses_from_its_sweep(tmp_path):
    suite = _write_suite(tmp_path / "claims.jsonl")
    with pytest.raises(ClaimsError, match="dev split"):
        run_claims(_write_suite(tmp_path / "t.jsonl", split="test"), split="test", do_calibrate=True, embedder=False)
    report = run_claims(suite, split="dev", embedder=FakeEmbedder(), do_calibrate=True, show_progress=False)
    chosen = report.calibration["chosen"]
    assert chosen in report.calibration["table"] and len(report.calibration["table"]) == 2 * len(claims_mod.WEIGHTS)
    assert (report.claim_as, report.lexical_weight, report.threshold) == (
        chosen["claim_as"],
        chosen["lexical_weight"],
        chosen["threshold"],
    )


def test_the_command_line_prints_a_summary_and_refuses_bad_options_in_one_line(tmp_path, capsys):
    suite = _write_suite(tmp_path / "claims.jsonl")
    out = tmp_path / "out"
    assert main(["claims", "--suite", str(suite), "--embedder", "none", "--out", str(out), "--quiet"]) == 0
    printed = capsys.readouterr().out
    assert "supported precision 0.500  recall 0.500" in printed and f"report: {out}/report.md" in printed
    assert (out / "report.json").is_file()
    code = main(["claims", "--suite", str(suite), "--split", "test", "--calibrate", "--embedder", "none", "--quiet"])
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1 and "error:" in err
