"""The metric label registry: every metric the model reports has a human name, unit and direction in both languages."""

from __future__ import annotations

import pytest

from ecosim.experiments.compare import HEADLINE_METRICS
from ecosim.outputs.labels import (METRIC_LABELS, SHARE, UnknownMetricError, good_direction, judge_change,
                                   metric_label, metric_name)
from ecosim.outputs.metrics import METRIC_NAMES
from ecosim.runner import SUMMARY_LAST, SUMMARY_SUM
from ecosim.viz.brief import BRIEF_METRICS, LOSS_METRICS


def test_every_monthly_metric_has_its_own_label():
    """A metric added to outputs/metrics.py fails here until it is named in outputs/labels.py."""
    missing = [name for name in METRIC_NAMES if name not in METRIC_LABELS]
    assert not missing, f"metrics without a label in ecosim.outputs.labels.METRIC_LABELS: {missing}"


@pytest.mark.parametrize("key", sorted({*SUMMARY_LAST, *(f"total_{k}" for k in SUMMARY_SUM), *BRIEF_METRICS,
                                        *LOSS_METRICS, *HEADLINE_METRICS}))
def test_summary_figures_shown_to_people_have_labels(key):
    lab = metric_label(key)
    assert lab.en and lab.zh and lab.en != key
    assert not lab.zh.isascii(), f"{key}: Chinese name {lab.zh!r} has no Chinese"


def test_names_carry_units_in_both_languages():
    assert metric_name("loan_balance", unit=True) == "Loan balance (m yuan)"
    assert metric_name("loan_balance", "zh", unit=True) == "贷款余额（百万元）"
    assert metric_label("npl_ratio").unit is SHARE and metric_label("mean_npl_ratio").unit is SHARE
    assert metric_name("total_new_loans") == "Loans paid out"


def test_directions_are_declared_for_the_judged_figures():
    assert good_direction("npl_ratio") is False and good_direction("mean_npl_ratio") is False
    assert good_direction("total_defaults") is False and good_direction("total_loss_bank") is False
    assert good_direction("total_new_loans") is True and good_direction("survival_share") is True
    assert good_direction("total_public_spending") is None
    assert judge_change("mean_npl_ratio", -0.03, -0.01) == "good"
    assert judge_change("total_defaults", 2, 9) == "bad"


def test_an_unknown_metric_is_named_as_missing():
    with pytest.raises(UnknownMetricError, match="no label"):
        metric_label("not_a_metric")
    assert metric_name("not_a_metric") == "not_a_metric"
