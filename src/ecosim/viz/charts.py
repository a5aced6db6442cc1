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

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib import font_manager  # noqa: E402
from matplotlib.axes import Axes  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from ecosim.firms.state import STAGES  # noqa: E402

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

#: Bilingual labels: key -> (English, Chinese).
LABELS: dict[str, tuple[str, str]] = {
    "firms_alive": ("Startups operating", "在营科技初创企业"),
    "loan_balance": ("Loan balance (m yuan)", "贷款余额（百万元）"),
    "new_loans": ("Loans paid out (m yuan)", "新发放贷款（百万元）"),
    "credit_access_rate": ("Share of firms with a loan", "获贷企业占比"),
    "defaults": ("Loan defaults", "贷款违约笔数"),
    "npl_ratio": ("NPL ratio", "不良贷款率"),
    "loss_bank": ("Banks", "银行"),
    "loss_guarantors": ("Guarantee chain", "担保体系"),
    "loss_government": ("Risk-compensation pool", "风险补偿资金池"),
    "equity_invested": ("Equity invested (m yuan)", "股权投资（百万元）"),
    "equity_public": ("Public equity", "政府引导基金出资"),
    "equity_private": ("Private equity", "社会资本出资"),
    "public_spending": ("Public money spent (m yuan)", "财政资金支出（百万元）"),
    "patents": ("Patents held", "持有专利数"),
    "survival_share": ("Share of startups still operating", "企业存活率"),
    "total_new_loans": ("Loans paid out (m yuan)", "累计新发放贷款（百万元）"),
    "mean_credit_access_rate": ("Mean share of firms with a loan", "平均获贷企业占比"),
    "mean_npl_ratio": ("Mean NPL ratio", "平均不良贷款率"),
    "total_defaults": ("Loan defaults", "累计违约笔数"),
    "total_loss_bank": ("Losses kept by banks (m yuan)", "银行承担损失（百万元）"),
    "total_loss_guarantors": ("Losses borne by guarantors (m yuan)", "担保体系承担损失（百万元）"),
    "total_loss_government": ("Losses borne by the pool (m yuan)", "资金池承担损失（百万元）"),
    "total_public_spending": ("Public money spent (m yuan)", "财政资金支出（百万元）"),
    "total_equity_invested": ("Equity invested (m yuan)", "累计股权投资（百万元）"),
    "total_equity_private": ("Private equity invested (m yuan)", "社会资本投资（百万元）"),
    "total_patents_new": ("Patents filed", "新申请专利数"),
    "total_listings": ("Listings", "上市企业数"),
    "firms_alive_end": ("Startups operating at the end", "期末在营企业数"),
    "credit_per_public_yuan": ("Credit per public yuan", "每元财政资金撬动贷款"),
    "patents_per_public_myuan": ("Patents per million public yuan", "每百万元财政资金带动专利"),
    "firms_seed": ("Startups at seed stage", "种子期企业数"),
    "firms_early": ("Startups at early stage", "初创期企业数"),
    "firms_growth": ("Startups at growth stage", "成长期企业数"),
    "firms_mature": ("Startups at mature stage", "成熟期企业数"),
    "approval_rate_young": ("Approval rate, firms under 3 years", "成立不满3年企业贷款获批率"),
    "rated_share": ("Share of firms rated by a platform", "平台评级覆盖率"),
    "allocation_auc": ("Allocation quality (AUC)", "信贷配置质量（AUC）"),
    "mean_allocation_auc": ("Allocation quality (mean AUC)", "信贷配置质量（平均AUC）"),
    "visits": ("Partner-team visits", "金融辅导队走访次数"),
    "total_visits": ("Partner-team visits", "金融辅导队走访次数"),
    "total_equity_public": ("Public equity invested (m yuan)", "政府引导基金投资（百万元）"),
    "month": ("Month", "月份"),
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
    """The label of ``key`` in ``lang`` (``"en"`` or ``"zh"``); the key itself when unknown."""
    pair = LABELS.get(key)
    if pair is None:
        return key
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
    twin.plot(m["month"], 100 * m["credit_access_rate"], color="#1a9850", label=label("credit_access_rate", lang) + " (%)")
    twin.set_ylim(bottom=0)
    ax.set_title(label("credit", lang))
    ax.legend(loc="upper left", fontsize=7)
    twin.legend(loc="lower right", fontsize=7)


def plot_defaults(ax: Axes, m: pd.DataFrame, lang: str = "en") -> None:
    """Monthly defaults (bars) and the NPL ratio (line)."""
    ax.bar(m["month"], m["defaults"], color="#d73027", alpha=0.6, label=label("defaults", lang))
    twin = ax.twinx()
    twin.plot(m["month"], 100 * m["npl_ratio"], color="black", label=label("npl_ratio", lang) + " (%)")
    twin.set_ylim(bottom=0)
    ax.set_title(label("defaults_npl", lang))
    ax.legend(loc="upper left", fontsize=7)
    twin.legend(loc="upper right", fontsize=7)


def plot_losses(ax: Axes, m: pd.DataFrame, lang: str = "en") -> None:
    """Cumulative default losses by party (banks, guarantee chain, pool)."""
    keys = list(PARTY_COLOURS)
    ax.stackplot(m["month"], *[m[k].cumsum() for k in keys], labels=[label(k, lang) for k in keys],
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
    """Mean across seeds with a 95% band, one panel per metric, one line per scenario.

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
        fig = Figure(figsize=(4.6 * min(n, ncols), 3.3 * nrows), layout="constrained")
        axes = np.atleast_1d(fig.subplots(nrows, min(n, ncols))).ravel()
        data = monthly.sort_values(["scenario", "seed", "month"]).copy()
        for key in cumulative:
            data[key] = data.groupby(["scenario", "seed"])[key].cumsum()
        for ax, key in zip(axes, metrics, strict=False):
            for scen, g in data.groupby("scenario", sort=False):
                stats = g.groupby("month")[key].agg(["mean", "std", "count"])
                half = 1.96 * stats["std"].fillna(0) / np.sqrt(stats["count"].clip(lower=1))
                ax.plot(stats.index, stats["mean"], label=str(scen))
                ax.fill_between(stats.index, stats["mean"] - half, stats["mean"] + half, alpha=0.2)
            ax.set_title(label(key, lang), fontsize=10)
            ax.set_xlabel(label("month", lang))
            ax.grid(alpha=0.3)
        axes[0].legend(fontsize=8)
        for ax in axes[n:]:
            ax.set_visible(False)
    return pin_fonts(fig, lang)


def effects_figure(table: pd.DataFrame, metrics: Sequence[str], lang: str = "en") -> Figure:
    """Paired differences (scenario minus reference) with 95% CIs, one row per metric and scenario.

    Args:
        table: The comparison table (``metric, scenario, diff, diff_low, diff_high``), without the reference rows.
        metrics: Metrics to show, top to bottom.
    """
    with matplotlib.rc_context(use_language(lang)):
        rows = table[table["metric"].isin(metrics)].copy()
        rows["order"] = rows["metric"].map({m: i for i, m in enumerate(metrics)})
        rows = rows.sort_values(["order", "scenario"])
        fig = Figure(figsize=(7.5, 0.55 * len(rows) + 1.2), layout="constrained")
        ax = fig.subplots()
        y = np.arange(len(rows))[::-1]
        rel = rows["diff"] / rows["ref_mean"].abs().where(rows["ref_mean"].abs() > 0)
        lo = rows["diff_low"] / rows["ref_mean"].abs().where(rows["ref_mean"].abs() > 0)
        hi = rows["diff_high"] / rows["ref_mean"].abs().where(rows["ref_mean"].abs() > 0)
        colours = np.where(lo > 0, "#1a9850", np.where(hi < 0, "#d73027", "#7f7f7f"))
        ax.errorbar(100 * rel, y, xerr=[100 * (rel - lo), 100 * (hi - rel)], fmt="none", ecolor="#555", capsize=3)
        ax.scatter(100 * rel, y, c=colours, zorder=3)
        ax.axvline(0, color="black", lw=0.8)
        if np.nanmax(np.abs(100 * np.r_[rel, lo, hi, 0.0])) > 300:
            ax.set_xscale("symlog", linthresh=100)  # keeps +10,000% and +5% readable on one axis
        names = [label(m, lang) for m in rows["metric"]]
        if rows["scenario"].nunique() > 1:
            names = [f"{n} · {s}" for n, s in zip(names, rows["scenario"], strict=True)]
        ax.set_yticks(y, names, fontsize=9)
        ax.set_xlabel("变化（相对对照情景，%）" if lang == "zh" else "change vs the reference scenario (%)")
        ax.grid(axis="x", alpha=0.3)
    return pin_fonts(fig, lang)


def losses_figure(runs: pd.DataFrame, lang: str = "en") -> Figure:
    """Mean total default losses by party per scenario, as stacked bars."""
    with matplotlib.rc_context(use_language(lang)):
        keys = [f"total_{k}" for k in PARTY_COLOURS]
        means = runs.groupby("scenario", sort=False)[keys].mean()
        fig = Figure(figsize=(6.5, 3.6), layout="constrained")
        ax = fig.subplots()
        bottom = np.zeros(len(means))
        for key, colour in zip(keys, PARTY_COLOURS.values(), strict=True):
            ax.bar(means.index.astype(str), means[key], bottom=bottom, color=colour, label=label(key[6:], lang))
            bottom += means[key].to_numpy()
        ax.set_ylabel(label("million_yuan", lang))
        ax.set_title(label("losses_by_party", lang))
        ax.legend(fontsize=8)
        ax.grid(axis="y", alpha=0.3)
    return pin_fonts(fig, lang)
