"""Figures of experiments: comparisons, sweeps and sensitivity indices.

Each function returns a :class:`matplotlib.figure.Figure` built with the
object API (no pyplot state, no backend switched at import), so figures show
in notebooks and save anywhere. Metrics are named by their human names and
units from :mod:`ecosim.outputs.labels` (shares in per cent); parameters by
their dotted key and unit from the scenario schema.

A grid sweep is drawn as the mean over seeds with its 95% confidence band
against each parameter (one line per combination of the other parameters
when there are few). A Latin-hypercube sweep varies every parameter at once,
so joining its points into a curve would hide the others: it is drawn as a
scatter of the runs against each parameter, one panel per parameter, with a
kernel-smoothed mean and a note that the other parameters vary.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from ecosim.outputs.figure import ShownFigure
from ecosim.outputs.labels import has_label, metric_label, metric_name


def _scale(metric: str) -> float:
    """Factor from stored to shown values (100 for shares)."""
    return metric_label(metric).unit.scale if has_label(metric) else 1.0


def _param_label(key: str) -> str:
    """A swept parameter's key with its unit."""
    from ecosim.scenario import parameter_table

    units = {row["path"]: row["unit"] for row in parameter_table()}
    unit = units.get(key, "")
    return f"{key} ({unit})" if unit and unit != "switch" else key


def compare_figure(table: pd.DataFrame, metrics: list[str], scenarios: list[str], *, ci: str = "t") -> Figure:
    """One row per metric: scenario means with CI bars (left), paired differences vs the first (right)."""
    metrics = [m for m in metrics if m in set(table["metric"])]
    n = max(1, len(metrics))
    fig = ShownFigure(figsize=(11, 2.3 * n + 0.8), layout="constrained")
    axes = fig.subplots(n, 2, squeeze=False)
    ci_text = "95% t-CI" if ci == "t" else "95% bootstrap CI"
    y = np.arange(len(scenarios))
    for row, metric in enumerate(metrics):
        k = _scale(metric)
        t = table[table["metric"] == metric].set_index("scenario").reindex(scenarios)
        name = metric_name(metric, unit=True)
        ax = axes[row, 0]
        ax.errorbar(k * t["mean"], y, xerr=[k * (t["mean"] - t["ci_low"]), k * (t["ci_high"] - t["mean"])], fmt="o",
                    capsize=3)
        ax.set_yticks(y, scenarios)
        ax.invert_yaxis()
        ax.set_title(f"{name}: mean ({ci_text})", fontsize=10)
        ax.grid(axis="x", alpha=0.3)
        ax = axes[row, 1]
        d = t.iloc[1:]
        ax.axvline(0, color="grey", lw=0.8)
        if len(d):
            ax.errorbar(k * d["diff"], y[1:], xerr=[k * (d["diff"] - d["diff_low"]), k * (d["diff_high"] - d["diff"])],
                        fmt="s", color="C3", capsize=3)
        ax.set_yticks(y, scenarios)
        ax.set_ylim(len(scenarios) - 0.5, -0.5)
        ax.set_title(f"{name}: paired difference vs {scenarios[0]}", fontsize=10)
        ax.grid(axis="x", alpha=0.3)
    for ax in axes.ravel():
        ax.tick_params(labelsize=9)
    return fig


def sweep_design(runs: pd.DataFrame, params: list[str]) -> str:
    """``"lhs"`` when every design point has its own value of every parameter (a space-filling design), else ``"grid"``."""
    points = runs.drop_duplicates(params)
    if len(params) > 1 and len(points) > 2 and all(points[p].nunique() == len(points) for p in params):
        return "lhs"
    return "grid"


def _mean_band(values: pd.Series) -> tuple[float, float, float]:
    from ecosim.experiments.statistics import mean_ci

    _, mean, lo, hi = mean_ci(values.to_numpy(float))
    return mean, lo, hi


def kernel_smooth(x: np.ndarray, y: np.ndarray, grid: np.ndarray, bandwidth: float) -> np.ndarray:
    """Nadaraya-Watson mean of ``y`` against ``x`` with a Gaussian kernel, at the ``grid`` points."""
    ok = np.isfinite(x) & np.isfinite(y)
    x, y = x[ok], y[ok]
    if not len(x) or bandwidth <= 0:
        return np.full(len(grid), np.nan)
    w = np.exp(-0.5 * ((grid[:, None] - x[None, :]) / bandwidth) ** 2)
    return (w * y[None, :]).sum(axis=1) / np.maximum(w.sum(axis=1), 1e-300)


