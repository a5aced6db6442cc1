"""Parameter sweeps: grid or Latin-hypercube designs over scenario parameters, results joinable to them.

A parameter range is written with the scenario's dotted key, as on the
command line: ``exemption.max_loan=5:20:4`` (4 values from 5 to 20),
``pool.share=0.2:0.8`` (a range; for LHS designs and sensitivity), or
``exemption.enabled=true,false`` (a list). Ranges are checked against the
parameter's declared bounds before any run starts. Every design point runs on
the same seeds, so neighbouring points differ by the parameter, not by luck.

A :class:`Design` keeps two kinds of parameter apart: **policy levers**, what a
government chooses (the exemption's loan ceiling, the pool's share), and
**uncertainties**, what nobody controls (the entry rate of new firms, how well
the banks' own data rate firms, the officers' personal penalty, a downturn's
size and timing). Both are scenario keys with ranges and are sampled together
(one grid or one Latin hypercube over all of them); the design, the runs and
``experiment.json`` record which key is which, so that scenario discovery and
robust policy search can treat them differently.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ecosim.experiments.batch import BatchReport, ExperimentRuns, check_metrics, run_experiment
from ecosim.experiments.compare import HEADLINE_METRICS
from ecosim.experiments.seeds import DEFAULT_ROOT, derive_seeds
from ecosim.experiments.statistics import check_metric_names, metric_ci
from ecosim.experiments.variants import Variant, resolve_all
from ecosim.scenario import ScenarioError, parameter_table, parse_value

DESIGNS = ("grid", "lhs")
#: Roles of a design's parameters.
ROLES = ("lever", "uncertainty")


@dataclass(frozen=True)
class ParamRange:
    """A scenario parameter and the values an experiment gives it.

    Attributes:
        key: Dotted scenario key, e.g. ``exemption.max_loan``.
        low: Lowest value (ranges).
        high: Highest value (ranges).
        n: Number of grid values (ranges; default 3).
        values: Explicit values (lists) instead of a range.
        kind: ``float``, ``int`` or ``bool``.
    """

    key: str
    low: float | None = None
    high: float | None = None
    n: int | None = None
    values: tuple[Any, ...] | None = None
    kind: str = "float"

    def grid(self) -> list[Any]:
        """The grid values of this parameter."""
        if self.values is not None:
            return list(self.values)
        vals = np.linspace(self.low, self.high, self.n or 3)
        return [self.cast(v) for v in vals]

    def cast(self, value: float) -> Any:
        """A sampled number in the parameter's type (ints are rounded)."""
        return int(round(float(value))) if self.kind == "int" else float(value)

    def scale(self, unit: np.ndarray) -> list[Any]:
        """Map samples in [0, 1) onto the range (for LHS designs)."""
        if self.values is not None:
            idx = np.minimum((np.asarray(unit) * len(self.values)).astype(int), len(self.values) - 1)
            return [self.values[i] for i in idx]
        return [self.cast(self.low + u * (self.high - self.low)) for u in unit]


def _fields() -> dict[str, dict]:
    return {row["path"]: row for row in parameter_table()}


