"""Policy search: which lever settings best serve one or more objectives, within constraints?

``optimise("baseline", ["pool.share=0:0.8", "exemption.max_loan=0:10"],
objectives=["credit_per_public_yuan:max"], constraints=["mean_npl_ratio<=0.03"])``
searches the levers' ranges with optuna's TPE sampler (several objectives give
a Pareto front). Every candidate policy is evaluated on the same seeds
(common random numbers), so candidates differ by their levers, not by luck;
its score is the mean over those seeds of each summary figure.

**Robust search.** With ``uncertainties`` (ranges of what nobody controls) and
``scenarios = K``, every candidate is evaluated on the same K points of a
Latin hypercube over the uncertainties, each on the same seeds. Each point's
figure is its seed mean; the candidate is scored by the mean over the points
(``robust="mean"``) or by its worst decile (``robust="worst_decile"``: the
10th percentile of an objective to maximise, the 90th of one to minimise and
of a ``<=`` constraint). Both statistics are kept for every trial.

**Resuming.** The study lives in ``out/study.db`` (SQLite) and the runs in
``out``'s result store: running the same call again continues the study up
to ``trials`` trials and reruns nothing already stored. A different problem in
the same folder is refused.

Written to ``out``: ``trials.csv`` (one row per trial: levers, scores of every
objective and constraint under both statistics, feasibility, Pareto
membership), ``best.json``, ``pareto.png`` (with two criteria: the first two
objectives, or the objective against the first constraint's figure, the
non-dominated feasible trials joined) and ``progress.png``.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ecosim.experiments.seeds import DEFAULT_ROOT, derive_seeds
from ecosim.experiments.statistics import check_metric_names
from ecosim.experiments.sweeps import Design, ParamRange, design_points
from ecosim.experiments.variants import Variant, resolve_all
from ecosim.scenario import ScenarioError

ROBUST = ("mean", "worst_decile")
_NAME = r"[A-Za-z_][A-Za-z0-9_]*"


@dataclass(frozen=True)
class Objective:
    """A summary figure to maximise or minimise (``credit_per_public_yuan:max``)."""

    metric: str
    sense: str  # "max" or "min"

    @property
    def direction(self) -> str:
        """optuna's direction."""
        return "maximize" if self.sense == "max" else "minimize"

    def __str__(self) -> str:
        return f"{self.metric}:{self.sense}"


@dataclass(frozen=True)
class Constraint:
    """A bound a summary figure must respect (``mean_npl_ratio<=0.03``)."""

    metric: str
    op: str  # "<=" or ">="
    bound: float

    def violation(self, value: float) -> float:
        """optuna's constraint value: ≤ 0 when respected (NaN counts as violated)."""
        if not math.isfinite(value):
            return 1.0
        return value - self.bound if self.op == "<=" else self.bound - value

    def __str__(self) -> str:
        return f"{self.metric}{self.op}{self.bound:g}"


def parse_objective(spec: str | Objective) -> Objective:
    """``metric:max`` or ``metric:min``.

    Raises:
        ScenarioError: One line naming what is allowed.
    """
    if isinstance(spec, Objective):
        return spec
    m = re.fullmatch(rf"\s*({_NAME})\s*:\s*(max|min)\s*", spec)
    if not m:
        raise ScenarioError(f"objective '{spec}': write it as summary_key:max or summary_key:min")
    return Objective(m.group(1), m.group(2))


def parse_constraint(spec: str | Constraint) -> Constraint:
    """``metric<=value`` or ``metric>=value``.

    Raises:
        ScenarioError: One line naming what is allowed.
    """
    if isinstance(spec, Constraint):
        return spec
    m = re.fullmatch(rf"\s*({_NAME})\s*(<=|>=)\s*([-+0-9.eE]+)\s*", spec)
    if not m:
        raise ScenarioError(f"constraint '{spec}': write it as summary_key<=value or summary_key>=value")
    try:
        bound = float(m.group(3))
    except ValueError:
        raise ScenarioError(f"constraint '{spec}': '{m.group(3)}' is not a number") from None
    return Constraint(m.group(1), m.group(2), bound)


