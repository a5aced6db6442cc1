"""The policy brief: one self-contained HTML page comparing a scenario with a reference, in English or Chinese.

:func:`write_brief` runs both scenarios on the same seeds (through
:func:`ecosim.experiments.compare`), then writes headline effects with 95%
confidence intervals, default losses by party, public money spent and what
each public yuan brought (credit and patents per public yuan, and the
incremental fiscal multiplier against the reference), and the assumptions: the
levers that differ between the two scenarios with their documentation. Figures
are embedded as base64 PNG, so the file can be mailed on its own.
"""

from __future__ import annotations

import html
import math
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd

import ecosim
from ecosim.experiments.statistics import mean_ci
from ecosim.scenario import load_scenario, parameter_table
from ecosim.viz.charts import band_figure, effects_figure, figure_to_data_uri, label, losses_figure, use_language

#: Summary figures in the headline table, top to bottom.
BRIEF_METRICS: tuple[str, ...] = (
    "survival_share", "firms_alive", "total_new_loans", "mean_credit_access_rate", "mean_npl_ratio",
    "total_defaults", "total_equity_invested", "total_equity_private", "total_patents_new", "total_listings",
    "total_public_spending",
)
#: Default losses by party.
LOSS_METRICS: tuple[str, ...] = ("total_loss_bank", "total_loss_guarantors", "total_loss_government")
#: Monthly series drawn over time; the second tuple is drawn as running totals.
MONTHLY_PANELS: tuple[str, ...] = ("firms_alive", "loan_balance", "npl_ratio", "equity_invested", "public_spending",
                                   "patents")
MONTHLY_CUMULATIVE: tuple[str, ...] = ("equity_invested", "public_spending")
#: Figures shown as percentages.
SHARES = {"survival_share", "mean_credit_access_rate", "mean_npl_ratio", "credit_access_rate", "npl_ratio",
          "approval_rate_young", "approval_rate_old", "rated_share", "mean_npl_ratio_after_year_2"}

