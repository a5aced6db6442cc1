"""Scenario discovery: under which combinations of levers and uncertainties does an outcome happen?

A sweep's runs are the cases: their inputs are the design's parameters
(policy levers and uncertainties, see :class:`ecosim.experiments.sweeps.Design`),
the case of interest is a summary figure above (or below) a threshold, e.g.
``mean_npl_ratio > 0.03`` or ``pool_balance <= 100``. Two rule-induction
methods describe where the cases of interest lie:

- **PRIM** (patient rule induction, EMA Workbench's ``ema_workbench.analysis.prim``)
  peels the parameter space down to boxes dense in cases of interest. Each box
  on the peeling trajectory trades *coverage* (share of all cases of interest
  inside the box) against *density* (share of the box's cases that are of
  interest); the box kept is the one with the highest harmonic mean of the two
  (or the one named by ``box_index``). Up to ``max_boxes`` boxes are found, each
  on the cases the earlier boxes left.
- **CART** (a classification tree, scikit-learn's ``DecisionTreeClassifier``
  through EMA Workbench's ``cart``) splits the space into leaves, each a box
  with its own coverage and density.

Written to ``out``: ``boxes.csv`` (one row per box and parameter: role, low,
high, whether restricted, the restriction's quasi-p-values, coverage, density,
mass, cases), ``peeling.csv``
(each PRIM box's trajectory), ``cart_boxes.csv``, and the figures
``prim_peeling.png`` (the trade-off, coloured by restricted dimensions) and
``prim_boxes.png`` (each box's ranges against the full ranges).
"""

from __future__ import annotations

import json
import operator
import re
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from ecosim.scenario import ScenarioError

#: Comparison operators of an outcome written as ``name OP value``.
OPERATORS = {">": operator.gt, ">=": operator.ge, "<": operator.lt, "<=": operator.le}
_CONDITION = re.compile(r"^\s*([A-Za-z_][A-Za-z0-9_]*)\s*(>=|<=|>|<)\s*([-+0-9.eE]+)\s*$")


@dataclass(frozen=True)
class Condition:
    """The case of interest: ``metric OP threshold``.

    Attributes:
        metric: A summary key of the runs.
        op: One of :data:`OPERATORS`.
        threshold: The value compared against.
    """

    metric: str
    op: str
    threshold: float

    def __str__(self) -> str:
        return f"{self.metric} {self.op} {self.threshold:g}"

    def __call__(self, values: pd.Series) -> np.ndarray:
        """Which cases are of interest (NaN is not)."""
        return OPERATORS[self.op](values.to_numpy(dtype=float), self.threshold)


def parse_condition(outcome: str, threshold: float | None = None, below: bool = False) -> Condition:
    """``"mean_npl_ratio>0.03"``, or a name with ``threshold`` (above it, or at or below it with ``below``).

    Raises:
        ScenarioError: One line naming what is allowed.
    """
    m = _CONDITION.match(outcome)
    if m:
        if threshold is not None:
            raise ScenarioError(f"outcome '{outcome}' already has a threshold; drop --threshold")
        return Condition(m.group(1), m.group(2), float(m.group(3)))
    if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", outcome.strip()):
        raise ScenarioError(f"outcome '{outcome}': give a summary key, optionally as key>value, key<=value, …")
    if threshold is None:
        raise ScenarioError(f"outcome '{outcome}': give --threshold VALUE (or write it as {outcome}>VALUE)")
    return Condition(outcome.strip(), "<=" if below else ">", float(threshold))


@dataclass
class Cases:
    """A sweep's runs as cases for discovery.

    Attributes:
        x: One row per run, one column per design parameter (numbers; switches as 0/1).
        outcomes: The runs' summary figures, aligned with ``x``.
        roles: ``{parameter: "lever" | "uncertainty"}``.
    """

    x: pd.DataFrame
    outcomes: pd.DataFrame
    roles: dict[str, str]


def load_cases(path: str | Path) -> Cases:
    """Read a sweep's results folder: parameters from each run's overrides, roles from ``experiment.json``.

    Raises:
        ScenarioError: Not a results folder, or no run with parameters.
    """
    from ecosim.experiments.store import ResultStore

    path = Path(path)
    if not (path / "store.json").exists():
        raise ScenarioError(f"'{path}' is not a results folder (no store.json)")
    runs = ResultStore(path).runs()
    if runs.empty:
        raise ScenarioError(f"'{path}' holds no completed runs")
    params = pd.DataFrame([json.loads(p) if p else {} for p in runs["params"]])
    if params.empty or params.shape[1] == 0:
        raise ScenarioError(f"'{path}': the runs have no parameters (discovery needs a sweep)")
    roles = {k: "lever" for k in params.columns}
    info = path / "experiment.json"
    if info.exists():
        roles.update({k: v for k, v in json.loads(info.read_text()).get("roles", {}).items() if k in roles})
    return cases_from_frame(params, runs.drop(columns=["params"]), roles)


