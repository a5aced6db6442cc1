"""Calibration by the method of simulated moments over declared free parameters.

The free parameters, their bounds and the moments that identify them are data
(``calibration.toml``); the moments are validation targets (``targets.toml``).
For a candidate parameter vector θ the scenario runs over a fixed set of seeds
(common random numbers: every candidate sees the same entrants and shocks),
by default seeds from :data:`FIRST_SEED` on, disjoint from the seeds ``ecosim
validate`` scores (1..N), so that the scorecard tests the calibration on runs
it was not fitted to;
each moment is averaged over the seeds, and the distance is

    J(θ) = Σ_k ((m_k(θ) - m_k*) / s_k)²

with ``m_k*`` the middle of target k's published range and ``s_k`` the
half-width of its accepted band (a diagonal weighting matrix: a moment one
tolerance off its band edge counts as much in any unit). A moment the model
cannot produce adds a fixed penalty.

The search uses optuna: the objective is a noisy black box with no gradients,
runs are expensive, and optuna keeps every evaluation in an SQLite study, so a
calibration interrupted at any point resumes where it stopped (``history.db``;
``history.csv`` is the same table for reading). The first evaluation is always
the scenario as it stands, so the history records the distance before
calibration. Two samplers: ``tpe`` (the default; a global search over the
bounds) and ``cmaes`` (CMA-ES started at the scenario's values with a step of
``cmaes_step`` of each parameter's range, in log space for log parameters: a
local refinement when a change to the model moves an existing calibration).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import tomllib
import warnings
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, ValidationError

from ecosim.scenario import SCENARIO_DIR, Scenario, ScenarioError, load_scenario, parameter_table
from ecosim.validation.validate import Target, load_targets, measure_seeds

#: The calibration set-up shipped with the project.
CALIBRATION_FILE = Path(__file__).with_name("calibration.toml")
#: First seed of a calibration's evaluations: far above the validation's seeds (1..N), so that a
#: calibrated model is validated out of sample (on seeds it was not fitted to).
FIRST_SEED = 1001
#: Distance added for each moment the model cannot produce.
MISSING_PENALTY = 100.0


class FreeParameter(BaseModel):
    """A parameter the calibration may change, within ``[low, high]`` (searched on a log scale if ``log``)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    path: str
    low: float
    high: float
    log: bool = False
    why: str = ""


class CalibrationSetup(BaseModel):
    """Free parameters and the target ids used as moments."""

    model_config = ConfigDict(extra="forbid")

    moments: list[str]
    free: list[FreeParameter]


def load_setup(path: str | Path | None = None, targets: list[Target] | None = None) -> CalibrationSetup:
    """Read and check a calibration set-up: known parameters, bounds inside their ranges, known moments.

    Raises:
        ScenarioError: One line naming what is wrong.
    """
    path = Path(path) if path is not None else CALIBRATION_FILE
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
        setup = CalibrationSetup.model_validate(raw)
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ScenarioError(f"calibration file '{path}': {exc}") from None
    except ValidationError as exc:
        err = exc.errors()[0]
        raise ScenarioError(f"calibration file '{path.name}': {'.'.join(map(str, err['loc']))}: {err['msg']}") from None
    params = {row["path"]: row for row in parameter_table()}
    for fp in setup.free:
        row = params.get(fp.path)
        if row is None:
            raise ScenarioError(f"free parameter '{fp.path}' is not a scenario parameter (see `ecosim params`)")
        lo, hi = row["min"], row["max"]
        if fp.low >= fp.high or (lo is not None and fp.low < lo) or (hi is not None and fp.high > hi):
            raise ScenarioError(f"free parameter '{fp.path}': bounds {fp.low:g}..{fp.high:g} must be increasing "
                                f"and inside its range {lo:g}..{hi:g}")
        if fp.log and fp.low <= 0:
            raise ScenarioError(f"free parameter '{fp.path}': a log-scale search needs low > 0")
    known = {t.id for t in (targets if targets is not None else load_targets())}
    for m in setup.moments:
        if m not in known:
            raise ScenarioError(f"moment '{m}' is not a target id (known: {', '.join(sorted(known))})")
    return setup