def sweep_figure(runs: pd.DataFrame, params: list[str], metrics: list[str], design: str | None = None) -> Figure:
    """Each metric (rows) against each swept parameter (columns).

    Args:
        runs: One row per (point, seed) with the parameter columns and the metrics.
        params: Swept parameter keys.
        metrics: Metrics to draw.
        design: ``"grid"`` or ``"lhs"``; detected from the runs when None (:func:`sweep_design`).
    """
    design = design or sweep_design(runs, params)
    fig = ShownFigure(figsize=(4.2 * len(params) + 0.6, 3.0 * len(metrics) + 0.8), layout="constrained")
    axes = fig.subplots(len(metrics), len(params), squeeze=False)
    for i, metric in enumerate(metrics):
        k = _scale(metric)
        for j, p in enumerate(params):
            ax = axes[i, j]
            others = [q for q in params if q != p]
            if design == "lhs":
                ax.scatter(runs[p], k * runs[metric], s=10, alpha=0.45, color="C0", label="one run")
                x = runs[p].to_numpy(float)
                grid = np.linspace(np.nanmin(x), np.nanmax(x), 60)
                smooth = kernel_smooth(x, k * runs[metric].to_numpy(float), grid, 0.12 * (np.nanmax(x) - np.nanmin(x)))
                ax.plot(grid, smooth, color="C3", lw=1.8, label="smoothed mean")
                if i == 0 and j == 0:
                    ax.legend(fontsize=8, loc="best")
            else:
                combos = runs.groupby(others, sort=True) if others else [((), runs)]
                combos = list(combos)
                if len(combos) > 6:  # too many lines: the mean over the other parameters
                    combos = [(("mean over the other parameters",), runs)]
                for c, (key, group) in enumerate(combos):
                    stats = group.groupby(p)[metric].apply(_mean_band)
                    xs = stats.index.to_numpy(float)
                    mean = k * np.array([s[0] for s in stats])
                    lo = k * np.array([s[1] for s in stats])
                    hi = k * np.array([s[2] for s in stats])
                    text = ", ".join(f"{q}={v:g}" if isinstance(v, (int, float)) else str(v)
                                     for q, v in zip(others, key if isinstance(key, tuple) else (key,), strict=False))
                    ax.plot(xs, mean, marker="o", ms=3, color=f"C{c}", label=text or "mean over seeds")
                    ax.fill_between(xs, lo, hi, color=f"C{c}", alpha=0.18, lw=0)
                if i == 0 and j == 0:
                    ax.legend(fontsize=8, loc="best", title="95% CI band over seeds", title_fontsize=8)
            ax.set_xlabel(_param_label(p), fontsize=9)
            ax.set_ylabel(metric_name(metric, unit=True), fontsize=9)
            ax.grid(alpha=0.3)
            ax.tick_params(labelsize=8)
    if design == "lhs":
        fig.suptitle("Latin-hypercube sweep: every run varies all parameters at once; "
                     "each panel shows one of them, the others vary", fontsize=10)
    return fig


def sensitivity_figure(table: pd.DataFrame, method: str) -> Figure:
    """Bar charts of sensitivity indices with their confidence intervals, one panel per metric."""
    metrics = list(dict.fromkeys(table["metric"]))
    fig = ShownFigure(figsize=(7.5, 2.4 * len(metrics) + 0.6), layout="constrained")
    axes = fig.subplots(len(metrics), 1, squeeze=False)
    for ax, metric in zip(axes[:, 0], metrics, strict=True):
        t = table[table["metric"] == metric]
        y = np.arange(len(t))
        name = metric_name(metric, unit=True)
        if method == "morris":
            ax.barh(y, t["mu_star"], xerr=t["mu_star_conf"], capsize=3, label="μ*")
            ax.set_title(f"{name}: Morris μ* (95% CI)", fontsize=10)
        else:
            ax.barh(y - 0.2, t["S1"], 0.4, xerr=t["S1_conf"], capsize=3, label="first order S1")
            ax.barh(y + 0.2, t["ST"], 0.4, xerr=t["ST_conf"], capsize=3, label="total ST")
            ax.set_title(f"{name}: Sobol indices (95% CI)", fontsize=10)
            ax.legend(fontsize=8)
        ax.set_yticks(y, t["param"])
        ax.invert_yaxis()
        ax.tick_params(labelsize=9)
        ax.grid(axis="x", alpha=0.3)
    return fig
