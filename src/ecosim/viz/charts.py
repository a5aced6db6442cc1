"""Shared chart helpers: colours, bilingual labels, the CJK font and the plots the demo, brief and notebooks reuse.

Labels come in English and Chinese (:data:`LABELS`); :func:`use_language`
switches matplotlib to a CJK font for Chinese, found through matplotlib's font
manager (``fonts-noto-cjk`` on Debian). When no CJK font exists it raises
:class:`FontError` rather than drawing empty boxes.
"""

from __future__ import annotations

import base64
import io
from collections.abc import Sequence

import matplotlib
import matplotlib.text
import numpy as np
import pandas as pd
from matplotlib import font_manager
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from ecosim.firms.state import STAGES
from ecosim.outputs.figure import ShownFigure
from ecosim.outputs.labels import has_label, judge_change, metric_label, metric_name

#: Colour of each firm stage (network nodes and stacked areas).
STAGE_COLOURS: dict[str, str] = {"seed": "#a6d96a", "early": "#66bd63", "growth": "#1a9850", "mature": "#006837"}
#: Colour of each institution type in the network.
TYPE_COLOURS: dict[str, str] = {
    "government": "#d73027",
    "bank": "#4575b4",
    "guarantor": "#fdae61",
    "risk_pool": "#9e0142",
    "platform": "#8073ac",
    "partner_team": "#f46d43",
    "mother_fund": "#c51b7d",
    "subfund": "#de77ae",
    "venture_fund": "#7f7f7f",
}
#: Colour of each party bearing default losses.
PARTY_COLOURS: dict[str, str] = {"loss_bank": "#4575b4", "loss_guarantors": "#fdae61", "loss_government": "#9e0142"}

#: Colour of each judgement of a change (see :func:`ecosim.outputs.labels.judge_change`).
JUDGEMENT_COLOURS: dict[str, str] = {"good": "#1a9850", "bad": "#d73027", "neutral": "#4575b4", "unclear": "#9e9e9e"}

#: Bilingual labels of what is not a metric (titles, stages, units) and short names of a few metrics in the charts;
#: metric names otherwise come from :mod:`ecosim.outputs.labels`. key -> (English, Chinese).
LABELS: dict[str, tuple[str, str]] = {
    "party:loss_bank": ("Banks", "银行"),
    "party:loss_guarantors": ("Guarantee chain", "担保体系"),
    "party:loss_government": ("Risk-compensation pool", "风险补偿资金池"),
    "month": ("Month", "月份"),
    "year": ("Year", "年"),
    "million_yuan": ("million yuan", "百万元"),
    "firms": ("firms", "家企业"),
    "seed": ("seed", "种子期"),
    "early": ("early", "初创期"),
    "growth": ("growth", "成长期"),
    "mature": ("mature", "成熟期"),
    "losses_by_party": ("Default losses by party (cumulative)", "违约损失分担（累计）"),
    "firms_by_stage": ("Startups by stage", "各阶段企业数"),
    "credit": ("Credit", "信贷"),
    "equity": ("Equity invested (cumulative)", "股权投资（累计）"),
    "defaults_npl": ("Defaults and NPL ratio", "违约与不良率"),
}


class FontError(RuntimeError):
    """No font that can draw Chinese was found."""


CJK_FAMILIES = ("Noto Sans CJK SC", "Noto Sans CJK", "Source Han Sans SC", "WenQuanYi Zen Hei", "WenQuanYi Micro Hei",
                "Noto Serif CJK SC", "Noto Sans CJK JP")


def label(key: str, lang: str = "en") -> str:
    """The label of ``key`` in ``lang`` (``"en"`` or ``"zh"``): a chart label, else the metric's name with its unit.

    The key itself when neither knows it.
    """
    pair = LABELS.get(key)
    if pair is None:
        return metric_name(key, lang, unit=True) if has_label(key) else key
    return pair[1] if lang == "zh" else pair[0]


