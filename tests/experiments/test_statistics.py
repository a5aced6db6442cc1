"""Confidence intervals: t intervals match scipy, bootstrap is reproducible, pairing on common seeds pays."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

from ecosim.experiments import Variant, compare
from ecosim.experiments.statistics import mean_ci, paired_difference


def test_t_interval_matches_scipy():
    x = np.array([1.0, 2.5, 3.0, 4.5, 2.0])
    n, mean, lo, hi = mean_ci(x)
    ref = stats.t.interval(0.95, len(x) - 1, loc=x.mean(), scale=stats.sem(x))
    assert n == 5 and mean == pytest.approx(x.mean())
    assert (lo, hi) == pytest.approx(ref)


def test_interval_is_undefined_below_two_values_and_nans_are_dropped():
    assert math.isnan(mean_ci([3.0])[2])
    assert mean_ci([1.0, float("nan"), 3.0])[:2] == (2, 2.0)


def test_bootstrap_interval_is_reproducible_and_contains_the_mean():
    x = np.random.default_rng(0).exponential(size=40)
    a = mean_ci(x, method="bootstrap")
    assert a == mean_ci(x, method="bootstrap")
    assert a[2] < a[1] < a[3]


def test_paired_difference_removes_shared_noise():
    rng = np.random.default_rng(1)
    shared = rng.normal(0, 10, 30)
    a, b = shared, shared + 1 + rng.normal(0, 0.1, 30)
    _, d, lo, hi = paired_difference(b, a)
    assert lo < 1 < hi and hi - lo < 0.2


def test_common_seeds_give_narrower_difference_intervals_than_independent_seeds():
    """A small policy change shares almost all randomness with the baseline: pairing must shrink the CI."""
    scenarios = ["baseline", Variant("pool_60", "baseline", {"pool.share": 0.6})]
    metrics = ["firms_alive", "total_new_loans", "patents"]
    kw = dict(seeds=5, months=24, firms=300, progress=False, metrics=metrics)
    paired = compare(scenarios, paired=True, **kw).table.query("scenario == 'pool_60'")
    independent = compare(scenarios, paired=False, **kw).table.query("scenario == 'pool_60'")
    width_paired = (paired["diff_high"] - paired["diff_low"]).to_numpy()
    width_indep = (independent["diff_high"] - independent["diff_low"]).to_numpy()
    assert (width_paired < width_indep).all(), (width_paired, width_indep)