def cases_from_frame(x: pd.DataFrame, outcomes: pd.DataFrame, roles: dict[str, str] | None = None) -> Cases:
    """Cases from a parameter table and an outcome table of the same length (e.g. ``SweepResult.runs``).

    Switches become 0/1 and listed text values their position in sorted order; runs missing a
    parameter (runs of another experiment in the same folder) are left out, and so are parameters
    that do not vary.
    """
    keep = x.notna().all(axis=1).to_numpy()  # runs without the design's parameters (another experiment)
    x = x.loc[keep].reset_index(drop=True).copy()
    outcomes = outcomes.loc[keep]
    for col in x.columns:
        values = x[col]
        if values.dtype == bool or values.dtype == object and set(values) <= {True, False}:
            x[col] = values.astype(int)
        elif values.dtype.kind in "iu":
            x[col] = values.astype(np.int64)
        elif values.dtype.kind == "f":
            x[col] = values.astype(float)
        else:  # listed text values: their position in sorted order
            x[col] = values.astype(str).map({v: i for i, v in enumerate(sorted(set(values.astype(str))))})
    varying = [c for c in x.columns if x[c].nunique() > 1]
    return Cases(x[varying], outcomes.reset_index(drop=True), {k: (roles or {}).get(k, "lever") for k in varying})


@dataclass
class DiscoveryResult:
    """The outcome of :func:`discover`.

    Attributes:
        condition: The case of interest.
        boxes: PRIM boxes: ``box, param, role, low, high, full_low, full_high, restricted, qp_low,
            qp_high, coverage, density, mass, n, cases``. ``qp_*`` are the quasi-p-values of the
            lower and upper restriction (Bryant and Lempert 2010, a one-sided binomial test of
            whether dropping it would lower the density): above 0.05, the restriction is not
            significant.
        peeling: Each PRIM box's peeling trajectory: ``box, step, coverage, density, mass, res_dim, n``.
        cart: CART leaves: ``box, param, low, high, coverage, density, mass``.
        n_cases: Runs of interest.
        n_runs: Runs considered.
    """

    condition: Condition
    boxes: pd.DataFrame
    peeling: pd.DataFrame
    cart: pd.DataFrame
    n_cases: int
    n_runs: int

    def plot_peeling(self, path: str | Path | None = None):
        """Coverage against density along each box's trajectory (the kept box circled)."""
        import matplotlib.pyplot as plt

        fig, ax = plt.subplots(figsize=(6, 4.5))
        sc = None
        for box, grp in self.peeling.groupby("box"):
            sc = ax.scatter(grp["coverage"], grp["density"], c=grp["res_dim"], cmap="viridis", s=18,
                            marker="os^"[int(box) % 3], label=f"box {box}")
            kept = self.boxes[self.boxes["box"] == box].iloc[0]
            ax.scatter([kept["coverage"]], [kept["density"]], s=140, facecolors="none", edgecolors="red")
        if sc is not None:
            fig.colorbar(sc, ax=ax, label="restricted dimensions")
        ax.set_xlabel("coverage (share of cases of interest in the box)")
        ax.set_ylabel("density (share of the box's runs of interest)")
        ax.set_title(f"PRIM peeling trajectory: {self.condition}", fontsize=10)
        ax.set_xlim(0, 1.02)
        ax.set_ylim(0, 1.02)
        ax.legend(fontsize=8, loc="lower left")
        fig.tight_layout()
        if path is not None:
            fig.savefig(path, dpi=120, bbox_inches="tight")
        return fig

    def plot_boxes(self, path: str | Path | None = None):
        """Each box's restricted ranges as bars over the parameters' full ranges (0 = low end, 1 = high)."""
        import matplotlib.pyplot as plt

        restricted = self.boxes[self.boxes["restricted"]]
        params = list(dict.fromkeys(restricted["param"])) or list(dict.fromkeys(self.boxes["param"]))
        nbox = max(1, self.boxes["box"].nunique())
        fig, ax = plt.subplots(figsize=(7, 0.6 * len(params) * nbox + 1.4))
        height = 0.8 / nbox
        for i, (box, grp) in enumerate(self.boxes.groupby("box")):
            g = grp.set_index("param").reindex(params)
            span = (g["full_high"] - g["full_low"]).replace(0, np.nan)
            lo = ((g["low"] - g["full_low"]) / span).fillna(0)
            hi = ((g["high"] - g["full_low"]) / span).fillna(1)
            y = np.arange(len(params)) + i * height
            first = grp.iloc[0]
            ax.barh(y, hi - lo, left=lo, height=height * 0.9,
                    label=f"box {box}: coverage {first['coverage']:.2f}, density {first['density']:.2f}")
            for yy, p, a, b in zip(y, params, g["low"], g["high"], strict=True):
                ax.text(1.01, yy, f"{a:.3g} – {b:.3g}", va="center", fontsize=7)
        labels = [f"{p} ({self.boxes.loc[self.boxes['param'] == p, 'role'].iloc[0]})" for p in params]
        ax.set_yticks(np.arange(len(params)) + height * (nbox - 1) / 2, labels, fontsize=8)
        ax.set_xlim(0, 1.25)
        ax.set_xlabel("position within the parameter's sampled range")
        ax.invert_yaxis()
        ax.set_title(f"PRIM boxes: {self.condition}", fontsize=10)
        ax.legend(fontsize=7, loc="lower right")
        fig.tight_layout()
        if path is not None:
            fig.savefig(path, dpi=120, bbox_inches="tight")
        return fig