TEXT: dict[str, dict[str, str]] = {
    "en": {
        "title": "Policy brief: {a} compared with {b}",
        "lede": ("What changes when the ecosystem runs under <b>{a}</b> instead of <b>{b}</b>? "
                 "Both scenarios ran on the same {n} seeds ({firms} initial startups, {months} months); "
                 "differences are taken seed by seed and shown with 95% confidence intervals."),
        "headline": "Headline effects",
        "key_findings": "Key findings",
        "metric": "Figure", "reference": "{b} (reference)", "scenario": "{a}", "difference": "Difference",
        "sig": "Clear effect", "yes": "yes", "no": "not distinguishable from zero",
        "effects_caption": "Change against the reference in % of the reference mean, with 95% CI "
                           "(green: clearly up, red: clearly down, grey: not distinguishable).",
        "over_time": "Over time",
        "over_time_caption": "Mean across seeds with a 95% band.",
        "losses": "Who bears the default losses",
        "losses_caption": "Total default losses by party over the run (mean across seeds).",
        "party": "Party", "share": "Share of losses",
        "fiscal": "Public money and what it brought",
        "fiscal_rows_spent": "Public money spent (m yuan)",
        "fiscal_rows_credit": "Credit per public yuan",
        "fiscal_rows_patents": "Patents filed per million public yuan",
        "fiscal_rows_mult": "Incremental fiscal multiplier: extra credit per extra public yuan",
        "fiscal_rows_mult_pat": "Extra patents per extra million public yuan",
        "fiscal_note": ("Public money: grants, pool payouts, guidance-fund calls and guarantor top-ups (money returned by "
                        "guidance-fund exits is not netted off). The incremental multiplier divides the paired difference in credit by the "
                        "paired difference in public money (shown only when the scenario spends more)."),
        "assumptions": "Assumptions",
        "assumptions_lede": "Levers that differ between the two scenarios (all others are equal):",
        "param": "Parameter", "unit": "Unit", "meaning": "What it models",
        "none_differ": "The two scenarios have identical parameters.",
        "setup": "Set-up: {n} seeds per scenario, {firms} initial startups, {months} months, ecosim {version}, "
                 "written {when}. Money in million yuan. Model results, not forecasts.",
        "finding_up": "{m} is higher under {a}: {d} ({lo} to {hi}), {rel} against {b}.",
        "finding_down": "{m} is lower under {a}: {d} ({lo} to {hi}), {rel} against {b}.",
        "finding_flat": "{m}: no clear difference ({d}; 95% CI {lo} to {hi}).",
        "finding_fiscal": "Each public yuan came with {c} yuan of new loans under {a} (vs {cb} under {b}).",
        "ci": "95% CI",
    },
    "zh": {
        "title": "政策简报：{a} 与 {b} 的对比",
        "lede": ("如果生态系统在<b>{a}</b>情景而非<b>{b}</b>情景下运行，会发生什么变化？"
                 "两个情景使用相同的 {n} 个随机种子（初始 {firms} 家科技初创企业，模拟 {months} 个月）；"
                 "差异按种子逐一配对计算，并给出 95% 置信区间。"),
        "headline": "主要影响",
        "key_findings": "核心结论",
        "metric": "指标", "reference": "{b}（对照）", "scenario": "{a}", "difference": "差异",
        "sig": "效果是否显著", "yes": "是", "no": "与零无显著差异",
        "effects_caption": "相对对照情景均值的变化（%），附 95% 置信区间（绿色：显著上升；红色：显著下降；灰色：不显著）。",
        "over_time": "随时间变化",
        "over_time_caption": "各种子均值及 95% 置信带。",
        "losses": "违约损失由谁承担",
        "losses_caption": "模拟期内各方承担的违约损失合计（各种子均值）。",
        "party": "承担方", "share": "损失占比",
        "fiscal": "财政资金投入与成效",
        "fiscal_rows_spent": "财政资金支出（百万元）",
        "fiscal_rows_credit": "每元财政资金带动的贷款（元）",
        "fiscal_rows_patents": "每百万元财政资金带动的新专利（件）",
        "fiscal_rows_mult": "增量财政乘数：每增加一元财政资金带来的新增贷款",
        "fiscal_rows_mult_pat": "每增加百万元财政资金带来的新增专利",
        "fiscal_note": ("财政资金包括创业补助、风险补偿资金池赔付、政府引导基金出资及担保机构补充资本金（引导基金退出回收的资金未扣除）。"
                        "增量乘数为配对后的贷款差异除以配对后的财政支出差异（仅在该情景财政支出更高时给出）。"),
        "assumptions": "模型假设",
        "assumptions_lede": "两个情景之间取值不同的政策参数（其余参数相同；参数说明为英文原文）：",
        "param": "参数", "unit": "单位", "meaning": "对应的政策工具",
        "none_differ": "两个情景参数完全相同。",
        "setup": "设定：每个情景 {n} 个随机种子，初始 {firms} 家企业，模拟 {months} 个月，ecosim {version}，"
                 "生成于 {when}。金额单位为百万元。以上为模型结果，并非预测。",
        "finding_up": "在{a}情景下，{m}更高：{d}（95% 置信区间 {lo} 至 {hi}），较{b}变化 {rel}。",
        "finding_down": "在{a}情景下，{m}更低：{d}（95% 置信区间 {lo} 至 {hi}），较{b}变化 {rel}。",
        "finding_flat": "{m}：无显著差异（{d}；95% 置信区间 {lo} 至 {hi}）。",
        "finding_fiscal": "在{a}情景下，每一元财政资金对应 {c} 元新增贷款（{b}情景下为 {cb} 元）。",
        "ci": "95% 置信区间",
    },
}

