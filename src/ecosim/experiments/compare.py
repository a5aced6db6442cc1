"""Scenario comparison: every scenario on the same seeds, means and paired differences with 95% CIs.

:func:`compare` is the experiment most policy questions need: "what does
instrument X change?". Each scenario runs on the same list of seeds (common
random numbers), so the difference of a scenario against the first one is
taken seed by seed, which cancels the shared randomness and gives much
tighter intervals than comparing two independent means.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from ecosim.experiments.batch import BatchReport, ExperimentRuns, check_metrics, run_experiment
from ecosim.experiments.seeds import DEFAULT_ROOT, derive_seeds, independent_seeds
from ecosim.experiments.statistics import compare_table
from ecosim.experiments.store import ResultStore
from ecosim.experiments.variants import Variant, resolve_all

#: Summary figures compared when none are named.
HEADLINE_METRICS: tuple[str, ...] = (
    "survival_share", "firms_alive", "total_new_loans", "mean_credit_access_rate", "mean_npl_ratio",
    "total_defaults", "total_public_spending", "credit_per_public_yuan", "total_equity_invested", "patents",
)


@dataclass
class CompareResult:
    """The outcome of :func:`compare`.

    Attributes:
        table: Tidy table: ``metric, scenario, n, mean, ci_low, ci_high, diff, diff_low, diff_high``
            (differences paired by seed against the first scenario; 95% CI; plus ``n_pairs``).
        runs: One row per (scenario, seed): ``scenario, seed, seed_index, key`` and every summary figure.
        scenarios: Scenario names in order (the first is the reference).
        seeds: The seed list (shared by every scenario unless ``paired=False``).
        metrics: Metrics in :attr:`table`.
        store: The result store holding the runs.
        report: What the batch did (skipped, completed, failed).
        ci: ``"auto"``, ``"t"``, ``"bca"`` or ``"bootstrap"`` (the method of each row is in ``ci_method``).
    """

    table: pd.DataFrame
    runs: pd.DataFrame
    scenarios: list[str]
    seeds: list[int] | list[list[int]]
    metrics: list[str]
    store: ResultStore
    report: BatchReport
    ci: str = "auto"
    _experiment: ExperimentRuns | None = field(default=None, repr=False)

    @property
    def failures(self) -> pd.DataFrame:
        """Runs that failed: ``key, scenario, seed, error``."""
        return self.report.failed

    def monthly(self, metrics: Sequence[str] | None = None) -> pd.DataFrame:
        """Monthly metrics of every run: ``scenario, seed, seed_index, month`` and the metric columns."""
        return self._experiment.monthly(self.scenarios, metrics)

    def plot(self, path: str | Path | None = None, metrics: Sequence[str] | None = None):
        """Means with CI bars, and paired differences against the first scenario; saved when a path is given."""
        from ecosim.experiments.figures import compare_figure

        fig = compare_figure(self.table, list(metrics) if metrics else self.metrics, self.scenarios, ci=self.ci)
        if path is not None:
            fig.savefig(path, dpi=120, bbox_inches="tight")
        return fig


def compare(
    scenarios: Sequence[str | Variant],
    *,
    seeds: int | Sequence[int] = 20,
    months: int | None = None,
    firms: int | str | None = None,
    overrides: Mapping[str, Any] | None = None,
    executor: str = "serial",
    workers: int | None = None,
    scheduler: str | None = None,
    out: str | Path | None = None,
    metrics: Sequence[str] | None = None,
    ci: str = "auto",
    root_seed: int = DEFAULT_ROOT,
    paired: bool = True,
    progress: bool = True,
    batch_size: int = 16,
    plugins=None,
) -> CompareResult:
    """Run scenarios on common seeds and compare them.

    Args:
        scenarios: Scenario names, paths or :class:`Variant` objects; the first is the reference.
        seeds: Number of seeds (derived from ``root_seed``) or an explicit seed list.
        months: Horizon of every run (default: each scenario's own).
        firms: Initial startups of every run (number or size preset).
        overrides: Dotted-key overrides applied to every scenario.
        executor: ``serial``, ``processes`` or ``dask``.
        workers: Worker processes (default: available cores).
        scheduler: Address of a running Dask scheduler (``tcp://host:8786``).
        out: Results folder (store, ``compare.csv``, ``compare.png``); a temporary one when None.
        metrics: Summary keys to compare (default :data:`HEADLINE_METRICS`).
        ci: Interval method (see :mod:`ecosim.experiments.statistics`): ``"auto"`` (BCa bootstrap for
            counts, amounts and shares, so intervals stay within their bounds; Student t otherwise),
            ``"t"``, ``"bca"`` or ``"bootstrap"`` (percentile).
        root_seed: Root of the seed tree.
        paired: Use the same seeds in every scenario (common random numbers). ``False``
            gives each scenario its own seeds (then differences pair seed positions, not seeds).
        progress: Show a progress bar.
        batch_size: Runs written to the store per batch.
        plugins: Phases and metrics added to every run (:class:`ecosim.plugins.Plugins`).

    Returns:
        A :class:`CompareResult`; runs that failed are listed in ``result.failures``.

    Raises:
        ecosim.scenario.ScenarioError: A bad scenario, key, value or metric name (before anything runs).
    """
    from ecosim.experiments.statistics import METHODS, check_metric_names
    from ecosim.scenario import ScenarioError

    if not scenarios:
        raise ScenarioError("compare needs at least one scenario")
    if ci not in METHODS:
        raise ScenarioError(f"ci = '{ci}': must be one of {', '.join(METHODS)}")
    variants = resolve_all(scenarios, months=months, firms=firms, overrides=overrides)
    if metrics:
        check_metric_names(variants[0].scenario, metrics, plugins=plugins)
    names = [v.name for v in variants]
    if isinstance(seeds, int):
        if seeds < 1:
            raise ScenarioError(f"seeds = {seeds}: must be ≥ 1")
        seed_list: list[int] | list[list[int]] = (derive_seeds(seeds, root_seed) if paired
                                                   else independent_seeds(seeds, len(variants), root_seed))
    else:
        seed_list = [int(s) for s in seeds]
        if not paired:
            raise ScenarioError("paired=False needs a number of seeds, not a seed list")
    exp = run_experiment(variants, seed_list, out, description="compare", executor=executor, workers=workers,
                         scheduler=scheduler, progress=progress, batch_size=batch_size, plugins=plugins)
    runs = exp.runs
    wanted = list(metrics) if metrics else [m for m in HEADLINE_METRICS if m in runs.columns or runs.empty]
    check_metrics(runs, wanted)
    table = compare_table(runs.assign(seed=runs["seed_index"]) if not paired else runs, wanted, names, method=ci)
    result = CompareResult(table=table, runs=runs, scenarios=names, seeds=seed_list, metrics=wanted, store=exp.store,
                           report=exp.report, ci=ci, _experiment=exp)
    out = exp.store.path
    if exp.tmp is None:
        table.to_csv(out / "compare.csv", index=False)
        (out / "experiment.json").write_text(json.dumps(
            {"kind": "compare", "scenarios": names, "seeds": seed_list, "root_seed": root_seed, "paired": paired,
             "months": months, "firms": firms, "overrides": dict(overrides or {}), "metrics": wanted, "ci": ci},
            indent=2, default=str))
        if not runs.empty:
            import matplotlib.pyplot as plt

            fig = result.plot(out / "compare.png")
            plt.close(fig)
    return result
