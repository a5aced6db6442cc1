"""Validation: run a scenario over many seeds and score it against the published targets.

:func:`load_targets` reads ``targets.toml``; :func:`measure_seeds` runs a
scenario for each seed (in a process pool) and computes every target's
quantity; :func:`run_validation` turns the per-seed values into a
:class:`Scorecard` — per target the simulated mean with its 95% confidence
interval, the accepted band and pass, fail or "not available in this model
version" (which counts as a failure).
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, ValidationError, model_validator
from scipy import stats

from ecosim.scenario import Scenario, ScenarioError, load_scenario
from ecosim.validation.quantities import QUANTITIES, RunData, measure

#: The targets shipped with the project.
TARGETS_FILE = Path(__file__).with_name("targets.toml")

PASS, FAIL, MISSING = "pass", "fail", "not available in this model version"


class Target(BaseModel):
    """One published figure the model is compared with.

    Attributes:
        id: Short name.
        name: What the figure is.
        quantity: Name of the simulated quantity (see ``ecosim.validation.quantities``).
        low: Lower end of the published figure or range.
        high: Upper end (equal to ``low`` for a point figure).
        tolerance: How far outside ``[low, high]`` the simulated mean may lie and still pass.
        unit: Unit of the figure.
        source: Where the figure comes from.
        scaling: How the model's output is made comparable with the figure.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str
    name: str
    quantity: str
    low: float
    high: float
    tolerance: float
    unit: str
    source: str
    scaling: str

    @model_validator(mode="after")
    def _check(self) -> Target:
        if self.high < self.low:
            raise ValueError(f"high ({self.high:g}) is below low ({self.low:g})")
        if self.tolerance < 0:
            raise ValueError(f"tolerance must be ≥ 0 (got {self.tolerance:g})")
        return self

    @property
    def band(self) -> tuple[float, float]:
        """The accepted range of the simulated mean."""
        return self.low - self.tolerance, self.high + self.tolerance

    @property
    def centre(self) -> float:
        """Middle of the published range (the moment the calibration aims at)."""
        return 0.5 * (self.low + self.high)

    @property
    def scale(self) -> float:
        """Half-width of the accepted band (the unit of distance in the calibration)."""
        lo, hi = self.band
        return max(0.5 * (hi - lo), 1e-12)

    def passes(self, value: float) -> bool:
        lo, hi = self.band
        return bool(lo <= value <= hi)


def load_targets(path: str | Path | None = None) -> list[Target]:
    """Read validation targets from a TOML file (default: the project's ``targets.toml``).

    Raises:
        ScenarioError: One line naming the target and field at fault.
    """
    path = Path(path) if path is not None else TARGETS_FILE
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ScenarioError(f"targets file '{path}': {exc}") from None
    targets = []
    for i, raw in enumerate(data.get("target", [])):
        try:
            targets.append(Target.model_validate(raw))
        except ValidationError as exc:
            err = exc.errors()[0]
            where = ".".join(str(p) for p in err["loc"]) or "target"
            raise ScenarioError(f"target {raw.get('id', i)!r} in '{path.name}': {where}: {err['msg']}") from None
        if targets[-1].quantity not in QUANTITIES:
            raise ScenarioError(f"target {raw['id']!r}: unknown quantity '{raw['quantity']}' "
                                f"(known: {', '.join(sorted(QUANTITIES))})")
    ids = [t.id for t in targets]
    if len(set(ids)) != len(ids):
        raise ScenarioError(f"targets file '{path.name}': duplicate target ids")
    return targets


# --------------------------------------------------------------------------- running


def measure_run(scenario: Scenario | dict, seed: int, names: Sequence[str] | None = None) -> tuple[dict, dict]:
    """Run one seed and compute the named quantities: ``(values, reasons_not_available)``."""
    from ecosim.runner import simulate

    result = simulate(scenario, seed, keep_model=True)
    run = RunData.from_model(result.model, result.metrics, result.summary)
    return measure(run, list(names) if names is not None else None)


def _measure_job(args: tuple) -> tuple[int, dict, dict]:
    scenario, seed, names = args
    values, missing = measure_run(scenario, seed, names)
    return seed, values, missing


