"""The reader's refusal threshold: the most accurate one within the false-refusal budget."""

from eval.train_reader import choose_threshold


def _curve(rows):
    return [{"threshold": t, "accuracy": a, "false_refusals": f} for t, a, f in rows]


def test_a_more_accurate_threshold_that_refuses_too_many_answerable_questions_is_not_taken():
    curve = _curve([(0.3, 0.60, 0.02), (0.4, 0.65, 0.05), (0.5, 0.66, 0.08), (0.6, 0.70, 0.15)])
    assert choose_threshold(curve, budget=0.08) == 0.5


def test_the_middle_of_a_plateau_of_equal_accuracy_is_taken():
    curve = _curve([(0.2, 0.65, 0.0), (0.3, 0.65, 0.01), (0.4, 0.65, 0.02), (0.5, 0.60, 0.03)])
    assert choose_threshold(curve, budget=0.08) == 0.3


def test_when_every_threshold_is_over_budget_the_lowest_is_taken():
    curve = _curve([(0.1, 0.5, 0.2), (0.2, 0.6, 0.3)])
    assert choose_threshold(curve, budget=0.08) == 0.1


def test_a_lone_spike_loses_to_a_broad_high_region():
    """One question crossing between two thresholds makes a spike; the choice should not follow it."""
    curve = _curve(
        [
            (0.2, 0.60, 0.01),
            (0.3, 0.66, 0.02),
            (0.4, 0.60, 0.03),
            (0.5, 0.64, 0.04),
            (0.6, 0.65, 0.05),
            (0.7, 0.64, 0.06),
            (0.8, 0.60, 0.12),
        ]
    )
    assert choose_threshold(curve, budget=0.08) == 0.6
