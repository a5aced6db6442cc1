"""Statistics over replications: means with confidence intervals and paired differences.

Intervals are two-sided 95% Student-t intervals by default (``method="t"``);
``method="bootstrap"`` gives percentile bootstrap intervals from a fixed-seed
resampling, for skewed figures such as counts of rare events. Differences are
paired by seed: scenario B's run on seed k minus scenario A's run on seed k,
which removes the randomness the two runs share (common random numbers).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from scipy import stats

METHODS = ("t", "bootstrap")
#: Seed of the bootstrap resampling, so intervals are reproducible.
BOOTSTRAP_SEED = 12_345


def mean_ci(values, level: float = 0.95, method: str = "t", resamples: int = 2_000) -> tuple[int, float, float, float]:
    """Mean and confidence interval of independent replications.

    Args:
        values: Replication values (NaNs are dropped).
        level: Confidence level.
        method: ``"t"`` (Student t) or ``"bootstrap"`` (percentile).
        resamples: Bootstrap resamples.

    Returns:
        ``(n, mean, low, high)``; the interval is NaN with fewer than two values.
    """
    x = np.asarray(values, dtype=float)
    x = x[~np.isnan(x)]
    n = len(x)
    if n == 0:
        return 0, math.nan, math.nan, math.nan
    mean = float(x.mean())
    if n < 2:
        return n, mean, math.nan, math.nan
    if method == "t":
        half = float(stats.t.ppf(0.5 + level / 2, n - 1) * x.std(ddof=1) / math.sqrt(n))
        return n, mean, mean - half, mean + half
    if method == "bootstrap":
        rng = np.random.default_rng(BOOTSTRAP_SEED)
        means = x[rng.integers(0, n, size=(resamples, n))].mean(axis=1)
        lo, hi = np.quantile(means, [0.5 - level / 2, 0.5 + level / 2])
        return n, mean, float(lo), float(hi)
    raise ValueError(f"ci method = '{method}': must be one of {', '.join(METHODS)}")


def paired_difference(treated, reference, level: float = 0.95, method: str = "t") -> tuple[int, float, float, float]:
    """Mean and CI of ``treated - reference`` over matched replications (same seeds, same order)."""
    d = np.asarray(treated, dtype=float) - np.asarray(reference, dtype=float)
    return mean_ci(d, level, method)


def compare_table(runs: pd.DataFrame, metrics: list[str], scenarios: list[str], *, level: float = 0.95,
                  method: str = "t") -> pd.DataFrame:
    """The tidy comparison table.

    Args:
        runs: One row per (scenario, seed) with the metric columns.
        metrics: Metric columns to summarise.
        scenarios: Scenario order; differences are against the first.
        level: Confidence level.
        method: ``"t"`` or ``"bootstrap"``.

    Returns:
        Columns ``metric, scenario, n, mean, ci_low, ci_high, diff, diff_low, diff_high, n_pairs``.
        The reference scenario's difference is 0 by construction.
    """
    rows = []
    ref_name = scenarios[0]
    for metric in metrics:
        ref = runs.loc[runs["scenario"] == ref_name, ["seed", metric]].set_index("seed")[metric]
        for name in scenarios:
            vals = runs.loc[runs["scenario"] == name, ["seed", metric]].set_index("seed")[metric]
            n, mean, lo, hi = mean_ci(vals.to_numpy(), level, method)
            common = ref.index.intersection(vals.index)
            if name == ref_name:
                dn, d, dlo, dhi = len(common), 0.0, 0.0, 0.0
            else:
                dn, d, dlo, dhi = paired_difference(vals.loc[common].to_numpy(), ref.loc[common].to_numpy(), level,
                                                    method)
            rows.append({"metric": metric, "scenario": name, "n": n, "mean": mean, "ci_low": lo, "ci_high": hi,
                         "diff": d, "diff_low": dlo, "diff_high": dhi, "n_pairs": dn})
    return pd.DataFrame(rows)