def find_cjk_font() -> str:
    """The family name of an installed font that draws Chinese, registering system fonts if needed.

    Raises:
        FontError: When no CJK font is installed (install ``fonts-noto-cjk``).
    """
    names = {f.name for f in font_manager.fontManager.ttflist}
    for family in CJK_FAMILIES:
        if family in names:
            return family
    for path in font_manager.findSystemFonts():
        low = path.lower()
        if "cjk" in low or "wqy" in low or "wenquanyi" in low or "sourcehan" in low:
            try:
                font_manager.fontManager.addfont(path)
            except (OSError, RuntimeError):
                continue
    names = {f.name for f in font_manager.fontManager.ttflist}
    for family in CJK_FAMILIES:
        if family in names:
            return family
    raise FontError("no CJK font found for Chinese labels: install fonts-noto-cjk (apt-get install fonts-noto-cjk)")


def use_language(lang: str) -> dict:
    """Matplotlib rc settings for ``lang``: a CJK font first for Chinese, the default otherwise."""
    if lang == "zh":
        family = find_cjk_font()
        return {"font.family": "sans-serif", "font.sans-serif": [family, "DejaVu Sans"], "axes.unicode_minus": False}
    return {}


def pin_fonts(fig: Figure, lang: str) -> Figure:
    """Bind the language's font to every text of a figure, so it renders the same wherever it is saved."""
    if lang == "zh":
        families = [find_cjk_font(), "DejaVu Sans"]
        for text in fig.findobj(matplotlib.text.Text):
            text.set_fontfamily(families)
    return fig


def figure_to_data_uri(fig: Figure, fmt: str = "png", dpi: int = 110) -> str:
    """A figure as a ``data:`` URI (base64), for self-contained HTML."""
    buf = io.BytesIO()
    fig.savefig(buf, format=fmt, dpi=dpi, bbox_inches="tight")
    mime = "image/svg+xml" if fmt == "svg" else f"image/{fmt}"
    return f"data:{mime};base64," + base64.b64encode(buf.getvalue()).decode("ascii")


# --------------------------------------------------------------------------- monthly panels


def plot_stages(ax: Axes, m: pd.DataFrame, lang: str = "en") -> None:
    """Stacked areas of operating startups by stage."""
    ax.stackplot(m["month"], *[m[f"firms_{s}"] for s in STAGES], labels=[label(s, lang) for s in STAGES],
                 colors=[STAGE_COLOURS[s] for s in STAGES], alpha=0.9)
    ax.set_title(label("firms_by_stage", lang))
    ax.legend(loc="upper left", fontsize=7)


def plot_credit(ax: Axes, m: pd.DataFrame, lang: str = "en") -> None:
    """Loan balance and the share of operating firms with a loan."""
    ax.plot(m["month"], m["loan_balance"], color="#4575b4", label=label("loan_balance", lang))
    ax.set_ylabel(label("million_yuan", lang))
    twin = ax.twinx()
    twin.plot(m["month"], 100 * m["credit_access_rate"], color="#1a9850", label=label("credit_access_rate", lang))
    twin.set_ylim(bottom=0)
    ax.set_title(label("credit", lang))
    ax.legend(loc="upper left", fontsize=7)
    twin.legend(loc="lower right", fontsize=7)


def plot_defaults(ax: Axes, m: pd.DataFrame, lang: str = "en") -> None:
    """Monthly defaults (bars) and the NPL ratio (line)."""
    ax.bar(m["month"], m["defaults"], color="#d73027", alpha=0.6, label=label("defaults", lang))
    twin = ax.twinx()
    twin.plot(m["month"], 100 * m["npl_ratio"], color="black", label=label("npl_ratio", lang))
    twin.set_ylim(bottom=0)
    ax.set_title(label("defaults_npl", lang))
    ax.legend(loc="upper left", fontsize=7)
    twin.legend(loc="upper right", fontsize=7)


def plot_losses(ax: Axes, m: pd.DataFrame, lang: str = "en") -> None:
    """Cumulative default losses by party (banks, guarantee chain, pool)."""
    keys = list(PARTY_COLOURS)
    ax.stackplot(m["month"], *[m[k].cumsum() for k in keys], labels=[label(f"party:{k}", lang) for k in keys],
                 colors=[PARTY_COLOURS[k] for k in keys], alpha=0.9)
    ax.set_title(label("losses_by_party", lang))
    ax.set_ylabel(label("million_yuan", lang))
    ax.legend(loc="upper left", fontsize=7)


