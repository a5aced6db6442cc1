"""Figures of experiments: comparisons, sweeps and sensitivity indices (matplotlib, no display needed)."""

from __future__ import annotations

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402


def compare_figure(table: pd.DataFrame, metrics: list[str], scenarios: list[str], *, ci: str = "t"):
    """One row per metric: scenario means with CI bars (left), paired differences vs the first (right)."""
    metrics = [m for m in metrics if m in set(table["metric"])]
    n = max(1, len(metrics))
    fig, axes = plt.subplots(n, 2, figsize=(10, 2.1 * n + 0.6), squeeze=False)
    label = "95% t-CI" if ci == "t" else "95% bootstrap CI"
    y = np.arange(len(scenarios))
    for row, metric in enumerate(metrics):
        t = table[table["metric"] == metric].set_index("scenario").reindex(scenarios)
        ax = axes[row, 0]
        ax.errorbar(t["mean"], y, xerr=[t["mean"] - t["ci_low"], t["ci_high"] - t["mean"]], fmt="o", capsize=3)
        ax.set_yticks(y, scenarios)
        ax.invert_yaxis()
        ax.set_title(f"{metric}: mean ({label})", fontsize=9)
        ax = axes[row, 1]
        d = t.iloc[1:]
        yd = y[1:]
        ax.axvline(0, color="grey", lw=0.8)
        if len(d):
            ax.errorbar(d["diff"], yd, xerr=[d["diff"] - d["diff_low"], d["diff_high"] - d["diff"]], fmt="s",
                        color="C3", capsize=3)
        ax.set_yticks(y, scenarios)
        ax.set_ylim(len(scenarios) - 0.5, -0.5)
        ax.set_title(f"{metric}: paired difference vs {scenarios[0]}", fontsize=9)
    for ax in axes.ravel():
        ax.tick_params(labelsize=8)
    fig.tight_layout()
    return fig


def sweep_figure(runs: pd.DataFrame, params: list[str], metrics: list[str]):
    """Each metric against each swept parameter: one point per run, the mean over seeds as a line."""
    fig, axes = plt.subplots(len(metrics), len(params), figsize=(3.6 * len(params), 2.6 * len(metrics)),
                             squeeze=False)
    for i, metric in enumerate(metrics):
        for j, p in enumerate(params):
            ax = axes[i, j]
            ax.scatter(runs[p], runs[metric], s=8, alpha=0.4)
            mean = runs.groupby(p)[metric].mean()
            if len(mean) <= 50:
                ax.plot(mean.index, mean.values, color="C3", lw=1.2)
            ax.set_xlabel(p, fontsize=8)
            ax.set_ylabel(metric, fontsize=8)
            ax.tick_params(labelsize=7)
    fig.tight_layout()
    return fig


def sensitivity_figure(table: pd.DataFrame, method: str):
    """Bar charts of sensitivity indices with their confidence intervals, one panel per metric."""
    metrics = list(dict.fromkeys(table["metric"]))
    fig, axes = plt.subplots(len(metrics), 1, figsize=(7, 2.2 * len(metrics) + 0.5), squeeze=False)
    for ax, metric in zip(axes[:, 0], metrics, strict=True):
        t = table[table["metric"] == metric]
        y = np.arange(len(t))
        if method == "morris":
            ax.barh(y, t["mu_star"], xerr=t["mu_star_conf"], capsize=3, label="μ*")
            ax.set_title(f"{metric}: Morris μ* (95% CI)", fontsize=9)
        else:
            ax.barh(y - 0.2, t["S1"], 0.4, xerr=t["S1_conf"], capsize=3, label="first order S1")
            ax.barh(y + 0.2, t["ST"], 0.4, xerr=t["ST_conf"], capsize=3, label="total ST")
            ax.set_title(f"{metric}: Sobol indices (95% CI)", fontsize=9)
            ax.legend(fontsize=7)
        ax.set_yticks(y, t["param"])
        ax.invert_yaxis()
        ax.tick_params(labelsize=8)
    fig.tight_layout()
    return fig