def parse_param(spec: str | ParamRange) -> ParamRange:
    """Parse ``key=low:high[:n]`` or ``key=a,b,c``, checking the key and the declared bounds.

    Raises:
        ScenarioError: One line naming the key and what is allowed.
    """
    if isinstance(spec, ParamRange):
        spec_key = spec.key
        p = spec
    else:
        key, sep, rest = spec.partition("=")
        key, rest = key.strip(), rest.strip()
        if not sep or not key or not rest:
            raise ScenarioError(f"parameter '{spec}' must look like section.key=low:high[:n] or section.key=a,b,c")
        spec_key = key
        p = None
    fields = _fields()
    meta = fields.get(spec_key)
    if meta is None:
        raise ScenarioError(f"unknown parameter '{spec_key}' (see `ecosim params` for the list)")
    type_name = str(meta["type"])
    kind = "bool" if type_name.startswith("bool") else "int" if type_name.startswith("int") else "float"
    if p is None:
        if ":" in rest:
            parts = rest.split(":")
            if len(parts) not in (2, 3):
                raise ScenarioError(f"parameter '{spec}': a range is low:high or low:high:n")
            try:
                low, high = float(parts[0]), float(parts[1])
                n = int(parts[2]) if len(parts) == 3 else None
            except ValueError:
                raise ScenarioError(f"parameter '{spec}': low, high must be numbers and n an integer") from None
            if kind == "bool":
                raise ScenarioError(f"parameter '{spec_key}' is a switch: give values like true,false")
            p = ParamRange(spec_key, low, high, n, None, kind)
        else:
            p = ParamRange(spec_key, values=tuple(parse_value(v.strip()) for v in rest.split(",")), kind=kind)
    else:
        p = ParamRange(p.key, p.low, p.high, p.n, p.values, kind)
    lo, hi = meta["min"], meta["max"]
    bounds = f"allowed: {type_name} from {lo:g} to {hi:g} ({meta['unit']})" if lo is not None and hi is not None else ""
    nums = [p.low, p.high] if p.values is None else [v for v in p.values if isinstance(v, int | float)
                                                      and not isinstance(v, bool)]
    if p.values is None:
        if p.low > p.high:
            raise ScenarioError(f"parameter '{spec_key}': low {p.low:g} is above high {p.high:g}")
        if p.n is not None and p.n < 1:
            raise ScenarioError(f"parameter '{spec_key}': n = {p.n} must be ≥ 1")
    for v in nums:
        if (lo is not None and v < lo) or (hi is not None and v > hi):
            raise ScenarioError(f"parameter '{spec_key}' = {v:g} is out of range; {bounds}")
    return p


def parse_params(specs: Sequence[str | ParamRange] | Mapping[str, Any]) -> list[ParamRange]:
    """Parse several parameter specs (a mapping ``{key: (low, high[, n])}`` or ``{key: [values]}`` also works)."""
    if isinstance(specs, Mapping):
        items = []
        for k, v in specs.items():
            if isinstance(v, tuple) and len(v) in (2, 3):
                items.append(ParamRange(k, float(v[0]), float(v[1]), int(v[2]) if len(v) == 3 else None))
            else:
                items.append(ParamRange(k, values=tuple(v)))
        specs = items
    params = [parse_param(s) for s in specs]
    if not params:
        raise ScenarioError("give at least one parameter (--param section.key=low:high[:n])")
    keys = [p.key for p in params]
    if len(set(keys)) != len(keys):
        raise ScenarioError(f"parameter given twice: {', '.join(sorted({k for k in keys if keys.count(k) > 1}))}")
    return params


@dataclass(frozen=True)
class Design:
    """Policy levers and uncertainties of an experiment, kept apart.

    Attributes:
        levers: Ranges of what a government chooses.
        uncertainties: Ranges of what nobody controls.
    """

    levers: tuple[ParamRange, ...] = ()
    uncertainties: tuple[ParamRange, ...] = ()

    @classmethod
    def parse(cls, levers: Sequence[str | ParamRange] | Mapping[str, Any] = (),
              uncertainties: Sequence[str | ParamRange] | Mapping[str, Any] = ()) -> Design:
        """Parse and check both lists; a key may not be both a lever and an uncertainty.

        Raises:
            ScenarioError: A bad key or range, an empty design, or a key given twice.
        """
        lev = parse_params(levers) if levers else []
        unc = parse_params(uncertainties) if uncertainties else []
        if not lev and not unc:
            raise ScenarioError("give at least one parameter (--param section.key=low:high[:n])")
        both = sorted({p.key for p in lev} & {p.key for p in unc})
        if both:
            raise ScenarioError(f"parameter given as both lever and uncertainty: {', '.join(both)}")
        return cls(tuple(lev), tuple(unc))

    @property
    def params(self) -> list[ParamRange]:
        """Levers then uncertainties (the order of the design's columns)."""
        return [*self.levers, *self.uncertainties]

    @property
    def lever_keys(self) -> list[str]:
        """Keys of the levers."""
        return [p.key for p in self.levers]

    @property
    def uncertainty_keys(self) -> list[str]:
        """Keys of the uncertainties."""
        return [p.key for p in self.uncertainties]

    @property
    def roles(self) -> dict[str, str]:
        """``{key: "lever" | "uncertainty"}``."""
        return {**{k: "lever" for k in self.lever_keys}, **{k: "uncertainty" for k in self.uncertainty_keys}}

    def describe(self) -> dict[str, list[str]]:
        """The design as JSON-able text (for ``experiment.json``)."""
        return {"levers": [spec_text(p) for p in self.levers],
                "uncertainties": [spec_text(p) for p in self.uncertainties]}