def plot_equity(ax: Axes, m: pd.DataFrame, lang: str = "en") -> None:
    """Cumulative equity invested, public and private."""
    ax.stackplot(m["month"], m["equity_public"].cumsum(), m["equity_private"].cumsum(),
                 labels=[label("equity_public", lang), label("equity_private", lang)],
                 colors=["#c51b7d", "#7f7f7f"], alpha=0.85)
    ax.set_title(label("equity", lang))
    ax.set_ylabel(label("million_yuan", lang))
    ax.legend(loc="upper left", fontsize=7)


PANELS = {"stages": plot_stages, "credit": plot_credit, "defaults": plot_defaults, "losses": plot_losses,
          "equity": plot_equity}


def band_figure(monthly: pd.DataFrame, metrics: Sequence[str], lang: str = "en", *, cumulative: Sequence[str] = (),
                ncols: int = 3) -> Figure:
    """Mean across seeds with a 95% band, one panel per metric, one line per scenario; time in years.

    Shares are drawn in per cent; running totals say so in their title; the scenarios' legend sits above the
    panels, clear of the data.

    Args:
        monthly: Columns ``scenario``, ``seed``, ``month`` and the metrics.
        metrics: Metric columns to draw.
        lang: ``"en"`` or ``"zh"``.
        cumulative: Metrics drawn as running totals within each run.
        ncols: Panels per row.
    """
    with matplotlib.rc_context(use_language(lang)):
        n = len(metrics)
        nrows = int(np.ceil(n / ncols))
        fig = ShownFigure(figsize=(4.6 * min(n, ncols), 3.3 * nrows + 0.4), layout="constrained")
        axes = np.atleast_1d(fig.subplots(nrows, min(n, ncols))).ravel()
        data = monthly.sort_values(["scenario", "seed", "month"]).copy()
        for key in cumulative:
            data[key] = data.groupby(["scenario", "seed"])[key].cumsum()
        for ax, key in zip(axes, metrics, strict=False):
            scale = metric_label(key).unit.scale if has_label(key) else 1.0
            for scen, g in data.groupby("scenario", sort=False):
                stats = g.groupby("month")[key].agg(["mean", "std", "count"])
                half = 1.96 * stats["std"].fillna(0) / np.sqrt(stats["count"].clip(lower=1))
                years = stats.index.to_numpy(float) / 12.0
                ax.plot(years, scale * stats["mean"], label=str(scen))
                ax.fill_between(years, scale * (stats["mean"] - half), scale * (stats["mean"] + half), alpha=0.2)
            title = label(key, lang)
            if key in cumulative:
                title = metric_name(key, lang) + ("（累计，" + metric_label(key).unit.text(lang) + "）" if lang == "zh"
                                                  else f" (cumulative, {metric_label(key).unit.text(lang)})")
            ax.set_title(title, fontsize=10)
            ax.set_xlabel(label("year", lang))
            ax.set_ylim(bottom=min(0.0, ax.get_ylim()[0]))
            ax.grid(alpha=0.3)
        handles, names = axes[0].get_legend_handles_labels()
        fig.legend(handles, names, loc="outside upper center", ncols=max(1, len(names)), fontsize=9, frameon=False)
        for ax in axes[n:]:
            ax.set_visible(False)
    return pin_fonts(fig, lang)