CSS = """
body{font-family:'Noto Sans CJK SC','Noto Sans',Helvetica,Arial,sans-serif;max-width:1000px;margin:2em auto;
padding:0 1em;color:#222;line-height:1.5}
h1{font-size:1.6em;margin-bottom:.2em}h2{border-bottom:2px solid #4575b4;padding-bottom:.2em;margin-top:1.6em}
table{border-collapse:collapse;width:100%;margin:.6em 0;font-size:.92em}
th,td{border-bottom:1px solid #ddd;padding:.35em .5em;text-align:right;vertical-align:top}
th:first-child,td:first-child{text-align:left}td.text{text-align:left}
tr.clear td{background:#f3f9f1}.up{color:#1a7f37}.down{color:#b42318}.muted{color:#666;font-size:.88em}
img{max-width:100%;display:block;margin:.5em auto}ul.findings li{margin:.3em 0}
"""


# --------------------------------------------------------------------------- numbers


def _fmt(value: float, metric: str = "", signed: bool = False) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    if metric in SHARES:
        return f"{100 * value:+.2f} pp" if signed else f"{100 * value:.2f}%"
    sign = "+" if signed else ""
    mag = abs(value)
    if mag >= 1000:
        return f"{value:{sign},.0f}"
    if mag >= 10:
        return f"{value:{sign}.1f}"
    return f"{value:{sign}.3g}" if mag else "0"


def _ci(lo: float, hi: float, metric: str = "", signed: bool = False) -> str:
    return f"[{_fmt(lo, metric, signed)}, {_fmt(hi, metric, signed)}]"


def fiscal_table(runs: pd.DataFrame, scenario: str, reference: str) -> pd.DataFrame:
    """Public money and what it brought, per scenario, with 95% CIs; plus the incremental multiplier.

    Returns:
        Rows ``key, scenario, n, mean, ci_low, ci_high`` for ``public_spending``, ``credit_per_public_yuan``,
        ``patents_per_public_myuan`` (each scenario) and ``multiplier_credit``, ``multiplier_patents``
        (the scenario against the reference, paired by seed).
    """
    rows = []
    by = {name: runs[runs["scenario"] == name].sort_values("seed").reset_index(drop=True)
          for name in (reference, scenario)}
    for name, r in by.items():
        spent = r["total_public_spending"].to_numpy(float)
        with np.errstate(divide="ignore", invalid="ignore"):
            per = {
                "public_spending": spent,
                "credit_per_public_yuan": np.where(spent > 0, r["total_new_loans"] / spent, np.nan),
                "patents_per_public_myuan": np.where(spent > 0, r["total_patents_new"] / spent, np.nan),
            }
        for key, values in per.items():
            rows.append((key, name, *mean_ci(values)))
    a, b = by[scenario], by[reference]
    if len(a) == len(b) and (a["seed"].to_numpy() == b["seed"].to_numpy()).all():
        d_spent = (a["total_public_spending"] - b["total_public_spending"]).to_numpy(float)
        d_credit = (a["total_new_loans"] - b["total_new_loans"]).to_numpy(float)
        d_pat = (a["total_patents_new"] - b["total_patents_new"]).to_numpy(float)
        if d_spent.mean() > 0:
            # ratio of mean differences; its CI from the seed-by-seed ratios is too unstable, so use the delta method
            rows.append(("multiplier_credit", scenario, *_ratio_ci(d_credit, d_spent)))
            rows.append(("multiplier_patents", scenario, *_ratio_ci(d_pat, d_spent)))
    return pd.DataFrame(rows, columns=["key", "scenario", "n", "mean", "ci_low", "ci_high"])


def _ratio_ci(num: np.ndarray, den: np.ndarray) -> tuple[int, float, float, float]:
    """Ratio of means with a 95% delta-method interval."""
    from scipy import stats

    n = len(num)
    mx, my = num.mean(), den.mean()
    r = mx / my
    if n < 2:
        return n, float(r), math.nan, math.nan
    cov = np.cov(num, den, ddof=1)
    var = (cov[0, 0] - 2 * r * cov[0, 1] + r * r * cov[1, 1]) / (n * my * my)
    half = float(stats.t.ppf(0.975, n - 1) * math.sqrt(max(var, 0.0)))
    return n, float(r), float(r - half), float(r + half)