def spec_text(p: ParamRange) -> str:
    """A parameter range written back as on the command line."""
    if p.values is not None:
        return f"{p.key}=" + ",".join(str(v).lower() if isinstance(v, bool) else str(v) for v in p.values)
    return f"{p.key}={p.low:g}:{p.high:g}" + (f":{p.n}" if p.n else "")


def design_points(params: list[ParamRange], design: str = "grid", samples: int | None = None,
                  root_seed: int = DEFAULT_ROOT) -> pd.DataFrame:
    """The design: one row per point, one column per parameter.

    Args:
        params: Parsed parameters.
        design: ``grid`` (every combination) or ``lhs`` (Latin hypercube, ``samples`` points).
        samples: Points of an LHS design.
        root_seed: Seed of the LHS draw (designs are reproducible).
    """
    if design == "grid":
        rows = list(itertools.product(*[p.grid() for p in params]))
    elif design == "lhs":
        if not samples or samples < 1:
            raise ScenarioError("an lhs design needs --samples ≥ 1")
        from scipy.stats import qmc

        unit = qmc.LatinHypercube(d=len(params), seed=np.random.default_rng(root_seed)).random(samples)
        cols = [p.scale(unit[:, j]) for j, p in enumerate(params)]
        rows = list(zip(*cols, strict=True))
    else:
        raise ScenarioError(f"design = '{design}': must be one of {', '.join(DESIGNS)}")
    frame = pd.DataFrame(rows, columns=[p.key for p in params])
    frame.insert(0, "point", [f"p{i:04d}" for i in range(len(frame))])
    return frame


def point_variants(scenario: str, design: pd.DataFrame) -> list[Variant]:
    """One variant per design point, named ``<scenario>:<point>``."""
    keys = [c for c in design.columns if c != "point"]
    return [Variant(f"{scenario}:{row['point']}", scenario, {k: _plain(row[k]) for k in keys})
            for _, row in design.iterrows()]


def _plain(v: Any) -> Any:
    return v.item() if hasattr(v, "item") else v


@dataclass
class SweepResult:
    """The outcome of :func:`sweep`.

    Attributes:
        design: One row per point: ``point`` and the parameter values.
        runs: One row per (point, seed): ``point``, parameter columns, ``seed`` and every summary figure.
        table: Per point and metric: parameters, ``metric, n, mean, ci_low, ci_high, ci_method``
            (95% interval over seeds; bounded figures use BCa, see :mod:`ecosim.experiments.statistics`).
        params: Parameter keys (levers, then uncertainties).
        metrics: Metrics in :attr:`table`.
        store: The result store.
        report: What the batch did.
    """

    design: pd.DataFrame
    runs: pd.DataFrame
    table: pd.DataFrame
    params: list[str]
    metrics: list[str]
    store: Any
    report: BatchReport
    levers: list[str] = field(default_factory=list)
    uncertainties: list[str] = field(default_factory=list)
    _experiment: ExperimentRuns | None = field(default=None, repr=False)

    @property
    def failures(self) -> pd.DataFrame:
        """Runs that failed."""
        return self.report.failed

    @property
    def roles(self) -> dict[str, str]:
        """``{key: "lever" | "uncertainty"}`` of every design column."""
        return {**{k: "lever" for k in self.levers}, **{k: "uncertainty" for k in self.uncertainties}}

    def monthly(self, metrics: Sequence[str] | None = None) -> pd.DataFrame:
        """Monthly metrics of every run, with ``point`` and the parameter columns."""
        names = list(self.design["point"])
        frame = self._experiment.monthly([f"{self._scenario}:{p}" for p in names], metrics)
        frame.insert(0, "point", frame.pop("scenario").str.rsplit(":", n=1).str[-1])
        return frame.merge(self.design, on="point")

    @property
    def _scenario(self) -> str:
        return self._experiment.tasks[0].scenario.rsplit(":", 1)[0]

    def plot(self, path: str | Path | None = None, metrics: Sequence[str] | None = None):
        """Each metric against each parameter; saved when a path is given."""
        from ecosim.experiments.figures import sweep_figure

        fig = sweep_figure(self.runs, self.params, list(metrics) if metrics else self.metrics[:4])
        if path is not None:
            fig.savefig(path, dpi=120, bbox_inches="tight")
        return fig


