"""Intervals respect the bounds of counts and shares, name their method, and metric names fail fast."""

from __future__ import annotations

import time

import numpy as np
import pytest

from ecosim.experiments import compare
from ecosim.experiments.statistics import compare_table, metric_bounds, metric_ci, resolve_method
from ecosim.experiments.sweeps import sweep
from ecosim.scenario import ScenarioError


def test_figures_are_classified_by_their_names():
    assert metric_bounds("total_defaults") == (0.0, np.inf)
    assert metric_bounds("survival_share") == (0.0, 1.0)
    assert metric_bounds("mean_npl_ratio") == (0.0, 1.0)
    assert metric_bounds("approval_rate_age_0_1") == (0.0, 1.0)
    assert metric_bounds("credit_per_public_yuan") == (0.0, np.inf)
    assert metric_bounds("fund_irr_median") == (-np.inf, np.inf)
    assert resolve_method("auto", "total_defaults") == "bca"
    assert resolve_method("auto", "fund_irr_median") == "t"


@pytest.mark.parametrize("seed", range(25))
def test_a_count_interval_never_goes_below_zero_where_t_does(seed):
    """Rare-event counts over three seeds, e.g. defaults 0, 0, 3: the t interval dips below 0."""
    rng = np.random.default_rng(seed)
    x = rng.poisson(0.7, size=3).astype(float)
    n, mean, lo, hi, used = metric_ci(x, "total_defaults")
    assert used == "bca"
    assert 0 <= lo <= mean <= hi or np.isnan(lo)


def test_the_t_interval_of_such_a_count_is_negative_so_the_check_can_fail():
    x = np.array([0.0, 0.0, 3.0])
    assert metric_ci(x, "total_defaults", method="t")[2] < 0
    assert metric_ci(x, "total_defaults")[2] >= 0


@pytest.mark.parametrize("seed", range(25))
def test_a_share_interval_stays_within_zero_and_one(seed):
    rng = np.random.default_rng(100 + seed)
    x = np.clip(rng.choice([0.0, 0.98, 1.0, 0.02], size=4), 0, 1)
    n, mean, lo, hi, used = metric_ci(x, "survival_share")
    assert 0.0 <= lo <= hi <= 1.0


def test_bca_is_reproducible_and_covers_the_mean_of_a_skewed_sample():
    x = np.random.default_rng(3).exponential(size=30)
    a = metric_ci(x, "total_new_loans")
    assert a == metric_ci(x, "total_new_loans")
    assert a[2] < a[1] < a[3]


def test_the_comparison_table_names_the_method_of_every_interval():
    import pandas as pd

    runs = pd.DataFrame({"scenario": ["a"] * 3 + ["b"] * 3, "seed": [1, 2, 3] * 2,
                         "total_defaults": [0, 0, 3, 1, 0, 2], "fund_irr_median": [0.1, -0.2, 0.05, 0, 0.1, 0.2]})
    t = compare_table(runs, ["total_defaults", "fund_irr_median"], ["a", "b"])
    assert dict(zip(t["metric"], t["ci_method"], strict=False)) == {"total_defaults": "bca", "fund_irr_median": "t"}
    assert (t.loc[t["metric"] == "total_defaults", "ci_low"] >= 0).all()
    assert set(t["diff_method"]) == {"t"}


def test_an_unknown_metric_fails_before_any_run_and_quickly(tmp_path):
    start = time.perf_counter()
    with pytest.raises(ScenarioError, match="unknown metric.*total_defualts.*did you mean total_defaults"):
        compare(["baseline", "no_policy"], seeds=3, months=120, firms=2000, metrics=["total_defualts"],
                out=tmp_path / "c", progress=False)
    elapsed = time.perf_counter() - start
    assert not (tmp_path / "c" / "runs").exists()  # nothing ran
    assert elapsed < 5.0, elapsed  # under a second on a quiet machine; a full run takes several
    with pytest.raises(ScenarioError, match="unknown metric"):
        sweep("baseline", ["pool.share=0.2:0.8:2"], seeds=2, metrics=["nope"], out=tmp_path / "s", progress=False)
    assert not (tmp_path / "s" / "runs").exists()
