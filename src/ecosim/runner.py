"""Running the model: one call from a scenario and a seed to results, and to files on disk.

:func:`simulate` runs a scenario for one seed and returns a :class:`RunResult`
(monthly metrics and a summary); it is what the experiment engine calls, in
any process. :func:`run_to_dir` also writes the run's files (see
``ecosim.outputs.files``).

The model and the libraries it needs (Mesa, pandas) are imported when a run
starts, not with this module, so ``ecosim run`` checks its options and loads
the scenario before paying for them.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from ecosim.scenario import Scenario, resolve_size, validate_scenario

if TYPE_CHECKING:
    import pandas as pd

    from ecosim.model import EcosystemModel
    from ecosim.plugins import Plugins

#: Metrics summarised at the end of a run, and how.
SUMMARY_LAST = ("firms_alive", "loan_balance", "credit_access_rate", "npl_ratio", "patents", "pool_balance")
SUMMARY_SUM = (
    "firms_failed", "new_loans", "defaults", "loss_bank", "loss_guarantors", "loss_government", "public_spending",
    "public_recycled", "equity_invested", "equity_public", "equity_private", "listings", "acquisitions",
    "patents_new", "applications", "approvals", "visits",
)


@dataclass
class RunResult:
    """What one run produced.

    Attributes:
        metrics: One row per month (see ``ecosim.outputs.metrics.METRICS``).
        summary: Headline figures for the whole run.
        wall_seconds: Time the run took.
        model: The model at the end (kept only when asked for).
    """

    metrics: pd.DataFrame
    summary: dict[str, float]
    wall_seconds: float
    model: EcosystemModel | None = field(default=None, repr=False)


def model_class() -> type[EcosystemModel]:
    """The model class, imported with the modules of the run's summary (outside a run's timed seconds)."""
    import ecosim.credit.report
    import ecosim.equity.metrics
    import ecosim.information.metrics  # noqa: F401 - what :func:`summarise` reads
    from ecosim.model import EcosystemModel

    return EcosystemModel


def summarise(model: EcosystemModel, metrics: pd.DataFrame) -> dict[str, float]:
    """Headline figures of a finished run."""
    import numpy as np

    from ecosim.credit.report import credit_summary
    from ecosim.equity.metrics import equity_summary
    from ecosim.information.metrics import information_summary

    last = metrics.iloc[-1]
    out = {k: float(last[k]) for k in SUMMARY_LAST}
    out.update({f"total_{k}": float(metrics[k].sum()) for k in SUMMARY_SUM})
    f = model.firms
    started = len(f)
    out["firms_ever"] = float(started)
    out["survival_share"] = float((f.status == 0).sum() / started) if started else 0.0
    out["mean_credit_access_rate"] = float(metrics["credit_access_rate"].mean())
    out["mean_npl_ratio"] = float(metrics["npl_ratio"].mean())
    out["mean_allocation_auc"] = float(np.nanmean(metrics["allocation_auc"])) if metrics["allocation_auc"].notna().any() else float("nan")
    spent = out["total_public_spending"]
    out["credit_per_public_yuan"] = out["total_new_loans"] / spent if spent > 0 else float("nan")
    out.update(credit_summary(model, metrics))
    out.update(equity_summary(model, metrics))
    out.update(information_summary(model, metrics))
    return out


def simulate(
    scenario: Scenario | dict,
    seed: int,
    *,
    months: int | None = None,
    firms: int | str | None = None,
    keep_model: bool = False,
    on_month: Callable[[EcosystemModel], None] | None = None,
    plugins: Plugins | None = None,
) -> RunResult:
    """Run one scenario for one seed.

    Args:
        scenario: A validated scenario or its dict form.
        seed: The run's seed; every random draw derives from it.
        months: Horizon override (default: the scenario's ``run.months``).
        firms: Initial startups override (a number or a size preset).
        keep_model: Keep the finished model on the result (for writing files).
        on_month: Called after every month (progress bars).
        plugins: Phases added to the month and metrics added to the summary (:mod:`ecosim.plugins`).
    """
    if not isinstance(scenario, Scenario):
        scenario = validate_scenario(scenario)
    updates = {}
    if months is not None:
        updates["months"] = int(months)
    if firms is not None:
        updates["firms"] = resolve_size(firms)
    if updates:
        data = scenario.model_dump()
        data["run"].update(updates)
        scenario = validate_scenario(data)
    model_type = model_class()  # imported before the clock starts: the run's seconds are the run's
    start = time.perf_counter()
    model = model_type(scenario, rng=int(seed))
    if plugins:
        plugins.apply(model)
    for _ in range(scenario.run.months):
        model.step()
        if on_month is not None:
            on_month(model)
    metrics = model.metrics_frame()
    summary = summarise(model, metrics)
    if plugins:
        summary.update(plugins.summary(model))
    return RunResult(metrics=metrics, summary=summary, wall_seconds=time.perf_counter() - start,
                     model=model if keep_model else None)


def run_to_dir(
    scenario: Scenario, seed: int, out_dir: Path, *, progress: bool = True, outputs: str | Iterable[str] | None = None,
    plugins: Plugins | None = None,
) -> RunResult:
    """Run one scenario (with optional plug-ins) and write its files into ``out_dir``.

    When the dashboard is among the files, a helper process started with the run draws it
    (:mod:`ecosim.outputs.painter`), so matplotlib's import and the drawing take the other core.

    Args:
        scenario: The scenario to run.
        seed: The run's seed.
        out_dir: Folder for the files (created if missing).
        progress: Show a progress bar over the months.
        plugins: Plug-in phases and metrics (:mod:`ecosim.plugins`).
        outputs: Which files to write: names from ``ecosim.outputs.files.OUTPUTS`` (a
            comma-separated string or a list) or ``"all"``; every file by default. Checked
            before the run starts (``ecosim.outputs.files.OutputsError``).
    """
    from ecosim.outputs.files import parse_outputs, write_run
    from ecosim.outputs.painter import DashboardPainter

    names = parse_outputs(outputs)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    # The dashboard's helper process imports matplotlib on another core while the model runs (started
    # after the model's own imports, so that the two processes' imports do not compete).
    model_class()
    painter = DashboardPainter() if "dashboard" in names else None
    try:
        if progress:
            from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

            with Progress(TextColumn("[bold]{task.description}"), BarColumn(),
                          TextColumn("month {task.completed}/{task.total}"), TimeRemainingColumn()) as bar:
                task = bar.add_task(f"{scenario.name} seed {seed}", total=scenario.run.months)
                result = simulate(scenario, seed, keep_model=True, on_month=lambda m: bar.advance(task),
                                  plugins=plugins)
        else:
            result = simulate(scenario, seed, keep_model=True, plugins=plugins)
        write_run(result, scenario, seed, out_dir, names, painter=painter)
    finally:
        if painter is not None:
            painter.close()
    return result