def measure_seeds(
    scenario: Scenario,
    seeds: Iterable[int],
    names: Sequence[str] | None = None,
    *,
    workers: int | None = None,
    executor: ProcessPoolExecutor | None = None,
    on_done: Callable[[int], None] | None = None,
) -> pd.DataFrame:
    """Run ``scenario`` for each seed and return one row per seed: ``seed`` and one column per quantity.

    A quantity not available in a run is NaN in its row; the reasons are in ``frame.attrs["missing"]``.

    Args:
        scenario: The validated scenario.
        seeds: Seeds to run.
        names: Quantities to compute (default: all registered).
        workers: Processes (default: the machine's CPU count; 1 runs in this process).
        executor: An existing process pool to reuse (then ``workers`` is ignored).
        on_done: Called with each seed as it finishes (progress).
    """
    seeds = [int(s) for s in seeds]
    data = scenario.model_dump()
    jobs = [(data, s, None if names is None else list(names)) for s in seeds]
    workers = workers or os.cpu_count() or 1
    results = []
    if executor is None and (workers <= 1 or len(jobs) <= 1):
        for job in jobs:
            results.append(_measure_job(job))
            if on_done:
                on_done(job[1])
    else:
        pool = executor or ProcessPoolExecutor(max_workers=min(workers, len(jobs)))
        try:
            for out in pool.map(_measure_job, jobs):
                results.append(out)
                if on_done:
                    on_done(out[0])
        finally:
            if executor is None:
                pool.shutdown()
    wanted = list(names) if names is not None else list(QUANTITIES)
    rows, missing = [], {}
    for seed, values, why in results:
        rows.append({"seed": seed, **{n: values.get(n, np.nan) for n in wanted}})
        for n, reason in why.items():
            missing.setdefault(n, reason)
    frame = pd.DataFrame(rows, columns=["seed", *wanted])
    frame.attrs["missing"] = missing
    return frame


def mean_ci(values: np.ndarray, level: float = 0.95) -> tuple[float, float, float]:
    """Mean and two-sided t confidence interval of the mean (NaN bounds with fewer than two values)."""
    v = np.asarray(values, dtype=float)
    v = v[~np.isnan(v)]
    if len(v) == 0:
        return float("nan"), float("nan"), float("nan")
    m = float(v.mean())
    if len(v) < 2:
        return m, float("nan"), float("nan")
    half = float(stats.t.ppf(0.5 + level / 2, len(v) - 1) * v.std(ddof=1) / np.sqrt(len(v)))
    return m, m - half, m + half


# --------------------------------------------------------------------------- scoring


@dataclass
class Scorecard:
    """The model against its targets.

    Attributes:
        table: One row per target: id, name, unit, low, high, tolerance, band_low, band_high,
            n (seeds with a value), mean, ci_low, ci_high, status, note, source, scaling.
        runs: One row per seed with every quantity.
        scenario: Name of the scenario scored.
    """

    table: pd.DataFrame
    runs: pd.DataFrame
    scenario: str

    @property
    def passed(self) -> bool:
        """Whether every target passed."""
        return bool((self.table["status"] == PASS).all())

    @property
    def failures(self) -> list[str]:
        """Ids of targets that failed or are not available."""
        return self.table.loc[self.table["status"] != PASS, "id"].tolist()

    def to_csv(self, path: str | Path) -> Path:
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        self.table.to_csv(path, index=False, float_format="%.6g")
        return path

    def plot(self, path: str | Path | None = None):
        """One small panel per target: accepted band, published range, simulated mean with 95% CI."""
        return plot_scorecard(self, path)


def score(targets: Sequence[Target], runs: pd.DataFrame, scenario: str = "") -> Scorecard:
    """Compare per-seed quantities with the targets."""
    missing = runs.attrs.get("missing", {})
    rows = []
    for t in targets:
        values = runs[t.quantity].to_numpy(dtype=float) if t.quantity in runs else np.array([])
        n = int((~np.isnan(values)).sum())
        mean, lo, hi = mean_ci(values)
        if n == 0:
            status, note = MISSING, missing.get(t.quantity, "not computed")
        else:
            status = PASS if t.passes(mean) else FAIL
            note = "" if n == len(values) else f"available in {n} of {len(values)} runs"
        band_lo, band_hi = t.band
        rows.append({
            "id": t.id, "name": t.name, "unit": t.unit, "low": t.low, "high": t.high, "tolerance": t.tolerance,
            "band_low": band_lo, "band_high": band_hi, "n": n, "mean": mean, "ci_low": lo, "ci_high": hi,
            "status": status, "note": note, "source": t.source, "scaling": t.scaling,
        })
    return Scorecard(table=pd.DataFrame(rows), runs=runs, scenario=scenario)


