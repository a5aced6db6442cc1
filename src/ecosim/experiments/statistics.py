"""Statistics over replications: means with confidence intervals that respect bounds, and paired differences.

Methods of an interval (the method used is named in every table, column ``ci_method``):

- ``t``: two-sided Student-t interval. Right for figures without bounds; for a
  count or a share it can leave the possible range (a count's interval below
  zero with three seeds).
- ``bca``: bias-corrected and accelerated bootstrap (``scipy.stats.bootstrap``,
  fixed-seed resampling). Its ends are means of resamples, so they lie within
  the range of the observed values: a count's interval never goes below 0 and
  a share's stays within [0, 1].
- ``bootstrap``: percentile bootstrap (same resampling).
- ``auto`` (the default of comparisons): ``bca`` for figures with a bound (counts,
  amounts, shares: see :func:`metric_bounds`), ``t`` otherwise.

Differences are paired by seed: scenario B's run on seed k minus scenario A's
run on seed k, which removes the randomness the two runs share (common random
numbers). They have no bound of their own; under ``auto`` they use ``t``.

Metric names are checked before any run starts (:func:`check_metric_names`):
a probe run of the first scenario, two months of a few dozen firms, lists the
summary keys a run produces.
"""

from __future__ import annotations

import functools
import json
import math
import re
import warnings
from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd
from scipy import stats

METHODS = ("auto", "t", "bca", "bootstrap")
#: Seed of the bootstrap resampling, so intervals are reproducible.
BOOTSTRAP_SEED = 12_345

#: Summary keys that can be negative (no bound): everything else the model reports is a count,
#: an amount of money, a ratio of amounts or a share.
UNBOUNDED_METRICS: frozenset[str] = frozenset({"fund_irr_median", "bank_score_mean", "revenue_growth"})
_SHARE = re.compile(r"(^|_)(share|rate|ratio|auc)(_|$)|^approval_rate|^deal_share")
_NOT_SHARE = re.compile(r"_per_|^applications_per")


def metric_bounds(name: str) -> tuple[float, float]:
    """The range a summary figure can take: ``(0, 1)`` for shares, ``(0, inf)`` for counts and amounts.

    The kind is read from the name, as the model names its figures: ``*_share``, ``*_rate``,
    ``*_ratio`` and ``*_auc`` are shares; ratios of amounts (``credit_per_public_yuan``) and
    every other figure are non-negative, except those in :data:`UNBOUNDED_METRICS`.
    """
    if name in UNBOUNDED_METRICS:
        return -math.inf, math.inf
    if _SHARE.search(name) and not _NOT_SHARE.search(name):
        return 0.0, 1.0
    return 0.0, math.inf


def resolve_method(method: str, metric: str | None) -> str:
    """The interval method used for a metric: ``auto`` becomes ``bca`` for bounded figures, else ``t``."""
    if method not in METHODS:
        raise ValueError(f"ci method = '{method}': must be one of {', '.join(METHODS)}")
    if method != "auto":
        return method
    if metric is None:
        return "t"
    low, high = metric_bounds(metric)
    return "bca" if math.isfinite(low) or math.isfinite(high) else "t"


def mean_ci(values, level: float = 0.95, method: str = "t", resamples: int = 2_000,
            bounds: tuple[float, float] | None = None) -> tuple[int, float, float, float]:
    """Mean and confidence interval of independent replications.

    Args:
        values: Replication values (NaNs are dropped).
        level: Confidence level.
        method: ``"t"``, ``"bca"`` or ``"bootstrap"`` (``"auto"`` here means ``"bca"`` when
            ``bounds`` are given, else ``"t"``).
        resamples: Bootstrap resamples.
        bounds: The figure's possible range; bootstrap interval ends are kept inside it (a ``t``
            interval is returned as it is, so it shows when it leaves the range).

    Returns:
        ``(n, mean, low, high)``; the interval is NaN with fewer than two values.
    """
    if method == "auto":
        method = "bca" if bounds is not None else "t"
    if method not in METHODS:
        raise ValueError(f"ci method = '{method}': must be one of {', '.join(METHODS)}")
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
        lo, hi = mean - half, mean + half
    elif np.ptp(x) == 0:
        lo = hi = mean  # every replication alike: resampling cannot vary
    elif method == "bootstrap":
        rng = np.random.default_rng(BOOTSTRAP_SEED)
        means = x[rng.integers(0, n, size=(resamples, n))].mean(axis=1)
        lo, hi = (float(q) for q in np.quantile(means, [0.5 - level / 2, 0.5 + level / 2]))
    else:
        lo, hi = _bca(x, level, resamples)
    if bounds is not None and method != "t":  # resampled means lie within the data; guard rounding only
        lo, hi = float(np.clip(lo, *bounds)), float(np.clip(hi, *bounds))
    return n, mean, lo, hi


def _bca(x: np.ndarray, level: float, resamples: int) -> tuple[float, float]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # scipy warns on degenerate resamples; handled below
        res = stats.bootstrap((x,), np.mean, confidence_level=level, n_resamples=resamples, method="BCa",
                              random_state=np.random.default_rng(BOOTSTRAP_SEED), vectorized=True)
    lo, hi = float(res.confidence_interval.low), float(res.confidence_interval.high)
    if not (math.isfinite(lo) and math.isfinite(hi)):  # too few distinct values for BCa: percentile
        means = x[np.random.default_rng(BOOTSTRAP_SEED).integers(0, len(x), size=(resamples, len(x)))].mean(axis=1)
        lo, hi = (float(q) for q in np.quantile(means, [0.5 - level / 2, 0.5 + level / 2]))
    return lo, hi