def robust_score(values: np.ndarray, worse_is_high: bool, robust: str) -> float:
    """Mean, or worst decile (90th percentile when high is bad, 10th when low is bad), over points."""
    v = np.asarray(values, dtype=float)
    if np.isnan(v).any() or len(v) == 0:
        return math.nan
    if robust == "mean":
        return float(v.mean())
    return float(np.percentile(v, 90 if worse_is_high else 10))


@dataclass
class OptimiseResult:
    """The outcome of :func:`optimise`.

    Attributes:
        trials: One row per finished trial: ``number, state``, the levers, ``<metric>`` (the score),
            ``<metric>:mean`` and ``<metric>:worst_decile`` of every objective and constraint,
            ``feasible``, ``pareto``.
        best: The best feasible trial with a single objective; the feasible Pareto set with several.
        objectives: The objectives.
        constraints: The constraints.
        levers: Lever keys.
        uncertainties: Uncertainty keys.
        seeds: The seeds every candidate ran on.
        study: The optuna study.
    """

    trials: pd.DataFrame
    best: pd.DataFrame
    objectives: list[Objective]
    constraints: list[Constraint]
    levers: list[str]
    uncertainties: list[str]
    seeds: list[int]
    study: Any = field(repr=False, default=None)

    def plot_pareto(self, path: str | Path | None = None):
        """Trials in the plane of the first two criteria, the feasible non-dominated front joined."""
        import matplotlib.pyplot as plt

        xcol, ycol, xlabel, ylabel = self._axes()
        t = self.trials
        fig, ax = plt.subplots(figsize=(6.2, 4.6))
        ok = t["feasible"]
        ax.scatter(t.loc[~ok, xcol], t.loc[~ok, ycol], marker="x", c="grey", label="infeasible")
        ax.scatter(t.loc[ok, xcol], t.loc[ok, ycol], c=t.loc[ok, "number"], cmap="viridis", s=22,
                   label="feasible (colour: trial)")
        front = t[t["pareto"]].sort_values(xcol)
        if len(front):
            ax.plot(front[xcol], front[ycol], "-o", color="red", mfc="none", ms=9, label="Pareto front")
        for c in self.constraints:
            if ycol == c.metric:
                ax.axhline(c.bound, ls="--", color="k", lw=0.8, label=str(c))
        ax.set_xlabel(xlabel)
        ax.set_ylabel(ylabel)
        ax.set_title(f"policy search over {', '.join(self.levers)}", fontsize=9)
        ax.legend(fontsize=7)
        fig.tight_layout()
        if path is not None:
            fig.savefig(path, dpi=120, bbox_inches="tight")
        return fig

    def _axes(self) -> tuple[str, str, str, str]:
        o = self.objectives
        if len(o) >= 2:
            return o[0].metric, o[1].metric, str(o[0]), str(o[1])
        if self.constraints:
            c = self.constraints[0]
            return o[0].metric, c.metric, str(o[0]), f"{c.metric} (constraint {c})"
        return "number", o[0].metric, "trial", str(o[0])

    def plot_progress(self, path: str | Path | None = None):
        """Each objective's score by trial, with the best feasible score so far."""
        import matplotlib.pyplot as plt

        fig, axes = plt.subplots(len(self.objectives), 1, figsize=(6.2, 2.6 * len(self.objectives) + 0.4),
                                 squeeze=False)
        t = self.trials.sort_values("number")
        for ax, o in zip(axes[:, 0], self.objectives, strict=True):
            ax.plot(t["number"], t[o.metric], "o", ms=4, label="trial")
            feas = t[o.metric].where(t["feasible"])
            best = feas.cummax() if o.sense == "max" else feas.cummin()
            ax.step(t["number"], best, where="post", color="red", label="best feasible so far")
            ax.set_xlabel("trial")
            ax.set_ylabel(str(o), fontsize=8)
            ax.legend(fontsize=7)
        fig.tight_layout()
        if path is not None:
            fig.savefig(path, dpi=120, bbox_inches="tight")
        return fig


def _suggest(trial, p: ParamRange) -> Any:
    if p.values is not None:
        return trial.suggest_categorical(p.key, list(p.values))
    if p.kind == "int":
        return trial.suggest_int(p.key, int(math.ceil(p.low)), int(math.floor(p.high)))
    return trial.suggest_float(p.key, p.low, p.high)


