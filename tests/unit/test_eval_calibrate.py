"""The refusal-threshold sweep and its pick (pure functions)."""

from __future__ import annotations

from types import SimpleNamespace

from eval.calibrate import pick_threshold, sweep


def _case(answerable):
    return SimpleNamespace(answerable=answerable)


def test_sweep_counts_correct_answers_and_refusals():
    rows = [
        (_case(True), 0.60, True),
        (_case(True), 0.45, True),
        (_case(True), 0.70, False),
        (_case(False), 0.30, False),
    ]
    table = {round(r["threshold"], 2): r for r in sweep(rows)}
    assert table[0.3]["accuracy"] == 2 / 3 and table[0.3]["refusal_recall"] == 0.0
    assert table[0.31]["refusal_recall"] == 1.0 and table[0.31]["overall"] == (2 + 1) / 4
    assert table[0.5]["accuracy"] == 1 / 3


def test_pick_is_the_middle_of_the_widest_best_run():
    table = [
        {"threshold": t / 100, "overall": o}
        for t, o in [(30, 0.5), (31, 0.8), (32, 0.8), (33, 0.8), (34, 0.6), (35, 0.8), (36, 0.5)]
    ]
    assert pick_threshold(table)["threshold"] == 0.32