def metric_ci(values, metric: str, level: float = 0.95, method: str = "auto") -> tuple[int, float, float, float, str]:
    """:func:`mean_ci` of one summary figure, with the method chosen for it and its bounds kept.

    Returns:
        ``(n, mean, low, high, method used)``.
    """
    used = resolve_method(method, metric)
    low, high = metric_bounds(metric)
    bounds = (low, high) if math.isfinite(low) or math.isfinite(high) else None
    n, mean, lo, hi = mean_ci(values, level, used, bounds=bounds)
    return n, mean, lo, hi, used


def paired_difference(treated, reference, level: float = 0.95, method: str = "t") -> tuple[int, float, float, float]:
    """Mean and CI of ``treated - reference`` over matched replications (same seeds, same order)."""
    d = np.asarray(treated, dtype=float) - np.asarray(reference, dtype=float)
    return mean_ci(d, level, "t" if method == "auto" else method)


def compare_table(runs: pd.DataFrame, metrics: list[str], scenarios: list[str], *, level: float = 0.95,
                  method: str = "auto") -> pd.DataFrame:
    """The tidy comparison table.

    Args:
        runs: One row per (scenario, seed) with the metric columns.
        metrics: Metric columns to summarise.
        scenarios: Scenario order; differences are against the first.
        level: Confidence level.
        method: ``"auto"``, ``"t"``, ``"bca"`` or ``"bootstrap"``.

    Returns:
        Columns ``metric, scenario, n, mean, ci_low, ci_high, ci_method, diff, diff_low, diff_high,
        diff_method, n_pairs``. The reference scenario's difference is 0 by construction.
    """
    rows = []
    ref_name = scenarios[0]
    diff_method = "t" if method == "auto" else method
    for metric in metrics:
        ref = runs.loc[runs["scenario"] == ref_name, ["seed", metric]].set_index("seed")[metric]
        for name in scenarios:
            vals = runs.loc[runs["scenario"] == name, ["seed", metric]].set_index("seed")[metric]
            n, mean, lo, hi, used = metric_ci(vals.to_numpy(), metric, level, method)
            common = ref.index.intersection(vals.index)
            if name == ref_name:
                dn, d, dlo, dhi = len(common), 0.0, 0.0, 0.0
            else:
                dn, d, dlo, dhi = paired_difference(vals.loc[common].to_numpy(), ref.loc[common].to_numpy(), level,
                                                    diff_method)
            rows.append({"metric": metric, "scenario": name, "n": n, "mean": mean, "ci_low": lo, "ci_high": hi,
                         "ci_method": used, "diff": d, "diff_low": dlo, "diff_high": dhi, "diff_method": diff_method,
                         "n_pairs": dn})
    return pd.DataFrame(rows)


# ---------------------------------------------------------------- metric names, before any run


def _probe(scenario_json: str, plugins=None) -> tuple[str, ...]:
    from ecosim.runner import simulate

    data = json.loads(scenario_json)
    data["run"].update(months=2, firms=30)
    result = simulate(data, seed=1, plugins=plugins)
    return tuple(sorted(result.summary))


_probe_keys = functools.lru_cache(maxsize=32)(_probe)


def known_metrics(scenario, plugins=None) -> list[str]:
    """Summary keys a run of this scenario produces (from a probe run: 2 months, 30 firms; cached).

    Args:
        scenario: A validated :class:`ecosim.scenario.Scenario`.
        plugins: The experiment's plug-ins (:class:`ecosim.plugins.Plugins`), whose metric
            functions add summary keys (probed each time, not cached).
    """
    text = json.dumps(scenario.model_dump(mode="json"), sort_keys=True)
    if plugins is not None and plugins.metrics:
        return list(_probe(text, plugins))
    return list(_probe_keys(text))


def check_metric_names(scenario, wanted: Iterable[str], *, what: str = "metric", plugins=None) -> None:
    """Raise a one-line :class:`~ecosim.scenario.ScenarioError` naming unknown summary keys, before any run.

    Args:
        scenario: The (first) resolved scenario of the experiment.
        wanted: Summary keys the experiment will read.
        what: How the keys are called in the message (``metric``, ``outcome``, ``objective``).
        plugins: The experiment's plug-ins, whose metric functions add summary keys.
    """
    from ecosim.scenario import ScenarioError

    wanted = list(wanted)
    if not wanted:
        return
    try:
        known = known_metrics(scenario, plugins)
    except Exception:  # noqa: BLE001 - a scenario the probe cannot run is checked after its runs instead
        return
    missing = [m for m in wanted if m not in known]
    if missing:
        close = {m: _closest(m, known) for m in missing}
        hint = "; ".join(f"'{m}': did you mean {', '.join(c)}?" for m, c in close.items() if c)
        raise ScenarioError(f"unknown {what}(s) {', '.join(missing)}" + (f" ({hint})" if hint else "")
                            + f"; allowed: the summary keys {', '.join(known)}")


def _closest(name: str, known: Sequence[str]) -> list[str]:
    import difflib

    return difflib.get_close_matches(name, known, n=3, cutoff=0.6)