def distance(means: dict[str, float], targets: list[Target]) -> float:
    """The simulated-moments distance J of a set of mean moments from their targets."""
    total = 0.0
    for t in targets:
        v = means.get(t.id, float("nan"))
        total += MISSING_PENALTY if np.isnan(v) else ((v - t.centre) / t.scale) ** 2
    return float(total)


@dataclass
class CalibrationResult:
    """What a calibration found.

    Attributes:
        best_params: Best free-parameter values.
        best_distance: J at the best values.
        start_params: Free-parameter values before calibration (the first evaluation).
        start_distance: J before calibration.
        history: One row per evaluation: number, distance, each parameter, each moment.
        scenario_file: The written scenario file (None when not written).
    """

    best_params: dict[str, float]
    best_distance: float
    start_params: dict[str, float]
    start_distance: float
    history: pd.DataFrame
    scenario_file: Path | None = None
    moments_best: dict[str, float] = field(default_factory=dict)
    moments_start: dict[str, float] = field(default_factory=dict)


def _get(data: dict, path: str) -> Any:
    section, _, name = path.partition(".")
    return data[section][name]


def calibrate(
    scenario: str = "baseline",
    *,
    budget: int = 100,
    seeds: int = 4,
    first_seed: int = FIRST_SEED,
    firms: int | str | None = 1_000,
    months: int | None = 120,
    setup: CalibrationSetup | None = None,
    history: str | Path = "results/calibration/history.db",
    out: str | Path | None = SCENARIO_DIR / "calibrated.toml",
    workers: int | None = None,
    sampler_seed: int = 0,
    sampler: str = "tpe",
    cmaes_step: float = 0.15,
    on_trial: Callable[[int, float, float], None] | None = None,
    only: list[str] | None = None,
) -> CalibrationResult:
    """Calibrate the free parameters of a scenario by simulated moments.

    Args:
        scenario: Scenario to calibrate (its current values are the starting point).
        budget: Total evaluations in the study (evaluations already in the history count).
        seeds: Seeds per evaluation (the same seeds for every candidate).
        first_seed: The first of them (``first_seed .. first_seed + seeds - 1``); the default keeps
            them apart from the validation's seeds.
        firms: Initial startups per run during calibration.
        months: Horizon per run (survival at 10 years needs at least 120).
        setup: Free parameters and moments (default: ``calibration.toml``).
        history: SQLite file of the study; rerunning with the same file resumes it.
        out: Scenario file to write the calibrated values into (None: do not write).
        workers: Processes for the seeds of one evaluation.
        sampler_seed: Seed of the search itself.
        sampler: ``"tpe"`` (global search) or ``"cmaes"`` (local search from the scenario's values).
        cmaes_step: CMA-ES initial step as a share of each parameter's (log-)range.
        on_trial: Called after every evaluation with (number, distance, best distance so far).
        only: Free only these parameters of the set-up (a partial calibration, e.g. after a change
            that concerns one moment); the others keep their values, and the scenario file written
            keeps the values it holds for them.
    """
    import optuna

    if sampler not in SAMPLERS:
        raise ScenarioError(f"calibration: sampler = {sampler!r}; allowed: {', '.join(SAMPLERS)}")
    targets_all = {t.id: t for t in load_targets()}
    setup = setup or load_setup(targets=list(targets_all.values()))
    if only:
        setup = restrict_setup(setup, only)
    moments = [targets_all[m] for m in setup.moments]
    base = load_scenario(scenario, months=months, firms=firms)
    base_data = base.model_dump()
    quantities = sorted({t.quantity for t in moments})
    if first_seed < 0:
        raise ScenarioError(f"calibration: first_seed = {first_seed}; allowed: a seed of 0 or more")
    seed_list = list(range(first_seed, first_seed + seeds))
    key = json.dumps({"scenario": scenario, "firms": base.run.firms, "months": base.run.months, "seeds": seed_list,
                      "setup": setup.model_dump()}, sort_keys=True)
    study_name = "msm-" + hashlib.sha256(key.encode()).hexdigest()[:12]
    history = Path(history)
    history.parent.mkdir(parents=True, exist_ok=True)
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    study = optuna.create_study(
        study_name=study_name,
        storage=f"sqlite:///{history}",
        load_if_exists=True,
        direction="minimize",
    )
    # A resumed study draws fresh proposals (the seed moves on with the history) and the sampler
    # learns from every evaluation already stored.
    start = {fp.path: float(_get(base_data, fp.path)) for fp in setup.free}
    study.sampler = _sampler(sampler, setup, start, sampler_seed + len(study.trials), budget, cmaes_step)
    if not study.trials:
        study.enqueue_trial({fp.path: min(max(start[fp.path], fp.low), fp.high) for fp in setup.free})
    n_workers = min(workers or os.cpu_count() or 1, seeds)
    pool = ProcessPoolExecutor(max_workers=n_workers) if n_workers > 1 else None

    def objective(trial) -> float:
        values = {fp.path: trial.suggest_float(fp.path, fp.low, fp.high, log=fp.log) for fp in setup.free}
        data = {k: dict(v) if isinstance(v, dict) else v for k, v in base_data.items()}
        for path, v in values.items():
            section, _, name = path.partition(".")
            data[section][name] = v
        sc = Scenario.model_validate(data)
        runs = measure_seeds(sc, seed_list, quantities, workers=n_workers, executor=pool)
        means = {t.id: float(np.nanmean(runs[t.quantity])) if runs[t.quantity].notna().any() else float("nan")
                 for t in moments}
        for tid, v in means.items():
            trial.set_user_attr(tid, v)
        return distance(means, moments)

    def progress(study_, trial) -> None:
        _write_csv(study_, history.with_suffix(".csv"))
        if on_trial is not None and trial.value is not None:
            on_trial(trial.number, trial.value, study_.best_value)

    remaining = budget - len(_completed(study))
    try:
        if remaining > 0:
            study.optimize(objective, n_trials=remaining, callbacks=[progress])
    finally:
        if pool is not None:
            pool.shutdown()
    done = _completed(study)
    if not done:
        raise ScenarioError("calibration: no evaluation completed")
    first = done[0]
    best = study.best_trial
    result = CalibrationResult(
        best_params=dict(best.params), best_distance=float(best.value),
        start_params=dict(first.params), start_distance=float(first.value),
        history=_write_csv(study, history.with_suffix(".csv")),
        moments_best={t.id: best.user_attrs.get(t.id, float("nan")) for t in moments},
        moments_start={t.id: first.user_attrs.get(t.id, float("nan")) for t in moments},
    )
    if out is not None:
        result.scenario_file = write_calibrated(result, setup, Path(out), scenario=scenario, budget=budget,
                                                seeds=seed_list, firms=base.run.firms, months=base.run.months,
                                                keep_others=bool(only))
    return result