def run_validation(
    scenario: str | Scenario = "baseline",
    *,
    seeds: int | Sequence[int] = 20,
    firms: int | str | None = None,
    months: int | None = None,
    targets: Sequence[Target] | None = None,
    workers: int | None = None,
    overrides: dict[str, Any] | None = None,
    on_done: Callable[[int], None] | None = None,
) -> Scorecard:
    """Run a scenario over many seeds and score it against the targets.

    Args:
        scenario: Scenario name, path or validated scenario (default: the calibrated baseline).
        seeds: Number of seeds (1..N) or an explicit list.
        firms: Initial startups override (number or size preset).
        months: Horizon override.
        targets: Targets (default: ``targets.toml``).
        workers: Processes for the runs.
        overrides: Dotted-key parameter overrides.
        on_done: Called with each seed as it finishes.
    """
    if isinstance(scenario, Scenario):
        sc = scenario
        if firms is not None or months is not None or overrides:
            from ecosim.scenario import apply_overrides, resolve_size, validate_scenario

            extra = dict(overrides or {})
            if firms is not None:
                extra["run.firms"] = resolve_size(firms)
            if months is not None:
                extra["run.months"] = months
            sc = validate_scenario(apply_overrides(sc.model_dump(), extra))
    else:
        sc = load_scenario(scenario, overrides or {}, months=months, firms=firms)
    targets = list(targets) if targets is not None else load_targets()
    seed_list = list(range(1, seeds + 1)) if isinstance(seeds, int) else list(seeds)
    names = sorted({t.quantity for t in targets})
    runs = measure_seeds(sc, seed_list, names, workers=workers, on_done=on_done)
    return score(targets, runs, sc.name)


def plot_scorecard(card: Scorecard, path: str | Path | None = None):
    """Draw the scorecard: per target, the accepted band (grey), the published figure (black) and the
    simulated mean with its 95% CI (green when it passes, red when it fails; a note when not available)."""
    from ecosim.outputs.figure import ShownFigure

    t = card.table
    n = len(t)
    cols = 3
    rows = max(1, int(np.ceil(n / cols)))
    fig = ShownFigure(figsize=(4.2 * cols, 1.7 * rows + 0.6), layout="constrained")
    axes = fig.subplots(rows, cols, squeeze=False)
    for ax, (_, r) in zip(axes.flat, t.iterrows(), strict=False):
        lo, hi = r["band_low"], r["band_high"]
        ax.axvspan(lo, hi, color="0.88", label="accepted")
        ax.plot([r["low"], r["high"]], [0, 0], color="black", lw=4, solid_capstyle="butt", label="published")
        if r["low"] == r["high"]:
            ax.plot([r["low"]], [0], "k|", ms=18)
        span = [lo, hi]
        if r["status"] == MISSING:
            ax.text(0.5, 0.62, "not available\nin this model version", transform=ax.transAxes, ha="center",
                    va="center", fontsize=8, color="tab:red")
        else:
            colour = "tab:green" if r["status"] == PASS else "tab:red"
            err = None
            if not np.isnan(r["ci_low"]):
                err = [[r["mean"] - r["ci_low"]], [r["ci_high"] - r["mean"]]]
                span += [r["ci_low"], r["ci_high"]]
            ax.errorbar([r["mean"]], [0.5], xerr=err, fmt="o", color=colour, capsize=4)
            span.append(r["mean"])
        pad = 0.15 * (max(span) - min(span) or abs(max(span)) or 1.0)
        ax.set_xlim(min(span) - pad, max(span) + pad)
        ax.set_ylim(-0.6, 1.2)
        ax.set_yticks([])
        ax.set_title(f"{r['id']} — {r['status']}", fontsize=9)
        ax.set_xlabel(r["unit"], fontsize=8)
        ax.tick_params(labelsize=7)
    for ax in list(axes.flat)[n:]:
        ax.set_visible(False)
    passed = int((t["status"] == PASS).sum())
    fig.suptitle(f"Validation of '{card.scenario}': {passed}/{n} targets pass "
                 f"({len(card.runs)} seeds; mean and 95% CI)", fontsize=11, parse_math=False)
    if path is not None:
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        fig.savefig(path, dpi=120)
    return fig
