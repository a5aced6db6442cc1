"""The one-page dashboard of a run: firms by stage, credit, loan quality, defaults, losses by party, equity, innovation.

Drawn with matplotlib's object API on a :class:`~matplotlib.figure.Figure` of
its own (no pyplot state), so it works in scripts and notebooks alike. Time
runs in years; every axis starts at zero; legends sit below their panel, clear
of the data; names and units come from :mod:`ecosim.outputs.labels`. A note
says that the page shows one run, a single draw of the model.

The page has a fixed layout (:data:`PAGE`: eight equal panels with room below
each for its legend), so it is drawn once when saved: no layout engine measuring
every label on each draw, no extra pass to crop the page. Monthly defaults are
one stepped area rather than a bar per month.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from ecosim.outputs.figure import ShownFigure
from ecosim.outputs.labels import metric_name

STAGE_COLOURS = ("#a6d96a", "#66bd63", "#1a9850", "#006837")
PARTY_COLOURS = {"loss_bank": "#4575b4", "loss_guarantors": "#fdae61", "loss_government": "#9e0142"}
#: Size of the page (inches; saved at 100 dpi) and where the panels sit on it (fractions of the page).
FIGSIZE = (16.0, 10.0)
PAGE = {"left": 0.055, "right": 0.985, "top": 0.92, "bottom": 0.15, "wspace": 0.3, "hspace": 0.6}
ONE_RUN_NOTE = ("One run: a single random draw of the model. Differences between scenarios need many seeds "
                "(ecosim compare A B --seeds 20), which give confidence intervals.")


def _legend_below(ax: Axes, ncols: int = 2) -> None:
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.2), ncols=ncols, fontsize=9, frameon=False)


def _finish(ax: Axes, title: str, ylabel: str, years: pd.Series) -> None:
    ax.set_title(title, fontsize=11)
    ax.set_ylabel(ylabel, fontsize=9)
    ax.set_xlabel("year", fontsize=9)
    ax.set_xlim(0, max(1.0, float(years.max())) if len(years) else 1.0)
    ax.set_ylim(bottom=0)
    ax.grid(alpha=0.3)
    ax.tick_params(labelsize=9)


def title_fonts(title: str) -> list[str] | None:
    """Font families for a page title: the default font, then a CJK font for a name with Chinese characters.

    ``None`` (matplotlib's default) when the title has none or no CJK font is installed (the characters
    then show as boxes, and matplotlib warns).
    """
    if not any(ord(ch) >= 0x2E80 for ch in title):
        return None
    from ecosim.viz.charts import FontError, find_cjk_font

    try:
        return ["DejaVu Sans", find_cjk_font()]
    except FontError:
        return None


def dashboard_figure(metrics: pd.DataFrame, title: str = "") -> Figure:
    """Eight panels from a run's monthly metrics (``metrics.csv``), on one figure.

    Args:
        metrics: One row per month (see :data:`ecosim.outputs.metrics.METRICS`).
        title: Headline of the page (scenario and seed).
    """
    m = metrics
    x = m["month"] / 12.0
    fig = ShownFigure(figsize=FIGSIZE)
    ax = fig.subplots(2, 4, gridspec_kw=PAGE)

    a = ax[0, 0]
    a.stackplot(x, m["firms_seed"], m["firms_early"], m["firms_growth"], m["firms_mature"],
                labels=["seed", "early", "growth", "mature"], colors=STAGE_COLOURS, alpha=0.9)
    _finish(a, "Startups operating, by stage", "firms", x)
    _legend_below(a, 4)

    a = ax[0, 1]
    a.plot(x, m["loan_balance"], color="#4575b4", label=metric_name("loan_balance"))
    a.plot(x, m["new_loans"].cumsum(), color="#74add1", ls="--", label=f"{metric_name('new_loans')} (cumulative)")
    _finish(a, "Credit", "million yuan", x)
    _legend_below(a, 1)

    a = ax[0, 2]
    a.plot(x, 100 * m["credit_access_rate"], color="#1a9850", label=metric_name("credit_access_rate"))
    a.plot(x, 100 * m["npl_ratio"], color="black", label=metric_name("npl_ratio"))
    _finish(a, "Access to credit and loan quality", "%", x)
    _legend_below(a, 1)

    a = ax[0, 3]
    months = x.to_numpy(dtype=float)  # one step a month wide, centred on its month (as bars of width 1/12)
    a.stairs(m["defaults"].to_numpy(dtype=float), np.append(months - 1 / 24, months[-1:] + 1 / 24) if len(months)
             else np.zeros(1), fill=True, color="#d73027", alpha=0.75, label=f"{metric_name('defaults')} per month")
    _finish(a, "Loan defaults", "loans per month", x)
    _legend_below(a, 1)

    a = ax[1, 0]
    a.stackplot(x, *[m[k].cumsum() for k in PARTY_COLOURS], colors=list(PARTY_COLOURS.values()), alpha=0.9,
                labels=["banks", "guarantee chain", "risk-compensation pool"])
    _finish(a, "Default losses by party (cumulative)", "million yuan", x)
    _legend_below(a, 2)

    a = ax[1, 1]
    a.stackplot(x, m["equity_public"].cumsum(), m["equity_private"].cumsum(), colors=["#c51b7d", "#7f7f7f"],
                labels=["public equity", "private equity"], alpha=0.85)
    a.plot(x, m["public_spending"].cumsum(), color="black", lw=1.4, label="all public money spent")
    _finish(a, "Equity invested and public money (cumulative)", "million yuan", x)
    _legend_below(a, 2)

    a = ax[1, 2]
    a.plot(x, m["patents"], color="#542788", label=metric_name("patents"))
    _finish(a, "Innovation", "patents", x)
    _legend_below(a, 1)

    a = ax[1, 3]
    a.plot(x, m["listings"].cumsum(), color="#1a9850", label="listed (cumulative)")
    a.plot(x, m["acquisitions"].cumsum(), color="#b8860b", label="acquired (cumulative)")
    _finish(a, "Exits", "firms", x)
    _legend_below(a, 1)

    fig.suptitle(title or "ecosim run", fontsize=14, parse_math=False,  # a name with "$" is text, not TeX
                 fontfamily=title_fonts(title))
    fig.text(0.5, 0.012, ONE_RUN_NOTE, ha="center", va="bottom", fontsize=10, color="#444")
    return fig


def draw_dashboard(metrics: pd.DataFrame, path: Path, title: str = "") -> None:
    """Draw the dashboard of a run's monthly metrics and save it as a PNG at ``path``."""
    dashboard_figure(metrics, title).savefig(path, dpi=100)
