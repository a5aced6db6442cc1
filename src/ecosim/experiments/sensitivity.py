"""Global sensitivity analysis with SALib over declared parameter ranges.

Methods:

- ``morris`` (elementary effects): ``samples`` trajectories of ``d + 1`` runs;
  reports μ* (mean absolute effect) with its 95% bootstrap CI, μ and σ.
- ``sobol`` (Saltelli sampling, variance decomposition): ``samples × (d + 2)``
  runs (``samples`` should be a power of two); reports first-order S1 and total
  ST indices with their 95% bootstrap CIs.

Every sample point runs on the same seeds (common random numbers) and its
output is the mean over those seeds, so the indices measure the parameters,
not seed noise. Indices are computed for each requested summary figure.
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
from ecosim.experiments.sweeps import ParamRange, parse_params, point_variants
from ecosim.experiments.variants import resolve_all
from ecosim.scenario import ScenarioError

METHODS = ("morris", "sobol")
#: Figures analysed when none are named.
DEFAULT_METRICS: tuple[str, ...] = ("survival_share", "total_new_loans", "mean_npl_ratio", "total_public_spending")


@dataclass
class SensitivityResult:
    """The outcome of :func:`sensitivity`.

    Attributes:
        table: One row per (metric, parameter). Morris: ``mu_star, mu_star_conf, mu, sigma``;
            Sobol: ``S1, S1_conf, ST, ST_conf`` (``*_conf`` is the half-width of the 95% CI).
        samples: The sample matrix: ``point`` and one column per parameter.
        outputs: Per point: the seed-mean of each metric.
        runs: One row per (point, seed).
        method: ``morris`` or ``sobol``.
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
        from ecosim.experiments.figures import sensitivity_figure

        fig = sensitivity_figure(self.table, self.method)
        if path is not None:
            fig.savefig(path, dpi=120, bbox_inches="tight")
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
    raise ScenarioError(f"method = '{method}': must be one of {', '.join(METHODS)}")


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
        method: ``morris`` or ``sobol``.
        samples: Morris trajectories, or Sobol base samples (a power of two).
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
    if method not in METHODS:
        raise ScenarioError(f"method = '{method}': must be one of {', '.join(METHODS)}")
    if samples < 2:
        raise ScenarioError(f"samples = {samples}: must be ≥ 2")
    plist = parse_params(params)
    problem = _problem(plist)
    X = sample_matrix(plist, method, samples, root_seed)
    keys = [p.key for p in plist]
    design = pd.DataFrame({k: [p.cast(v) for v in X[:, j]] for j, (k, p) in enumerate(zip(keys, plist, strict=True))})
    design.insert(0, "point", [f"s{i:05d}" for i in range(len(design))])
    # points with identical (rounded) values share runs through their keys
    variants = resolve_all(point_variants(scenario, design), months=months, firms=firms, overrides=overrides)
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
    from SALib.analyze import morris as morris_analyze
    from SALib.analyze import sobol as sobol_analyze

    seed = int(root_seed % (2**32))
    for m in wanted:
        Y = outputs[m].to_numpy(dtype=float)
        if np.isnan(Y).any() or len(runs) == 0:
            continue  # failed runs or undefined figures: no indices for this metric
        if method == "morris":
            res = morris_analyze.analyze(problem, X, Y, conf_level=0.95, num_resamples=1000, seed=seed)
            for j, k in enumerate(keys):
                rows.append({"metric": m, "param": k, "mu_star": res["mu_star"][j],
                             "mu_star_conf": res["mu_star_conf"][j], "mu": res["mu"][j], "sigma": res["sigma"][j]})
        else:
            res = sobol_analyze.analyze(problem, Y, calc_second_order=False, conf_level=0.95, num_resamples=1000,
                                        seed=seed)
            for j, k in enumerate(keys):
                rows.append({"metric": m, "param": k, "S1": res["S1"][j], "S1_conf": res["S1_conf"][j],
                             "ST": res["ST"][j], "ST_conf": res["ST_conf"][j]})
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