SAMPLERS = ("tpe", "cmaes")


def _sampler(name: str, setup: CalibrationSetup, start: dict[str, float], seed: int, budget: int, step: float):
    """The optuna sampler of the search (see the module docstring)."""
    import optuna

    if name == "tpe":
        return optuna.samplers.TPESampler(seed=seed, n_startup_trials=max(5, min(20, budget // 4)))
    if name == "cmaes":
        x0 = {fp.path: min(max(start[fp.path], fp.low), fp.high) for fp in setup.free}
        # optuna's CMA-ES works on the unit cube of the (log-)bounds: the step is a share of it.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # x0 and sigma0 carry a deprecation notice in optuna 4.9
            return optuna.samplers.CmaEsSampler(x0=x0, sigma0=step, seed=seed, n_startup_trials=0,
                                                warn_independent_sampling=False)
    raise ScenarioError(f"calibration: sampler = {name!r}; allowed: {', '.join(SAMPLERS)}")


def _completed(study) -> list:
    import optuna

    return [t for t in study.trials if t.state == optuna.trial.TrialState.COMPLETE]


def _write_csv(study, path: Path) -> pd.DataFrame:
    rows = []
    for t in _completed(study):
        rows.append({"number": t.number, "distance": t.value, **t.params,
                     **{f"moment.{k}": v for k, v in t.user_attrs.items()}})
    frame = pd.DataFrame(rows)
    frame.to_csv(path, index=False, float_format="%.8g")
    return frame


def _seed_range(seeds: Any) -> str:
    """``seeds`` as the header states them: "20 seeds (1001-1020)" for a list, else as given."""
    if isinstance(seeds, list) and seeds:
        return f"{len(seeds)} seeds ({seeds[0]}-{seeds[-1]})"
    return f"{seeds} seeds"


def restrict_setup(setup: CalibrationSetup, only: list[str]) -> CalibrationSetup:
    """The set-up with only the free parameters named in ``only`` (same bounds, same moments).

    Raises:
        ScenarioError: A name that is not a free parameter of the set-up.
    """
    free = {fp.path: fp for fp in setup.free}
    for path in only:
        if path not in free:
            raise ScenarioError(f"calibration: --only {path!r} is not a free parameter; allowed: {', '.join(free)}")
    return CalibrationSetup(moments=setup.moments, free=[free[p] for p in dict.fromkeys(only)])


def write_calibrated(result: CalibrationResult, setup: CalibrationSetup, path: Path, *,
                     keep_others: bool = False, **info: Any) -> Path:
    """Write the calibrated free parameters as a scenario file (only the free parameters, by section).

    Values are written at full precision: a run's path depends on every digit of its parameters, so
    only the exact values reproduce the best evaluation's runs (and its moments) seed by seed.

    Args:
        keep_others: A partial calibration: keep the values ``path`` already holds for parameters
            this set-up does not free, and the lines of its header that say where they came from
            (including those it kept from calibrations before it).
    """
    sections: dict[str, dict[str, float]] = {}
    kept_header: list[str] = []
    if keep_others and path.exists():
        text = path.read_text(encoding="utf-8")
        for section, values in tomllib.loads(text).items():
            if isinstance(values, dict):
                sections[section] = dict(values)
        # The file's own record, then the records it had kept itself: a chain of partial
        # calibrations keeps where every value came from, newest first.
        header = text.splitlines()
        kept_header = ["# Kept from the calibration before: " + line.removeprefix("# ") for line in header
                       if line.startswith(("# Date:", "# Distance J:", "# Moments", "# Partial calibration:"))]
        kept_header += [line for line in header if line.startswith("# Kept from the calibration")]
    for fp in setup.free:
        section, _, name = fp.path.partition(".")
        sections.setdefault(section, {})[name] = float(result.best_params[fp.path])
    moments = ", ".join(f"{k} {result.moments_start.get(k, float('nan')):.3f} → {v:.3f}"
                        for k, v in result.moments_best.items())
    lines = [
        "# Calibrated firm-side parameters (method of simulated moments; see docs/ODD.md, Calibration).",
        "# Written by `ecosim calibrate`: do not edit by hand, rerun the calibration instead.",
        f"# Date: {dt.date.today().isoformat()}. Base scenario: {info.get('scenario')}; "
        f"{info.get('firms')} firms, {info.get('months')} months, {_seed_range(info.get('seeds'))} per evaluation, "
        f"budget {info.get('budget')} evaluations.",
        f"# Distance J: {result.start_distance:.3f} before, {result.best_distance:.3f} after.",
        f"# Moments (before → after): {moments}.",
    ]
    if keep_others:
        lines.append("# Partial calibration: only " + ", ".join(fp.path for fp in setup.free)
                     + " re-fitted; the other values are kept.")
        lines += kept_header
    lines += [
        'description = "Calibrated free parameters; every other value takes the schema default."',
    ]
    for section, values in sections.items():
        lines.append(f"\n[{section}]")
        lines += [f"{k} = {v!r}" for k, v in values.items()]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path