def effects_figure(table: pd.DataFrame, metrics: Sequence[str], lang: str = "en") -> Figure:
    """Paired differences (scenario minus reference) with 95% CIs, one row per metric and scenario.

    Markers are coloured by whether the change is good, bad, neutral or not distinguishable from zero
    (:func:`ecosim.outputs.labels.judge_change`), with a legend. Rows whose reference mean is not zero are drawn
    in % of it; rows whose reference is zero (a party the reference does not have) have no relative change and
    are drawn in a second panel on an absolute scale, in their own units.

    Args:
        table: The comparison table (``metric, scenario, diff, diff_low, diff_high, ref_mean``), without the
            reference rows.
        metrics: Metrics to show, top to bottom.
    """
    from matplotlib.lines import Line2D

    with matplotlib.rc_context(use_language(lang)):
        rows = table[table["metric"].isin(metrics)].copy()
        rows["order"] = rows["metric"].map({m: i for i, m in enumerate(metrics)})
        rows = rows.sort_values(["order", "scenario"])
        rows["judgement"] = [judge_change(m, lo, hi) for m, lo, hi in
                             zip(rows["metric"], rows["diff_low"], rows["diff_high"], strict=True)]
        relative = rows[rows["ref_mean"].abs() > 0]
        absolute = rows[~(rows["ref_mean"].abs() > 0)]
        parts = [(p, kind) for p, kind in ((relative, "rel"), (absolute, "abs")) if len(p)]
        heights = [max(len(p), 1) for p, _ in parts] or [1]
        fig = ShownFigure(figsize=(8.0, 0.5 * sum(heights) + 1.6 + 0.6 * len(parts)), layout="constrained")
        axes = np.atleast_1d(fig.subplots(len(parts) or 1, 1, height_ratios=heights if parts else None))
        many = rows["scenario"].nunique() > 1
        for ax, (part, kind) in zip(axes, parts, strict=False):
            y = np.arange(len(part))[::-1]
            if kind == "rel":
                scale = part["ref_mean"].abs()
                mid, lo, hi = (100 * part[c] / scale for c in ("diff", "diff_low", "diff_high"))
                ax.set_xlabel("变化（相对对照情景均值，%）" if lang == "zh" else "change against the reference mean (%)")
                if np.nanmax(np.abs(np.r_[mid, lo, hi, 0.0])) > 300:
                    ax.set_xscale("symlog", linthresh=100)  # keeps +10,000% and +5% readable on one axis
            else:
                mid, lo, hi = part["diff"], part["diff_low"], part["diff_high"]
                ax.set_xlabel("对照情景均值为 0 的指标：绝对变化（单位见标签）" if lang == "zh"
                              else "reference is 0: absolute change (units in the labels)")
            colours = [JUDGEMENT_COLOURS[j] for j in part["judgement"]]
            ax.errorbar(mid, y, xerr=[np.maximum(mid - lo, 0), np.maximum(hi - mid, 0)], fmt="none", ecolor="#555",
                        capsize=3)
            ax.scatter(mid, y, c=colours, s=42, zorder=3, edgecolors="black", linewidths=0.4)
            ax.axvline(0, color="black", lw=0.8)
            names = [metric_name(m, lang, unit=kind == "abs") for m in part["metric"]]
            if many:
                names = [f"{n} · {s}" for n, s in zip(names, part["scenario"], strict=True)]
            ax.set_yticks(y, names, fontsize=9)
            ax.set_ylim(-0.6, len(part) - 0.4)
            ax.grid(axis="x", alpha=0.3)
        words = {"en": {"good": "better", "bad": "worse", "neutral": "changed, neither", "unclear": "not clear"},
                 "zh": {"good": "改善", "bad": "恶化", "neutral": "有变化（无好坏之分）", "unclear": "不显著"}}[lang]
        handles = [Line2D([], [], marker="o", ls="", markersize=7, markerfacecolor=JUDGEMENT_COLOURS[k],
                          markeredgecolor="black", markeredgewidth=0.4, label=words[k]) for k in words]
        fig.legend(handles=handles, loc="outside upper center", ncols=4, fontsize=9, frameon=False)
    return pin_fonts(fig, lang)


def losses_figure(runs: pd.DataFrame, lang: str = "en") -> Figure:
    """Mean total default losses by party per scenario, as stacked bars."""
    with matplotlib.rc_context(use_language(lang)):
        keys = [f"total_{k}" for k in PARTY_COLOURS]
        means = runs.groupby("scenario", sort=False)[keys].mean()
        fig = ShownFigure(figsize=(6.5, 4.0), layout="constrained")
        ax = fig.subplots()
        bottom = np.zeros(len(means))
        for key, colour in zip(keys, PARTY_COLOURS.values(), strict=True):
            ax.bar(means.index.astype(str), means[key], bottom=bottom, color=colour, label=label(f"party:{key[6:]}", lang))
            bottom += means[key].to_numpy()
        ax.set_ylabel(label("million_yuan", lang))
        ax.set_title(label("losses_by_party", lang))
        ax.set_ylim(0, 1.08 * max(float(bottom.max()) if len(bottom) else 0.0, 1e-9))
        ax.legend(fontsize=9, loc="upper center", bbox_to_anchor=(0.5, -0.12), ncols=3, frameon=False)
        ax.grid(axis="y", alpha=0.3)
    return pin_fonts(fig, lang)