def discover(
    source: str | Path | Cases,
    outcome: str,
    threshold: float | None = None,
    *,
    below: bool = False,
    out: str | Path | None = None,
    max_boxes: int = 2,
    box_index: int | None = None,
    peel_alpha: float = 0.05,
    mass_min: float = 0.05,
    cart_mass_min: float = 0.05,
) -> DiscoveryResult:
    """PRIM and CART on a sweep's runs.

    Args:
        source: A sweep's results folder or :class:`Cases`.
        outcome: A summary key (with ``threshold``) or a condition such as ``"mean_npl_ratio>0.03"``.
        threshold: Threshold of ``outcome`` when it is a plain key (cases of interest are above it).
        below: Cases of interest are at or below the threshold.
        out: Folder for ``boxes.csv``, ``peeling.csv``, ``cart_boxes.csv`` and the figures.
        max_boxes: PRIM boxes to find at most.
        box_index: Step of the trajectory to keep for the first box (default: best harmonic mean
            of coverage and density).
        peel_alpha: Share of cases PRIM peels per step.
        mass_min: Smallest share of all runs a PRIM box may hold.
        cart_mass_min: Smallest share of all runs in a CART leaf.

    Raises:
        ScenarioError: A bad outcome, an unknown summary key, or no case (or every case) of interest.
    """
    cond = parse_condition(outcome, threshold, below)
    for name, value, lo, hi in (("peel_alpha", peel_alpha, 0.0, 0.5), ("mass_min", mass_min, 0.0, 0.5),
                                ("cart_mass_min", cart_mass_min, 0.0, 0.5)):
        if not lo < value <= hi:
            raise ScenarioError(f"{name} = {value:g}: must be above {lo:g} and at most {hi:g}")
    if max_boxes < 1:
        raise ScenarioError(f"max_boxes = {max_boxes}: must be ≥ 1")
    cases = source if isinstance(source, Cases) else load_cases(source)
    if cond.metric not in cases.outcomes.columns:
        known = ", ".join(c for c in cases.outcomes.columns if cases.outcomes[c].dtype.kind == "f")
        raise ScenarioError(f"unknown outcome '{cond.metric}'; allowed: the summary keys {known}")
    if cases.x.shape[1] == 0:
        raise ScenarioError("no parameter varies across the runs: nothing to discover")
    y = cond(cases.outcomes[cond.metric])
    n_cases = int(y.sum())
    if n_cases == 0 or n_cases == len(y):
        raise ScenarioError(f"{n_cases} of {len(y)} runs have {cond}: choose a threshold that splits them")
    boxes, peeling = _prim(cases, y, max_boxes, box_index, peel_alpha, mass_min)
    cart = _cart(cases, y, cart_mass_min)
    result = DiscoveryResult(cond, boxes, peeling, cart, n_cases, len(y))
    if out is not None:
        _write(result, Path(out))
    return result


