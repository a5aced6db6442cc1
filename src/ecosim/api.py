"""The public Python API: run a scenario, compare scenarios, load a scenario, build the model.

Everything here is also reachable from the package top (``ecosim.run``,
``ecosim.compare``, ``ecosim.load_scenario``, ``ecosim.EcosystemModel``)::

    import ecosim
    result = ecosim.run("baseline", seed=1, firms=300)
    result.metrics[["month", "firms_alive", "loan_balance"]].tail()

The functions are thin: :func:`run` wraps :func:`ecosim.runner.simulate`,
:func:`compare` is :func:`ecosim.experiments.compare` with plug-ins given as
plain arguments.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

    from ecosim.experiments.compare import CompareResult
    from ecosim.model import EcosystemModel
    from ecosim.scenario import Scenario


@dataclass
class Run:
    """One finished run.

    Attributes:
        scenario: The scenario in force (fully resolved).
        seed: The run's seed.
        metrics: One row per month (``ecosim.outputs.metrics.METRICS``).
        summary: Headline figures of the whole run (plus those of metric plug-ins).
        model: The finished model (its tables, ledger, network and agents).
        wall_seconds: Time the run took.
    """

    scenario: Scenario
    seed: int
    metrics: pd.DataFrame
    summary: dict[str, float]
    model: EcosystemModel = field(repr=False)
    wall_seconds: float = 0.0

    @cached_property
    def firms(self) -> pd.DataFrame:
        """One row per firm that ever existed (the rows of ``firms.parquet``)."""
        from ecosim.outputs.files import firms_frame

        return firms_frame(self.model)

    @cached_property
    def events(self) -> pd.DataFrame:
        """One row per event: loans, repayments, defaults with their loss split, investments, exits, visits…"""
        from ecosim.outputs.files import events_frame

        return events_frame(self.model)

    @property
    def panel(self) -> pd.DataFrame:
        """One row per operating firm per year end."""
        return self.model.panel

    def write(self, out_dir: str | Path) -> Path:
        """Write the run's files (metrics, firms, panel, events, funds, network, dashboard, run.json)."""
        from ecosim.outputs.files import write_run
        from ecosim.runner import RunResult

        out = Path(out_dir)
        out.mkdir(parents=True, exist_ok=True)
        result = RunResult(metrics=self.metrics, summary=self.summary, wall_seconds=self.wall_seconds,
                           model=self.model)
        write_run(result, self.scenario, self.seed, out)
        return out


def load_scenario(name_or_path: str | Path = "baseline", overrides: Sequence[str] | Mapping[str, Any] = (), *,
                  months: int | None = None, firms: int | str | None = None) -> Scenario:
    """Load, merge, override and validate a scenario (a bundled name, a name on ``ECOSIM_SCENARIO_PATH``, or a path).

    >>> import ecosim
    >>> sc = ecosim.load_scenario("baseline", {"exemption.enabled": False}, firms="demo")
    >>> sc.run.firms, sc.exemption.enabled
    (300, False)

    Raises:
        ecosim.scenario.ScenarioError: One line naming the bad key or value and what is allowed.
    """
    from ecosim.scenario import load_scenario as _load

    return _load(name_or_path, overrides, months=months, firms=firms)


def run(
    scenario: str | Path | Scenario = "baseline",
    *,
    seed: int = 1,
    firms: int | str | None = None,
    months: int | None = None,
    overrides: Mapping[str, Any] | None = None,
    phases: Iterable[Any] = (),
    metric_fns: Iterable[Callable | str] = (),
) -> Run:
    """Run one scenario for one seed and return its tables.

    >>> import ecosim
    >>> result = ecosim.run("baseline", seed=1, firms=300, months=12)
    >>> len(result.metrics), int(result.metrics["month"].iloc[-1])
    (12, 12)
    >>> {"firm_id", "sector", "exit_kind"} <= set(result.firms.columns)
    True
    >>> bool((result.events["kind"] == "loan").any())
    True

    Args:
        scenario: Scenario name, path or validated scenario.
        seed: The run's seed; the same seed gives the same numbers.
        firms: Initial startups (a number or a size preset); default: the scenario's.
        months: Horizon; default: the scenario's.
        overrides: Dotted-key overrides, e.g. ``{"exemption.enabled": False}``.
        phases: Phases added to the month: functions (at the month's end), ``(function, "before:lend")``
            pairs or ``"pkg.mod:fn@before:lend"`` strings (see :mod:`ecosim.plugins`).
        metric_fns: Functions of the finished model (or their import paths) whose figures join the summary.

    Raises:
        ecosim.scenario.ScenarioError: A bad scenario, key or value (before the run starts).
    """
    from ecosim.plugins import Plugins
    from ecosim.runner import simulate
    from ecosim.scenario import Scenario as _Scenario
    from ecosim.scenario import apply_overrides, resolve_size, validate_scenario

    if isinstance(scenario, _Scenario):
        data = apply_overrides(scenario.model_dump(), dict(overrides or {}))
        if months is not None:
            data["run"]["months"] = months
        if firms is not None:
            data["run"]["firms"] = resolve_size(firms)
        sc = validate_scenario(data)
    else:
        sc = load_scenario(scenario, dict(overrides or {}), months=months, firms=firms)
    plugins = Plugins.of(phases, metric_fns).check()
    result = simulate(sc, seed, keep_model=True, plugins=plugins)
    return Run(scenario=sc, seed=int(seed), metrics=result.metrics, summary=result.summary, model=result.model,
               wall_seconds=result.wall_seconds)


def compare(
    scenarios: Sequence[Any],
    *,
    seeds: int | Sequence[int] = 20,
    phases: Iterable[Any] = (),
    metric_fns: Iterable[Callable | str] = (),
    **options: Any,
) -> CompareResult:
    """Run scenarios on common seeds; means and paired differences against the first, with 95% CIs.

    >>> import ecosim
    >>> res = ecosim.compare(["baseline", "no_policy"], seeds=2, firms=100, months=6, progress=False)
    >>> sorted(res.table["scenario"].unique())
    ['baseline', 'no_policy']
    >>> len(res.runs)
    4

    Args:
        scenarios: Scenario names, paths or :class:`ecosim.experiments.Variant` objects.
        seeds: Number of seeds or a seed list.
        phases: Phases added to every run (as in :func:`run`).
        metric_fns: Summary functions added to every run (as in :func:`run`); compare them by naming
            them in ``metrics=[...]``.
        **options: Any option of :func:`ecosim.experiments.compare` (``months``, ``firms``, ``overrides``,
            ``executor``, ``workers``, ``scheduler``, ``out``, ``metrics``, ``ci``, ``progress``…).
    """
    from ecosim.experiments.compare import compare as _compare
    from ecosim.plugins import Plugins

    plugins = Plugins.of(phases, metric_fns)
    return _compare(scenarios, seeds=seeds, plugins=plugins or None, **options)