def _start_point(scenario: str, levers: Sequence[ParamRange], months, firms, overrides) -> dict[str, Any] | None:
    """The scenario's own lever values, when all lie in the searched ranges (the first trial)."""
    base = resolve_all([scenario], months=months, firms=firms, overrides=overrides)[0].scenario.model_dump()
    start = {}
    for p in levers:
        section, _, name = p.key.partition(".")
        v = base.get(section, {}).get(name)
        if p.values is not None:
            if v not in p.values:
                return None
        elif v is None or not p.low <= v <= p.high:
            return None
        start[p.key] = v
    return start


def pareto_mask(points: np.ndarray) -> np.ndarray:
    """Non-dominated rows of ``points`` (every column to be maximised; NaN rows are dominated)."""
    pts = np.asarray(points, dtype=float)
    keep = ~np.isnan(pts).any(axis=1)
    out = np.zeros(len(pts), dtype=bool)
    for i in np.flatnonzero(keep):
        others = pts[keep]
        dominated = ((others >= pts[i]).all(axis=1) & (others > pts[i]).any(axis=1)).any()
        out[i] = not dominated
    return out


def optimise(
    scenario: str,
    levers: Sequence[str | ParamRange] | Mapping[str, Any],
    objectives: Sequence[str | Objective],
    constraints: Sequence[str | Constraint] = (),
    *,
    uncertainties: Sequence[str | ParamRange] | Mapping[str, Any] = (),
    scenarios: int = 8,
    robust: str = "mean",
    seeds: int | Sequence[int] = 3,
    trials: int = 30,
    months: int | None = None,
    firms: int | str | None = None,
    overrides: Mapping[str, Any] | None = None,
    executor: str = "serial",
    workers: int | None = None,
    scheduler: str | None = None,
    out: str | Path = "results/optimise",
    root_seed: int = DEFAULT_ROOT,
    sampler_seed: int = 0,
    start_from_scenario: bool = True,
    progress: bool = False,
    on_trial=None,
) -> OptimiseResult:
    """Search lever settings for the best objective values within the constraints.

    Args:
        scenario: Scenario name or path.
        levers: Ranges of the levers searched (``"key=low:high"`` or ``"key=a,b"``).
        objectives: ``metric:max`` / ``metric:min`` (several: multi-objective, Pareto front).
        constraints: ``metric<=value`` / ``metric>=value`` (scored like the objectives).
        uncertainties: Ranges of uncertainties for a robust search (empty: the scenario's own values).
        scenarios: Uncertainty points per candidate in a robust search (the same for every candidate).
        robust: ``mean`` or ``worst_decile`` over the uncertainty points.
        seeds: Seeds per evaluation, or a seed list (the same for every candidate).
        trials: Total trials of the study (trials already in ``out/study.db`` count).
        months: Horizon.
        firms: Initial startups.
        overrides: Overrides applied to every candidate.
        executor: ``serial``, ``processes`` or ``dask`` (for the runs of one candidate).
        workers: Worker processes.
        scheduler: Running Dask scheduler address.
        out: Folder of the study, the result store, tables and figures.
        root_seed: Root of the seed tree and of the uncertainty design.
        sampler_seed: Seed of the search itself.
        start_from_scenario: Make the scenario's own lever values the first trial when they lie in
            the ranges (so the search is measured against the current policy).
        progress: Show a progress bar for each candidate's runs.
        on_trial: Called after every trial with the optuna trial.

    Raises:
        ScenarioError: A bad lever, range, objective, constraint or metric name, a bad robust
            setting, or a study of another problem in ``out`` (all before any run).
    """
    import optuna

    from ecosim.experiments.batch import run_experiment

    plan = Design.parse(levers, uncertainties)
    if not plan.levers:
        raise ScenarioError("give at least one lever (--lever section.key=low:high)")
    objs = [parse_objective(o) for o in objectives]
    if not objs:
        raise ScenarioError("give at least one objective (--objective summary_key:max)")
    cons = [parse_constraint(c) for c in constraints]
    if robust not in ROBUST:
        raise ScenarioError(f"robust = '{robust}': must be one of {', '.join(ROBUST)}")
    if trials < 1:
        raise ScenarioError(f"trials = {trials}: must be ≥ 1")
    if plan.uncertainties and scenarios < 2:
        raise ScenarioError(f"scenarios = {scenarios}: a robust search needs at least 2 uncertainty points")
    seed_list = derive_seeds(seeds, root_seed) if isinstance(seeds, int) else [int(s) for s in seeds]
    if not seed_list:
        raise ScenarioError("give at least one seed")
    first = resolve_all([scenario], months=months, firms=firms, overrides=overrides)[0]
    check_metric_names(first.scenario, [o.metric for o in objs] + [c.metric for c in cons],
                       what="objective or constraint metric")
    points = (design_points(list(plan.uncertainties), "lhs", scenarios, root_seed).drop(columns="point")
              if plan.uncertainties else pd.DataFrame(index=[0]))
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    problem = {"scenario": scenario, **plan.describe(), "objectives": [str(o) for o in objs],
               "constraints": [str(c) for c in cons], "robust": robust, "scenarios": len(points),
               "seeds": seed_list, "months": first.scenario.run.months, "firms": first.scenario.run.firms,
               "overrides": dict(overrides or {}), "root_seed": root_seed}
    name = "policy-" + hashlib.sha256(json.dumps(problem, sort_keys=True, default=str).encode()).hexdigest()[:12]
    storage = f"sqlite:///{out / 'study.db'}"
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    others = [s.study_name for s in optuna.get_all_study_summaries(storage)] if (out / "study.db").exists() else []
    if others and name not in others:
        raise ScenarioError(f"'{out}' holds a policy search of another problem; give a new --out to start one")
    study = optuna.create_study(study_name=name, storage=storage, load_if_exists=True,
                                directions=[o.direction for o in objs])
    study.set_user_attr("problem", json.loads(json.dumps(problem, default=str)))

    def constraint_values(trial) -> Sequence[float]:
        return trial.user_attrs.get("constraints", [1.0] * len(cons))

    # optuna ≥ 5 reads constraints the trial sets itself; older versions ask the sampler's function
    native = hasattr(optuna.trial.Trial, "set_constraint")
    study.sampler = optuna.samplers.TPESampler(
        seed=sampler_seed + len(study.trials), n_startup_trials=max(3, min(10, trials // 3)),
        **({} if native or not cons else {"constraints_func": constraint_values}))
    if not study.trials and start_from_scenario:
        start = _start_point(scenario, plan.levers, months, firms, overrides)
        if start is not None:
            study.enqueue_trial(start)

    def evaluate(trial):
        values = {p.key: _suggest(trial, p) for p in plan.levers}
        variants = [Variant(f"{scenario}:t{trial.number:04d}:u{k:03d}", scenario,
                            {**values, **{c: _plain(row[c]) for c in points.columns}})
                    for k, (_, row) in enumerate(points.iterrows())]
        try:
            resolved = resolve_all(variants, months=months, firms=firms, overrides=overrides)
        except ScenarioError as exc:  # a lever combination the scenario schema refuses
            trial.set_user_attr("error", str(exc))
            raise optuna.TrialPruned(str(exc)) from None
        exp = run_experiment(resolved, seed_list, out, description=f"trial {trial.number}", executor=executor,
                             workers=workers, scheduler=scheduler, progress=progress)
        if not exp.report.ok:
            trial.set_user_attr("error", "; ".join(exp.report.failed["error"].astype(str).head(3)))
            raise optuna.TrialPruned("runs failed")
        per_point = exp.runs.groupby("scenario", sort=True)[[o.metric for o in objs] + [c.metric for c in cons]]
        per_point = per_point.mean()
        scores = {}
        for o in objs:
            for stat in ROBUST:
                scores[f"{o.metric}:{stat}"] = robust_score(per_point[o.metric], o.sense == "min", stat)
        for c in cons:
            for stat in ROBUST:
                scores[f"{c.metric}:{stat}"] = robust_score(per_point[c.metric], c.op == "<=", stat)
        for k, v in scores.items():
            trial.set_user_attr(k, v)
        violations = [c.violation(scores[f"{c.metric}:{robust}"]) for c in cons]
        trial.set_user_attr("constraints", violations)
        if native:
            for c, v in zip(cons, violations, strict=True):
                trial.set_constraint(str(c), v)
        result = [scores[f"{o.metric}:{robust}"] for o in objs]
        if any(not math.isfinite(v) for v in result):
            trial.set_user_attr("error", "an objective is undefined (NaN) for this candidate")
            raise optuna.TrialPruned("undefined objective")
        return result[0] if len(result) == 1 else result

    def callback(study_, trial) -> None:
        _table(study_, plan, objs, cons, robust).to_csv(out / "trials.csv", index=False, float_format="%.8g")
        if on_trial is not None:
            on_trial(trial)

    remaining = trials - sum(t.state.is_finished() for t in study.trials)
    if remaining > 0:
        study.optimize(evaluate, n_trials=remaining, callbacks=[callback])
    table = _table(study, plan, objs, cons, robust)
    if table.empty:
        raise ScenarioError("policy search: no trial completed (see trials' errors in study.db)")
    table.to_csv(out / "trials.csv", index=False, float_format="%.8g")
    best = _best(table, objs)
    result = OptimiseResult(trials=table, best=best, objectives=objs, constraints=cons, levers=plan.lever_keys,
                            uncertainties=plan.uncertainty_keys, seeds=seed_list, study=study)
    (out / "best.json").write_text(json.dumps(
        {"problem": problem, "best": best[["number", *plan.lever_keys, *[o.metric for o in objs]]]
         .to_dict(orient="records")}, indent=2, default=str))
    import matplotlib.pyplot as plt

    plt.close(result.plot_pareto(out / "pareto.png"))
    plt.close(result.plot_progress(out / "progress.png"))
    return result


def _best(table: pd.DataFrame, objs: list[Objective]) -> pd.DataFrame:
    """The best feasible trial (one objective) or the feasible Pareto set (several)."""
    feasible = table[table["feasible"]]
    if len(objs) > 1 or feasible.empty:
        return table[table["pareto"]].reset_index(drop=True)
    o = objs[0]
    i = feasible[o.metric].idxmax() if o.sense == "max" else feasible[o.metric].idxmin()
    return table.loc[[i]].reset_index(drop=True)


def _plain(v: Any) -> Any:
    return v.item() if hasattr(v, "item") else v


def _table(study, plan: Design, objs: list[Objective], cons: list[Constraint], robust: str) -> pd.DataFrame:
    import optuna

    rows = []
    for t in study.trials:
        if t.state != optuna.trial.TrialState.COMPLETE:
            continue
        row = {"number": t.number, **{k: t.params.get(k) for k in plan.lever_keys}}
        for m in [o.metric for o in objs] + [c.metric for c in cons]:
            row[m] = t.user_attrs.get(f"{m}:{robust}", math.nan)
            for stat in ROBUST:
                row[f"{m}:{stat}"] = t.user_attrs.get(f"{m}:{stat}", math.nan)
        row["feasible"] = all(v <= 0 for v in t.user_attrs.get("constraints", []))
        rows.append(row)
    frame = pd.DataFrame(rows)
    if frame.empty:
        return frame
    # the front: feasible, non-dominated in the objectives (or, with one objective and constraints,
    # in the objective and the first constraint's figure)
    cols = [(o.metric, 1 if o.sense == "max" else -1) for o in objs]
    if len(objs) == 1 and cons:
        cols.append((cons[0].metric, -1 if cons[0].op == "<=" else 1))
    signed = np.column_stack([frame[c].to_numpy(dtype=float) * s for c, s in cols])
    signed[~frame["feasible"].to_numpy()] = np.nan
    frame["pareto"] = pareto_mask(signed)
    if len(objs) == 1 and not cons:  # one criterion: the best trial
        best = frame[objs[0].metric].idxmax() if objs[0].sense == "max" else frame[objs[0].metric].idxmin()
        frame["pareto"] = frame.index == best
    return frame.sort_values("number").reset_index(drop=True)


__all__ = ["Constraint", "Objective", "OptimiseResult", "optimise", "parse_constraint", "parse_objective",
           "pareto_mask", "robust_score"]