def differing_levers(a: str, b: str, *, months: int | None = None, firms: int | str | None = None) -> pd.DataFrame:
    """The parameters whose values differ between two scenarios, with unit and documentation.

    Returns:
        Rows ``path, reference, scenario, unit, description`` (size and horizon excluded).
    """
    sa = load_scenario(a, months=months, firms=firms).model_dump()
    sb = load_scenario(b, months=months, firms=firms).model_dump()
    rows = []
    for row in parameter_table():
        section, name = row["path"].split(".", 1)
        if section == "run":
            continue
        va, vb = sa[section][name], sb[section][name]
        if va != vb:
            rows.append({"path": row["path"], "reference": vb, "scenario": va, "unit": row["unit"],
                         "description": row["description"]})
    return pd.DataFrame(rows, columns=["path", "reference", "scenario", "unit", "description"])


def findings(table: pd.DataFrame, scenario: str, reference: str, lang: str = "en",
             metrics: Sequence[str] = BRIEF_METRICS) -> list[str]:
    """Plain-language sentences, one per metric, whose numbers come from the comparison table."""
    t = TEXT[lang]
    out = []
    for metric in metrics:
        rows = table[(table["metric"] == metric) & (table["scenario"] == scenario)]
        ref = table[(table["metric"] == metric) & (table["scenario"] == reference)]
        if rows.empty or ref.empty:
            continue
        r = rows.iloc[0]
        base = float(ref.iloc[0]["mean"])
        rel = f"{100 * r['diff'] / abs(base):+.1f}%" if base else "–"
        args = dict(m=label(metric, lang), a=scenario, b=reference, d=_fmt(r["diff"], metric, True),
                    lo=_fmt(r["diff_low"], metric, True), hi=_fmt(r["diff_high"], metric, True), rel=rel)
        if r["diff_low"] > 0:
            out.append(t["finding_up"].format(**args))
        elif r["diff_high"] < 0:
            out.append(t["finding_down"].format(**args))
        else:
            out.append(t["finding_flat"].format(**args))
    return out


# --------------------------------------------------------------------------- page