def _prim(cases: Cases, y: np.ndarray, max_boxes: int, box_index: int | None, peel_alpha: float,
          mass_min: float) -> tuple[pd.DataFrame, pd.DataFrame]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # EMA Workbench warns about optional parallel back-ends
        from ema_workbench.analysis import prim

        finder = prim.Prim(cases.x, y, peel_alpha=peel_alpha, mass_min=mass_min)
        full = finder.box_init
        rows, traj = [], []
        for b in range(1, max_boxes + 1):
            box = finder.find_box()
            if box is None:
                break
            t = box.peeling_trajectory.reset_index(drop=True)
            if b == 1 and box_index is not None:
                if not 0 <= box_index < len(t):
                    raise ScenarioError(f"box_index = {box_index}: the trajectory has steps 0 to {len(t) - 1}")
                step = box_index
            else:
                f1 = 2 * t["coverage"] * t["density"] / (t["coverage"] + t["density"]).replace(0, np.nan)
                step = int(f1.fillna(0).to_numpy().argmax())
            box.select(step)
            traj.append(t.assign(box=b, step=np.arange(len(t)))[["box", "step", "coverage", "density", "mass",
                                                                  "res_dim", "n"]])
            lim = box.box_lims[step]
            stats = t.iloc[step]
            qp = box.p_values[step] if step < len(box.p_values) else {}
            for col in cases.x.columns:
                lo, hi = float(lim.loc[0, col]), float(lim.loc[1, col])
                flo, fhi = float(full.loc[0, col]), float(full.loc[1, col])
                q = [np.nan if v is None or v < 0 else float(v) for v in qp.get(col, [np.nan, np.nan])]
                rows.append({"box": b, "param": col, "role": cases.roles.get(col, "lever"), "low": lo, "high": hi,
                             "full_low": flo, "full_high": fhi, "restricted": bool(lo > flo or hi < fhi),
                             "qp_low": q[0], "qp_high": q[1],
                             "coverage": float(stats["coverage"]), "density": float(stats["density"]),
                             "mass": float(stats["mass"]), "n": int(stats["n"]),
                             "cases": int(round(stats["density"] * stats["n"]))})
            if stats["density"] <= y.mean():
                break  # no better than the whole space: further boxes say nothing
    return pd.DataFrame(rows), pd.concat(traj, ignore_index=True) if traj else pd.DataFrame()


def _cart(cases: Cases, y: np.ndarray, mass_min: float) -> pd.DataFrame:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from ema_workbench.analysis import cart

        # a leaf holds at least one run however few runs there are
        tree = cart.CART(cases.x, y, mass_min=max(mass_min, 1.5 / len(y)))
        tree.build_tree()
        stats = tree.stats_to_dataframe()
        limits = tree.boxes_to_dataframe()
    rows = []
    for i, name in enumerate(stats.index, start=1):
        s = stats.loc[name]
        for param in limits.index:
            rows.append({"box": i, "param": param, "low": float(limits.loc[param, (name, "min")]),
                         "high": float(limits.loc[param, (name, "max")]), "coverage": float(s["coverage"]),
                         "density": float(s["density"]), "mass": float(s["mass"])})
    return pd.DataFrame(rows)


def _write(result: DiscoveryResult, out: Path) -> None:
    import matplotlib.pyplot as plt  # EMA Workbench draws PRIM's figures with pyplot; no backend is forced

    out.mkdir(parents=True, exist_ok=True)
    result.boxes.to_csv(out / "boxes.csv", index=False)
    result.peeling.to_csv(out / "peeling.csv", index=False)
    result.cart.to_csv(out / "cart_boxes.csv", index=False)
    (out / "discovery.json").write_text(json.dumps(
        {"condition": str(result.condition), "runs": result.n_runs, "cases_of_interest": result.n_cases},
        indent=2))
    plt.close(result.plot_peeling(out / "prim_peeling.png"))
    plt.close(result.plot_boxes(out / "prim_boxes.png"))


def restricted_boxes(result: DiscoveryResult) -> pd.DataFrame:
    """Only the restricted rows of the PRIM boxes (what the boxes say)."""
    return result.boxes[result.boxes["restricted"]].reset_index(drop=True)


__all__: Sequence[str] = ("Cases", "Condition", "DiscoveryResult", "cases_from_frame", "discover", "load_cases",
                          "parse_condition", "restricted_boxes")
