"""Figures for people: object-API figures without a backend switch, human metric names, honest sweep plots."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.collections import PathCollection, PolyCollection

from ecosim.experiments.figures import compare_figure, kernel_smooth, sweep_design, sweep_figure
from ecosim.outputs.dashboard import ONE_RUN_NOTE, dashboard_figure

SRC = Path(__file__).resolve().parents[2] / "src" / "ecosim"


def test_no_module_switches_the_matplotlib_backend_or_uses_pyplot_for_figures():
    """Importing ecosim never forces a backend (notebooks keep showing figures inline)."""
    for path in [SRC / "viz" / "charts.py", SRC / "outputs" / "dashboard.py", SRC / "experiments" / "figures.py"]:
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"matplotlib\.use\(", text), path
        assert "pyplot" not in text.replace("no pyplot state", ""), path


def _runs(design: str) -> pd.DataFrame:
    rng = np.random.default_rng(0)
    if design == "grid":
        pts = [(a, b) for a in (0.0, 0.5, 1.0) for b in (1.0, 2.0)]
    else:
        pts = list(zip(rng.random(12), 1 + rng.random(12), strict=True))
    rows = []
    for i, (a, b) in enumerate(pts):
        for seed in range(3):
            rows.append({"point": i, "pool.share": a, "guarantee.fee_rate": b, "seed": seed,
                         "total_new_loans": 10 * a + b + rng.normal(), "mean_npl_ratio": 0.01 * a + 0.001 * seed})
    return pd.DataFrame(rows)


def test_grid_sweeps_draw_mean_lines_with_ci_bands_and_human_labels():
    runs = _runs("grid")
    assert sweep_design(runs, ["pool.share", "guarantee.fee_rate"]) == "grid"
    fig = sweep_figure(runs, ["pool.share", "guarantee.fee_rate"], ["total_new_loans", "mean_npl_ratio"])
    ax = fig.axes[0]
    assert any(isinstance(c, PolyCollection) for c in ax.collections), "no confidence band"
    assert ax.get_ylabel() == "Loans paid out (m yuan)"
    assert fig.axes[2].get_ylabel() == "NPL ratio (monthly mean) (%)"
    assert max(fig.axes[2].lines[0].get_ydata()) > 0.5  # shares drawn in per cent


def test_lhs_sweeps_are_scatters_with_a_smoother_not_joined_points():
    runs = _runs("lhs")
    params = ["pool.share", "guarantee.fee_rate"]
    assert sweep_design(runs, params) == "lhs"
    fig = sweep_figure(runs, params, ["total_new_loans"])
    for ax in fig.axes:
        assert any(isinstance(c, PathCollection) for c in ax.collections)  # the runs as points
        (line,) = ax.lines  # only the smoother
        assert np.all(np.diff(line.get_xdata()) > 0) and len(line.get_xdata()) == 60
    assert "other" in fig.get_suptitle()


def test_kernel_smoother_recovers_a_line():
    x = np.linspace(0, 1, 200)
    got = kernel_smooth(x, 2 * x, np.array([0.5]), 0.05)
    assert abs(got[0] - 1.0) < 0.01


def test_compare_figure_names_metrics_with_units():
    table = pd.DataFrame([
        {"metric": "total_new_loans", "scenario": s, "mean": m, "ci_low": m - 1, "ci_high": m + 1, "diff": d,
         "diff_low": d - 1, "diff_high": d + 1} for s, m, d in (("a", 10.0, 0.0), ("b", 12.0, 2.0))])
    fig = compare_figure(table, ["total_new_loans"], ["a", "b"])
    assert fig.axes[0].get_title().startswith("Loans paid out (m yuan): mean")


def test_dashboard_is_in_years_from_zero_with_a_one_run_note():
    months = np.arange(1, 25)
    cols = ["firms_seed", "firms_early", "firms_growth", "firms_mature", "loan_balance", "new_loans",
            "credit_access_rate", "npl_ratio", "defaults", "loss_bank", "loss_guarantors", "loss_government",
            "equity_public", "equity_private", "public_spending", "patents", "listings", "acquisitions"]
    m = pd.DataFrame({"month": months, **{c: np.linspace(1, 3, len(months)) + 1800 * (c == "patents") for c in cols}})
    fig = dashboard_figure(m, "test")
    for ax in fig.axes:
        assert ax.get_xlabel() == "year" and ax.get_xlim()[1] == 2.0
        assert ax.get_ylim()[0] == 0, ax.get_title()
        legend = ax.get_legend()
        assert legend is not None and legend.get_bbox_to_anchor().y0 < ax.get_window_extent().y0  # below the axes
    assert ONE_RUN_NOTE in [t.get_text() for t in fig.texts]