def render_brief(result, scenario: str, reference: str, *, lang: str = "en", months: int, firms: int,
                 assumptions: pd.DataFrame) -> str:
    """The brief's HTML from a :class:`~ecosim.experiments.CompareResult` (reference first)."""
    if lang not in TEXT:
        raise ValueError(f"lang = '{lang}': allowed {', '.join(TEXT)}")
    use_language(lang)  # fails loudly for Chinese without a CJK font, before any figure is drawn
    t = TEXT[lang]
    e = html.escape
    table = result.table
    runs = result.runs
    n = int(runs.groupby("scenario").size().min())
    fmt_args = dict(a=e(scenario), b=e(reference))
    parts = [f"<!DOCTYPE html><html lang='{'zh-CN' if lang == 'zh' else 'en'}'><head><meta charset='utf-8'>",
             f"<title>{e(t['title'].format(a=scenario, b=reference))}</title><style>{CSS}</style></head><body>",
             f"<h1>{t['title'].format(**fmt_args)}</h1>",
             f"<p>{t['lede'].format(n=n, firms=firms, months=months, **fmt_args)}</p>"]

    # key findings
    fiscal = fiscal_table(runs, scenario, reference)
    sentences = findings(table, scenario, reference, lang, metrics=BRIEF_METRICS[:6])
    cpy = fiscal[(fiscal["key"] == "credit_per_public_yuan")].set_index("scenario")["mean"]
    if scenario in cpy and reference in cpy:
        sentences.append(t["finding_fiscal"].format(c=_fmt(cpy[scenario]), cb=_fmt(cpy[reference]), **fmt_args))
    parts.append(f"<h2>{t['key_findings']}</h2><ul class='findings'>")
    parts += [f"<li>{s}</li>" for s in sentences]
    parts.append("</ul>")

    # headline table and effects figure
    parts.append(f"<h2>{t['headline']}</h2><table><tr><th>{t['metric']}</th><th>{t['reference'].format(**fmt_args)}"
                 f"</th><th>{t['scenario'].format(**fmt_args)}</th><th>{t['difference']} ({t['ci']})</th></tr>")
    for metric in BRIEF_METRICS + LOSS_METRICS:
        ref = table[(table["metric"] == metric) & (table["scenario"] == reference)]
        row = table[(table["metric"] == metric) & (table["scenario"] == scenario)]
        if ref.empty or row.empty:
            continue
        r0, r1 = ref.iloc[0], row.iloc[0]
        clear = r1["diff_low"] > 0 or r1["diff_high"] < 0
        cls = "up" if r1["diff_low"] > 0 else "down" if r1["diff_high"] < 0 else ""
        parts.append(
            f"<tr class='{'clear' if clear else ''}'><td>{e(label(metric, lang))}</td>"
            f"<td>{_fmt(r0['mean'], metric)} <span class='muted'>{_ci(r0['ci_low'], r0['ci_high'], metric)}</span></td>"
            f"<td>{_fmt(r1['mean'], metric)} <span class='muted'>{_ci(r1['ci_low'], r1['ci_high'], metric)}</span></td>"
            f"<td class='{cls}'>{_fmt(r1['diff'], metric, True)} <span class='muted'>"
            f"{_ci(r1['diff_low'], r1['diff_high'], metric, True)}</span></td></tr>")
    parts.append("</table>")
    eff = table[table["scenario"] == scenario].merge(
        table[table["scenario"] == reference][["metric", "mean"]].rename(columns={"mean": "ref_mean"}), on="metric")
    fig = effects_figure(eff, [m for m in BRIEF_METRICS + LOSS_METRICS if m in set(eff["metric"])], lang)
    parts.append(f"<img alt='effects' src='{figure_to_data_uri(fig)}'><p class='muted'>{t['effects_caption']}</p>")

    # over time
    monthly = result.monthly()
    fig = band_figure(monthly, [m for m in MONTHLY_PANELS if m in monthly.columns], lang, cumulative=MONTHLY_CUMULATIVE)
    parts.append(f"<h2>{t['over_time']}</h2><img alt='monthly' src='{figure_to_data_uri(fig)}'>"
                 f"<p class='muted'>{t['over_time_caption']}</p>")

    # losses by party
    parts.append(f"<h2>{t['losses']}</h2><table><tr><th>{t['party']}</th>")
    for name in (reference, scenario):
        parts.append(f"<th>{e(name)} ({label('million_yuan', lang)})</th><th>{t['share']}</th>")
    parts.append("</tr>")
    totals = {name: sum(runs.loc[runs["scenario"] == name, k].mean() for k in LOSS_METRICS) for name in (reference, scenario)}
    for key in LOSS_METRICS:
        parts.append(f"<tr><td>{e(label(key[6:], lang))}</td>")
        for name in (reference, scenario):
            _, mean, lo, hi = mean_ci(runs.loc[runs["scenario"] == name, key])
            share = mean / totals[name] if totals[name] else float("nan")
            parts.append(f"<td>{_fmt(mean)} <span class='muted'>{_ci(lo, hi)}</span></td>"
                         f"<td>{'–' if math.isnan(share) else f'{100 * share:.0f}%'}</td>")
        parts.append("</tr>")
    parts.append("</table>")
    fig = losses_figure(runs[runs["scenario"].isin([reference, scenario])], lang)
    parts.append(f"<img alt='losses' src='{figure_to_data_uri(fig)}'><p class='muted'>{t['losses_caption']}</p>")

    # fiscal
    parts.append(f"<h2>{t['fiscal']}</h2><table><tr><th></th><th>{t['reference'].format(**fmt_args)}</th>"
                 f"<th>{t['scenario'].format(**fmt_args)}</th></tr>")
    names = {"public_spending": "fiscal_rows_spent", "credit_per_public_yuan": "fiscal_rows_credit",
             "patents_per_public_myuan": "fiscal_rows_patents"}
    for key, text_key in names.items():
        parts.append(f"<tr><td>{t[text_key]}</td>")
        for name in (reference, scenario):
            r = fiscal[(fiscal["key"] == key) & (fiscal["scenario"] == name)].iloc[0]
            parts.append(f"<td>{_fmt(r['mean'])} <span class='muted'>{_ci(r['ci_low'], r['ci_high'])}</span></td>")
        parts.append("</tr>")
    for key, text_key in (("multiplier_credit", "fiscal_rows_mult"), ("multiplier_patents", "fiscal_rows_mult_pat")):
        r = fiscal[fiscal["key"] == key]
        if not r.empty:
            r = r.iloc[0]
            parts.append(f"<tr><td>{t[text_key]}</td><td>–</td><td>{_fmt(r['mean'])} "
                         f"<span class='muted'>{_ci(r['ci_low'], r['ci_high'])}</span></td></tr>")
    parts.append(f"</table><p class='muted'>{t['fiscal_note']}</p>")

    # assumptions
    parts.append(f"<h2>{t['assumptions']}</h2>")
    if assumptions.empty:
        parts.append(f"<p>{t['none_differ']}</p>")
    else:
        parts.append(f"<p>{t['assumptions_lede']}</p><table><tr><th>{t['param']}</th>"
                     f"<th>{t['reference'].format(**fmt_args)}</th><th>{t['scenario'].format(**fmt_args)}</th>"
                     f"<th>{t['unit']}</th><th>{t['meaning']}</th></tr>")
        for _, r in assumptions.iterrows():
            parts.append(f"<tr><td><code>{e(r['path'])}</code></td><td>{e(str(r['reference']))}</td>"
                         f"<td>{e(str(r['scenario']))}</td><td class='text'>{e(r['unit'])}</td>"
                         f"<td class='text'>{e(r['description'])}</td></tr>")
        parts.append("</table>")
    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    parts.append(f"<p class='muted'>{t['setup'].format(n=n, firms=firms, months=months, version=ecosim.__version__, when=when)}</p>")
    parts.append("</body></html>")
    return "\n".join(parts)


