"""Global sensitivity analysis with SALib over declared parameter ranges.

Methods (``samples`` means something different for each; the runs it makes are
``samples × seeds`` times the factor below, ``d`` parameters):

- ``morris`` (elementary effects): ``samples`` trajectories of ``d + 1`` points;
  reports μ* (mean absolute effect) with its 95% bootstrap CI, μ and σ.
- ``sobol`` (Saltelli sampling, variance decomposition): ``samples × (d + 2)``
  points (``samples`` a power of two); first-order S1 and total ST indices
  with their 95% bootstrap CIs.
- ``fast`` (Fourier amplitude sensitivity test, extended): ``samples × d``
  points; first-order S1 and total ST indices with 95% CIs.
- ``delta`` (Borgonovo's moment-independent δ, on a Latin hypercube of
  ``samples`` points): ``delta`` and a first-order ``S1``, each with its 95% CI.
- ``pawn`` (distribution-based, on a Latin hypercube of ``samples`` points,
  10 conditioning slides): the median, mean, minimum, maximum and coefficient
  of variation of the Kolmogorov–Smirnov statistics.
- ``montecarlo`` (uncertainty propagation: ``samples`` independent uniform
  draws): the outputs' mean, standard deviation and 5th/50th/95th percentiles,
  and each parameter's Spearman rank correlation with the output.

Each method has a minimum ``samples`` (:data:`MIN_SAMPLES`) below which its
indices are not worth computing; a smaller value is a one-line error before
any run. Every sample point runs on the same seeds (common random numbers) and
its output is the mean over those seeds, so the indices measure the
parameters, not seed noise. Indices are computed for each requested summary
figure; metric names are checked before any run.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ecosim.experiments.batch import BatchReport, ExperimentRuns, check_metrics, run_experiment
from ecosim.experiments.seeds import DEFAULT_ROOT, derive_seeds
from ecosim.experiments.statistics import check_metric_names
from ecosim.experiments.sweeps import ParamRange, parse_params, point_variants
from ecosim.experiments.variants import resolve_all
from ecosim.scenario import ScenarioError

METHODS = ("morris", "sobol", "fast", "delta", "pawn", "montecarlo")
#: Smallest ``samples`` of each method, and why.
MIN_SAMPLES: dict[str, tuple[int, str]] = {
    "morris": (4, "trajectories; fewer give μ* from a handful of effects"),
    "sobol": (64, "base samples (a power of two); fewer give bootstrap CIs wider than the indices"),
    "fast": (65, "points per parameter; the FAST sampler needs more than 4·M² = 64 with M = 4 harmonics"),
    "delta": (50, "points; the density estimate of each conditional distribution needs them"),
    "pawn": (50, "points; 10 conditioning slides of at least 5 points each"),
    "montecarlo": (20, "draws; fewer give no usable percentiles or rank correlations"),
}
#: Conditioning slides of PAWN.
PAWN_SLIDES = 10
#: Harmonics of FAST.
FAST_HARMONICS = 4
#: Figures analysed when none are named.
DEFAULT_METRICS: tuple[str, ...] = ("survival_share", "total_new_loans", "mean_npl_ratio", "total_public_spending")


def check_samples(method: str, samples: int) -> None:
    """Raise a one-line error when ``samples`` is too small (or not a power of two for Sobol).

    Raises:
        ScenarioError: Naming the method, the value and what is allowed.
    """
    if method not in METHODS:
        raise ScenarioError(f"method = '{method}': must be one of {', '.join(METHODS)}")
    least, why = MIN_SAMPLES[method]
    if samples < least:
        raise ScenarioError(f"samples = {samples}: {method} needs at least {least} ({why})")
    if method == "sobol" and samples & (samples - 1):
        raise ScenarioError(f"samples = {samples}: sobol needs a power of two (64, 128, 256, …)")


def planned_points(method: str, samples: int, d: int) -> int:
    """Sample points a method makes with ``samples`` and ``d`` parameters (runs = points × seeds)."""
    return {"morris": samples * (d + 1), "sobol": samples * (d + 2), "fast": samples * d}.get(method, samples)


@dataclass
class SensitivityResult:
    """The outcome of :func:`sensitivity`.

    Attributes:
        table: One row per (metric, parameter). Morris: ``mu_star, mu_star_conf, mu, sigma``;
            Sobol and FAST: ``S1, S1_conf, ST, ST_conf``; delta: ``delta, delta_conf`` (Borgonovo's δ),
            ``delta_balanced, delta_balanced_conf`` (SALib's class-balanced δ), ``S1, S1_conf``;
            PAWN: ``median, mean, minimum, maximum, CV``; Monte Carlo: ``spearman, spearman_p`` and the
            output's ``out_mean, out_sd, out_p05, out_p50, out_p95`` (``*_conf`` is the half-width of the
            95% CI).
        samples: The sample matrix: ``point`` and one column per parameter.
        outputs: Per point: the seed-mean of each metric.
        runs: One row per (point, seed).
        method: One of :data:`METHODS`.
        store: The result store.
        report: What the batch did.
    """

    table: pd.DataFrame
    samples: pd.DataFrame
    outputs: pd.DataFrame
    runs: pd.DataFrame
    method: str
    store: Any
    report: BatchReport
    _experiment: ExperimentRuns | None = field(default=None, repr=False)

    @property
    def failures(self) -> pd.DataFrame:
        """Runs that failed."""
        return self.report.failed

    def plot(self, path: str | Path | None = None):
        """Indices with CI bars, one panel per metric; saved when a path is given."""
        if self.method in ("morris", "sobol"):
            from ecosim.experiments.figures import sensitivity_figure

            fig = sensitivity_figure(self.table, self.method)
        else:
            fig = index_figure(self.table, self.method)
        if path is not None:
            fig.savefig(path, dpi=120, bbox_inches="tight")
        return fig


#: The index each figure shows (column, CI half-width column or None, label), for the methods that
#: :func:`ecosim.experiments.figures.sensitivity_figure` does not draw.
FIGURE_INDEX: dict[str, tuple[str, str | None, str]] = {
    "fast": ("ST", "ST_conf", "FAST total index ST (95% CI)"),
    "delta": ("delta", "delta_conf", "Borgonovo δ (95% CI)"),
    "pawn": ("median", None, "PAWN median KS statistic"),
    "montecarlo": ("spearman", None, "Spearman rank correlation (Monte Carlo)"),
}


def index_figure(table: pd.DataFrame, method: str):
    """Bars of one index per parameter, one panel per metric (FAST, delta, PAWN, Monte Carlo)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    column, conf, label = FIGURE_INDEX[method]
    metrics = list(dict.fromkeys(table["metric"]))
    fig, axes = plt.subplots(len(metrics), 1, figsize=(7, 2.2 * len(metrics) + 0.5), squeeze=False)
    for ax, metric in zip(axes[:, 0], metrics, strict=True):
        t = table[table["metric"] == metric]
        y = np.arange(len(t))
        ax.barh(y, t[column], xerr=t[conf] if conf else None, capsize=3)
        ax.set_title(f"{metric}: {label}", fontsize=9)
        ax.set_yticks(y, t["param"])
        ax.invert_yaxis()
        ax.tick_params(labelsize=8)
    fig.tight_layout()
    return fig


def _problem(params: list[ParamRange]) -> dict:
    for p in params:
        if p.values is not None or p.low is None or p.low == p.high:
            raise ScenarioError(f"parameter '{p.key}': sensitivity needs a range low:high with low < high")
    return {"num_vars": len(params), "names": [p.key for p in params], "bounds": [[p.low, p.high] for p in params]}


def sample_matrix(params: list[ParamRange], method: str, samples: int, root_seed: int = DEFAULT_ROOT) -> np.ndarray:
    """SALib's sample matrix (one row per model evaluation)."""
    problem = _problem(params)
    seed = int(root_seed % (2**32))
    if method == "morris":
        from SALib.sample import morris as morris_sample

        return morris_sample.sample(problem, samples, num_levels=4, seed=seed)
    if method == "sobol":
        from SALib.sample import sobol as sobol_sample

        return sobol_sample.sample(problem, samples, calc_second_order=False, seed=seed)
    if method == "fast":
        from SALib.sample import fast_sampler

        return fast_sampler.sample(problem, samples, M=FAST_HARMONICS, seed=seed)
    if method in ("delta", "pawn"):
        from SALib.sample import latin

        return latin.sample(problem, samples, seed=seed)
    if method == "montecarlo":
        bounds = np.asarray(problem["bounds"], dtype=float)
        unit = np.random.default_rng(seed).random((samples, len(params)))
        return bounds[:, 0] + unit * (bounds[:, 1] - bounds[:, 0])
    raise ScenarioError(f"method = '{method}': must be one of {', '.join(METHODS)}")


def analyse(method: str, problem: dict, X: np.ndarray, Y: np.ndarray, seed: int) -> list[dict[str, float]]:
    """One method's indices of one output ``Y`` (one dict per parameter, in the problem's order)."""
    from SALib.analyze import delta, fast, morris, pawn, sobol

    names = problem["names"]
    if method == "morris":
        res = morris.analyze(problem, X, Y, conf_level=0.95, num_resamples=1000, seed=seed)
        keys = ("mu_star", "mu_star_conf", "mu", "sigma")
    elif method == "sobol":
        res = sobol.analyze(problem, Y, calc_second_order=False, conf_level=0.95, num_resamples=1000, seed=seed)
        keys = ("S1", "S1_conf", "ST", "ST_conf")
    elif method == "fast":
        res = fast.analyze(problem, Y, M=FAST_HARMONICS, num_resamples=100, conf_level=0.95, seed=seed)
        keys = ("S1", "S1_conf", "ST", "ST_conf")
    elif method == "delta":
        import warnings

        formatter = warnings.formatwarning  # SALib's delta replaces it, and prints bin notices as warnings
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                res = delta.analyze(problem, X, Y, num_resamples=100, conf_level=0.95, seed=seed, method="all")
        finally:
            warnings.formatwarning = formatter
        res = {**res, "delta": res["delta_raw"], "delta_conf": res["delta_raw_conf"]}
        keys = ("delta", "delta_conf", "delta_balanced", "delta_balanced_conf", "S1", "S1_conf")
    elif method == "pawn":
        res = pawn.analyze(problem, X, Y, S=PAWN_SLIDES, seed=seed)
        keys = ("median", "mean", "minimum", "maximum", "CV")
    else:
        return _monte_carlo(names, X, Y)
    return [{k: float(res[k][j]) for k in keys} for j in range(len(names))]


def _monte_carlo(names: list[str], X: np.ndarray, Y: np.ndarray) -> list[dict[str, float]]:
    from scipy import stats

    spread = {"out_mean": float(np.mean(Y)), "out_sd": float(np.std(Y, ddof=1)),
              **{f"out_p{q:02d}": float(np.percentile(Y, q)) for q in (5, 50, 95)}}
    rows = []
    for j in range(len(names)):
        if np.ptp(Y) == 0:
            rho, p = float("nan"), float("nan")
        else:
            r = stats.spearmanr(X[:, j], Y)
            rho, p = float(r.statistic), float(r.pvalue)
        rows.append({"spearman": rho, "spearman_p": p, **spread})
    return rows


def sensitivity(
    scenario: str,
    params: Sequence[str | ParamRange] | Mapping[str, Any],
    *,
    method: str = "morris",
    samples: int = 8,
    seeds: int | Sequence[int] = 2,
    months: int | None = None,
    firms: int | str | None = None,
    overrides: Mapping[str, Any] | None = None,
    executor: str = "serial",
    workers: int | None = None,
    scheduler: str | None = None,
    out: str | Path | None = None,
    metrics: Sequence[str] | None = None,
    root_seed: int = DEFAULT_ROOT,
    progress: bool = True,
    batch_size: int = 16,
    plugins=None,
) -> SensitivityResult:
    """Global sensitivity of summary figures to scenario parameters.

    Args:
        scenario: Scenario name or path.
        params: Ranges ``"key=low:high"`` (or a mapping ``{key: (low, high)}``).
        method: One of :data:`METHODS` (see the module docstring).
        samples: Morris trajectories, Sobol base samples (a power of two), FAST points per parameter,
            or the points of delta, PAWN and Monte Carlo; at least :data:`MIN_SAMPLES` of the method.
        seeds: Seeds per sample point (outputs are seed means).
        months: Horizon.
        firms: Initial startups.
        overrides: Overrides applied at every point.
        executor: ``serial``, ``processes`` or ``dask``.
        workers: Worker processes.
        scheduler: Running Dask scheduler address.
        out: Results folder (store, ``sensitivity.csv``, ``sensitivity.png``); temporary when None.
        metrics: Summary keys to analyse (default :data:`DEFAULT_METRICS`).
        root_seed: Root of the seed tree and of the sampling.
        progress: Show a progress bar.
        batch_size: Runs written to the store per batch.
        plugins: Phases and metrics added to every run (:class:`ecosim.plugins.Plugins`).

    Raises:
        ScenarioError: A bad key, range, method or sample count, before any run starts.
    """
    check_samples(method, samples)
    plist = parse_params(params)
    problem = _problem(plist)
    X = sample_matrix(plist, method, samples, root_seed)
    keys = [p.key for p in plist]
    design = pd.DataFrame({k: [p.cast(v) for v in X[:, j]] for j, (k, p) in enumerate(zip(keys, plist, strict=True))})
    design.insert(0, "point", [f"s{i:05d}" for i in range(len(design))])
    # points with identical (rounded) values share runs through their keys
    variants = resolve_all(point_variants(scenario, design), months=months, firms=firms, overrides=overrides)
    if metrics:
        check_metric_names(variants[0].scenario, metrics, plugins=plugins)
    seed_list = derive_seeds(seeds, root_seed) if isinstance(seeds, int) else [int(s) for s in seeds]
    exp = run_experiment(variants, seed_list, out, description=f"sensitivity ({method})", executor=executor,
                         workers=workers, scheduler=scheduler, progress=progress,
                         batch_size=batch_size, plugins=plugins)
    runs = exp.runs.copy()
    runs.insert(0, "point", runs.pop("scenario").str.rsplit(":", n=1).str[-1])
    wanted = list(metrics) if metrics else [m for m in DEFAULT_METRICS if m in runs.columns]
    check_metrics(runs, wanted)
    outputs = design[["point"]].merge(runs.groupby("point")[wanted].mean().reset_index(), on="point", how="left")
    rows = []
    seed = int(root_seed % (2**32))
    for m in wanted:
        Y = outputs[m].to_numpy(dtype=float)
        if np.isnan(Y).any() or len(runs) == 0:
            continue  # failed runs or undefined figures: no indices for this metric
        for k, values in zip(keys, analyse(method, problem, X, Y, seed), strict=True):
            rows.append({"metric": m, "param": k, **values})
    table = pd.DataFrame(rows)
    result = SensitivityResult(table=table, samples=design, outputs=outputs, runs=design.merge(runs, on="point"),
                               method=method, store=exp.store, report=exp.report, _experiment=exp)
    if exp.tmp is None:
        path = exp.store.path
        design.to_csv(path / "samples.csv", index=False)
        table.to_csv(path / "sensitivity.csv", index=False)
        (path / "experiment.json").write_text(json.dumps(
            {"kind": "sensitivity", "scenario": scenario, "params": [f"{p.key}={p.low}:{p.high}" for p in plist],
             "method": method, "samples": samples, "seeds": seed_list, "root_seed": root_seed, "months": months,
             "firms": firms, "overrides": dict(overrides or {}), "metrics": wanted}, indent=2, default=str))
        if len(table):
            import matplotlib.pyplot as plt

            plt.close(result.plot(path / "sensitivity.png"))
    return result