def sweep(
    scenario: str,
    params: Sequence[str | ParamRange] | Mapping[str, Any] = (),
    *,
    uncertainties: Sequence[str | ParamRange] | Mapping[str, Any] = (),
    design: str = "grid",
    samples: int | None = None,
    seeds: int | Sequence[int] = 5,
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
) -> SweepResult:
    """Run a scenario over a design of parameter values, every point on the same seeds.

    Args:
        scenario: Scenario name or path.
        params: Policy levers: specs (``"key=low:high[:n]"``, ``"key=a,b"``) or a mapping.
        uncertainties: Uncertainties, written the same way; sampled together with the levers.
        design: ``grid`` or ``lhs``.
        samples: Points of an LHS design.
        seeds: Number of seeds or a seed list.
        months: Horizon.
        firms: Initial startups.
        overrides: Overrides applied at every point.
        executor: ``serial``, ``processes`` or ``dask``.
        workers: Worker processes.
        scheduler: Running Dask scheduler address.
        out: Results folder (store, ``design.csv``, ``sweep.csv``, ``sweep.png``); temporary when None.
        metrics: Summary keys to tabulate (default: headline metrics).
        root_seed: Root of the seed tree (and of the LHS design).
        progress: Show a progress bar.
        batch_size: Runs written to the store per batch.
        plugins: Phases and metrics added to every run (:class:`ecosim.plugins.Plugins`).

    Raises:
        ScenarioError: A bad key, range, value or metric name, before any run starts.
    """
    plan = Design.parse(params, uncertainties)
    plist = plan.params
    if design not in DESIGNS:
        raise ScenarioError(f"design = '{design}': must be one of {', '.join(DESIGNS)}")
    pts = design_points(plist, design, samples, root_seed)
    variants = resolve_all(point_variants(scenario, pts), months=months, firms=firms, overrides=overrides)
    seed_list = derive_seeds(seeds, root_seed) if isinstance(seeds, int) else [int(s) for s in seeds]
    if metrics:
        check_metric_names(variants[0].scenario, metrics, plugins=plugins)
    exp = run_experiment(variants, seed_list, out, description="sweep", executor=executor, workers=workers,
                         scheduler=scheduler, progress=progress, batch_size=batch_size, plugins=plugins)
    keys = [p.key for p in plist]
    runs = exp.runs.copy()
    runs.insert(0, "point", runs.pop("scenario").str.rsplit(":", n=1).str[-1])
    runs = pts.merge(runs, on="point")
    wanted = list(metrics) if metrics else [m for m in HEADLINE_METRICS if m in runs.columns]
    check_metrics(runs, wanted)
    rows = []
    for point, grp in runs.groupby("point", sort=True):
        base = grp.iloc[0][["point", *keys]].to_dict()
        for m in wanted:
            n, mean, lo, hi, used = metric_ci(grp[m].to_numpy(), m)
            rows.append({**base, "metric": m, "n": n, "mean": mean, "ci_low": lo, "ci_high": hi, "ci_method": used})
    table = pd.DataFrame(rows)
    result = SweepResult(design=pts, runs=runs, table=table, params=keys, metrics=wanted, store=exp.store,
                         report=exp.report, levers=plan.lever_keys, uncertainties=plan.uncertainty_keys,
                         _experiment=exp)
    if exp.tmp is None:
        path = exp.store.path
        pts.to_csv(path / "design.csv", index=False)
        table.to_csv(path / "sweep.csv", index=False)
        (path / "experiment.json").write_text(json.dumps(
            {"kind": "sweep", "scenario": scenario, "params": [spec_text(p) for p in plist], **plan.describe(),
             "roles": plan.roles, "design": design,
             "samples": samples, "seeds": seed_list, "root_seed": root_seed, "months": months, "firms": firms,
             "overrides": dict(overrides or {}), "metrics": wanted}, indent=2, default=str))
        if not runs.empty:
            import matplotlib.pyplot as plt

            plt.close(result.plot(path / "sweep.png"))
    return result