def write_brief(scenario: str, reference: str, out: str | Path, *, seeds: int = 10, lang: str = "en",
                months: int | None = None, firms: int | str | None = None, workers: int = 1,
                results: str | Path | None = None) -> Path:
    """Run ``scenario`` and ``reference`` on common seeds and write the HTML brief.

    Args:
        scenario: The scenario assessed (name or path).
        reference: The scenario it is compared against.
        out: HTML file to write.
        seeds: Seeds per scenario.
        lang: ``"en"`` or ``"zh"``.
        months: Horizon (default: the scenario's).
        firms: Initial startups (number or size preset; default: the scenario's).
        workers: Parallel processes (1 runs in this process).
        results: Folder for the runs (reused on a second call); a temporary one when None.

    Returns:
        The path written.
    """
    from ecosim.experiments import compare

    use_language(lang)
    res = compare([reference, scenario], seeds=seeds, months=months, firms=firms,
                  executor="processes" if workers > 1 else "serial", workers=workers if workers > 1 else None,
                  out=results, metrics=list(BRIEF_METRICS + LOSS_METRICS), progress=False)
    if len(res.failures):
        raise RuntimeError(f"{len(res.failures)} run(s) failed: {res.failures.iloc[0]['error']}")
    sc = load_scenario(scenario, months=months, firms=firms)
    names = res.scenarios
    page = render_brief(res, names[1], names[0], lang=lang, months=sc.run.months, firms=sc.run.firms,
                        assumptions=differing_levers(scenario, reference, months=months, firms=firms))
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(page, encoding="utf-8")
    return out
