"""The policy brief: one self-contained HTML page comparing a scenario with a reference, in English or Chinese.

:func:`write_brief` runs both scenarios on the same seeds (through
:func:`ecosim.experiments.compare`, reusing the runs already in a results
folder), then writes headline effects with 95% confidence intervals coloured by
whether each change is good or bad (as :mod:`ecosim.outputs.labels` declares),
default losses by party, public money spent and what each public yuan brought
(credit and patents per public yuan, and the incremental fiscal multiplier
against the reference), and the assumptions: the levers that differ between
the two scenarios. The page is rendered by a Jinja2 template with autoescaping,
so names and descriptions from scenario files stay text; figures are embedded
as base64 PNG, so the file can be mailed on its own.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path

import jinja2
import numpy as np
import pandas as pd

import ecosim
from ecosim.experiments.statistics import mean_ci
from ecosim.outputs.labels import judge_change, metric_label, metric_name
from ecosim.scenario import ScenarioError, load_scenario, parameter_table
from ecosim.viz.charts import (JUDGEMENT_COLOURS, band_figure, effects_figure, figure_to_data_uri, label,
                               losses_figure, use_language)
from ecosim.viz.lever_names import parameter_name, section_name, unit_name, value_text

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

TEXT: dict[str, dict] = {
    "en": {
        "title": "Policy brief: {a} compared with {b}",
        "lede": ("What changes when the ecosystem runs under ", " instead of ",
                 "? Both scenarios ran on the same {n} seeds ({firms} initial startups, {months} months); "
                 "differences are taken seed by seed and shown with 95% confidence intervals."),
        "howto_title": "How to read this brief",
        "howto_items": (
            "Each figure is the mean over {n} runs of the model with different random seeds. The 95% confidence "
            "interval [in brackets] says how much that mean would move with other seeds; it is not the "
            "uncertainty about the real economy, which rests on the model's assumptions (listed at the end).",
            "Both scenarios ran on the same seeds, and every startup draws the same random numbers in both "
            "(common random numbers), so a difference comes from the policy rather than from luck. Differences "
            "are taken seed by seed.",
            "Colours say whether a change is good for the ecosystem, as declared for each figure: green better, "
            "red worse, blue a clear change that is neither (for example more public money spent), grey not "
            "distinguishable from zero.",
            "The model is a stylised economy calibrated to published figures of the pilot zone. It is not a "
            "forecast of Jinan, not an evaluation of the real programme, and it leaves out what lies outside "
            "it (other regions, the business cycle, changes in the rules during the run).",
        ),
        "scenarios": "Scenarios",
        "headline": "Headline effects",
        "key_findings": "Key findings",
        "legend": "Colours",
        "metric": "Figure", "reference": "{b} (reference)", "scenario": "{a}", "difference_ci": "Difference (95% CI)",
        "verdict": "Assessment",
        "verdicts": {"good": "better", "bad": "worse", "neutral": "changed (neither better nor worse)",
                     "unclear": "not distinguishable from zero"},
        "effects_alt": "Changes against the reference with 95% confidence intervals",
        "effects_caption": "Change against the reference in % of the reference mean, with 95% CI; colours as in "
                           "the table.",
        "zero_note": "Figures whose reference mean is 0 (such as losses of a guarantee chain or pool that the "
                     "reference does not have) have no percentage change: they sit in the lower panel as absolute "
                     "changes in their own units.",
        "over_time": "Over time",
        "over_time_caption": "Mean across seeds with a 95% band.",
        "losses": "Who bears the default losses",
        "losses_caption": "Total default losses by party over the run (mean across seeds).",
        "party": "Party", "share": "Share of losses",
        "fiscal": "Public money and what it brought",
        "fiscal_rows": {"public_spending": "Public money spent (m yuan)",
                        "credit_per_public_yuan": "Credit per public yuan (yuan)",
                        "patents_per_public_myuan": "Patents filed per million public yuan",
                        "multiplier_credit": "Incremental fiscal multiplier: extra credit per extra public yuan",
                        "multiplier_patents": "Extra patents per extra million public yuan"},
        "fiscal_note": ("Public money: grants, pool payouts, guidance-fund calls and guarantor top-ups (money returned "
                        "by guidance-fund exits is not netted off). The incremental multiplier divides the paired "
                        "difference in credit by the paired difference in public money (shown only when the "
                        "scenario spends more)."),
        "assumptions": "Assumptions",
        "assumptions_lede": "Levers that differ between the two scenarios (all others are equal):",
        "param": "Parameter", "unit": "Unit", "meaning": "What it models",
        "none_differ": "The two scenarios have identical parameters.",
        "setup": "Set-up: {n} seeds per scenario, {firms} initial startups, {months} months, ecosim {version}, "
                 "written {when}. Money in million yuan. Model results, not forecasts.",
        "finding_up": "{more} {m} under {a}: {d} ({lo} to {hi}), {rel} against {b}.",
        "finding_down": "{less} {m} under {a}: {d} ({lo} to {hi}), {rel} against {b}.",
        "finding_flat": "{M}: no clear difference ({d}; 95% CI {lo} to {hi}).",
        "finding_fiscal": "Each public yuan came with {c} yuan of new loans under {a} (vs {cb} under {b}).",
        "ci": "95% CI", "pp": "pp",
    },
    "zh": {
        "title": "政策简报：{a}与{b}的对比",
        "lede": ("如果生态系统在“", "”情景而非“",
                 "”情景下运行，会发生什么变化？两个情景使用相同的 {n} 个随机种子（初始 {firms} 家科技初创企业，模拟 {months} 个月）；"
                 "差异按种子逐一配对计算，并给出 95% 置信区间。"),
        "howto_title": "如何阅读本简报",
        "howto_items": (
            "每个数字是模型在 {n} 个不同随机种子下运行结果的均值。方括号中的 95% 置信区间表示换一组种子时均值可能变动的范围；"
            "它不代表对现实经济的不确定性，后者取决于模型假设（见文末）。",
            "两个情景使用相同的种子，且每家企业在两个情景中抽取相同的随机数（共同随机数），因此差异来自政策而非运气。差异按种子逐一配对计算。",
            "颜色表示变化对生态系统是好是坏（每个指标事先声明）：绿色为改善，红色为恶化，蓝色为有明确变化但无好坏之分（如财政支出增加），"
            "灰色为与零无显著差异。",
            "本模型是依据试验区公开数据校准的简化经济体，不是对济南未来的预测，也不是对真实政策的评估，"
            "且不包含模型之外的因素（其他地区、经济周期、运行期间的规则变化）。",
        ),
        "scenarios": "情景说明",
        "headline": "主要影响",
        "key_findings": "核心结论",
        "legend": "颜色说明",
        "metric": "指标", "reference": "{b}（对照）", "scenario": "{a}", "difference_ci": "差异（95% 置信区间）",
        "verdict": "评价",
        "verdicts": {"good": "改善", "bad": "恶化", "neutral": "有变化（无好坏之分）", "unclear": "与零无显著差异"},
        "effects_alt": "相对对照情景的变化及 95% 置信区间",
        "effects_caption": "相对对照情景均值的变化（%），附 95% 置信区间；颜色含义同上表。",
        "zero_note": "对照情景均值为 0 的指标（如对照情景中不存在的担保体系或资金池所承担的损失）无法计算百分比变化，"
                     "在下方子图中以各自单位的绝对变化显示。",
        "over_time": "随时间变化",
        "over_time_caption": "各种子均值及 95% 置信带。",
        "losses": "违约损失由谁承担",
        "losses_caption": "模拟期内各方承担的违约损失合计（各种子均值）。",
        "party": "承担方", "share": "损失占比",
        "fiscal": "财政资金投入与成效",
        "fiscal_rows": {"public_spending": "财政资金支出（百万元）",
                        "credit_per_public_yuan": "每元财政资金带动的贷款（元）",
                        "patents_per_public_myuan": "每百万元财政资金带动的新专利（件）",
                        "multiplier_credit": "增量财政乘数：每增加一元财政资金带来的新增贷款（元）",
                        "multiplier_patents": "每增加百万元财政资金带来的新增专利（件）"},
        "fiscal_note": ("财政资金包括创业补助、风险补偿资金池赔付、政府引导基金出资及担保机构补充资本金（引导基金退出回收的资金未扣除）。"
                        "增量乘数为配对后的贷款差异除以配对后的财政支出差异（仅在该情景财政支出更高时给出）。"),
        "assumptions": "模型假设",
        "assumptions_lede": "两个情景之间取值不同的政策参数（其余参数相同；灰色小字为参数的英文原始说明）：",
        "param": "参数", "unit": "单位", "meaning": "对应的政策工具",
        "none_differ": "两个情景参数完全相同。",
        "setup": "设定：每个情景 {n} 个随机种子，初始 {firms} 家企业，模拟 {months} 个月，ecosim {version}，"
                 "生成于 {when}。金额单位为百万元。以上为模型结果，并非预测。",
        "finding_up": "在“{a}”情景下，{m}更高：{d}（95% 置信区间 {lo} 至 {hi}），较“{b}”变化 {rel}。",
        "finding_down": "在“{a}”情景下，{m}更低：{d}（95% 置信区间 {lo} 至 {hi}），较“{b}”变化 {rel}。",
        "finding_flat": "{M}：无显著差异（{d}；95% 置信区间 {lo} 至 {hi}）。",
        "finding_fiscal": "在“{a}”情景下，每一元财政资金对应 {c} 元新增贷款（“{b}”情景下为 {cb} 元）。",
        "ci": "95% 置信区间", "pp": "个百分点",
    },
}

_ENV = jinja2.Environment(loader=jinja2.PackageLoader("ecosim.viz", "templates"), autoescape=True,
                          undefined=jinja2.StrictUndefined, keep_trailing_newline=True)


# --------------------------------------------------------------------------- numbers


def _fmt(value: float | None, metric: str = "", signed: bool = False, lang: str = "en") -> str:
    """A number for the page: shares in % (differences in percentage points), money and counts by magnitude."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    if metric and metric_label(metric).is_share:
        return f"{100 * value:+.2f} {TEXT[lang]['pp']}" if signed else f"{100 * value:.2f}%"
    sign = "+" if signed else ""
    mag = abs(value)
    if mag >= 1000:
        return f"{value:{sign},.0f}"
    if mag >= 10:
        return f"{value:{sign}.1f}"
    return f"{value:{sign}.3g}" if mag else "0"


def _ci(lo: float, hi: float, metric: str = "", signed: bool = False, lang: str = "en") -> str:
    return f"[{_fmt(lo, metric, signed, lang)}, {_fmt(hi, metric, signed, lang)}]"


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


def scenario_title(name_or_path: str, lang: str = "en") -> str:
    """The name a reader sees for a scenario: its Chinese ``name_zh`` in the Chinese brief, else its name.

    A name that is not a loadable scenario (for example one given only to a stored result) is shown as it is.
    """
    try:
        sc = load_scenario(name_or_path)
    except (ScenarioError, OSError, ValueError):
        return str(name_or_path)
    if lang == "zh" and sc.name_zh:
        return sc.name_zh
    return sc.name


def scenario_description(name_or_path: str) -> str:
    """A scenario's ``description`` ('' when it has none or cannot be loaded)."""
    try:
        return load_scenario(name_or_path).description
    except (ScenarioError, OSError, ValueError):
        return ""


def _subject(metric: str, lang: str) -> str:
    """A metric's name inside a sentence: lower-cased first letter in English unless it is an acronym."""
    name = metric_name(metric, lang)
    if lang == "en" and len(name) > 1 and name[1].islower():
        return name[0].lower() + name[1:]
    return name


def _comparatives(metric: str) -> tuple[str, str]:
    """English words for up and down: higher/lower for rates, more/fewer for counts, more/less for money."""
    from ecosim.outputs.labels import MILLION_YUAN

    unit = metric_label(metric).unit
    if unit.en in ("", "%", "ratio", "AUC", "months", "yuan per public yuan", "patents per m yuan"):
        return "Higher", "Lower"
    return ("More", "Less") if unit is MILLION_YUAN else ("More", "Fewer")


def finding_items(table: pd.DataFrame, scenario: str, reference: str, lang: str = "en",
                  metrics: Sequence[str] = BRIEF_METRICS, names: Mapping[str, str] | None = None) -> list[dict]:
    """One plain-language finding per metric, with its judgement (``good``, ``bad``, ``neutral``, ``unclear``).

    Args:
        table: The comparison table (``metric, scenario, mean, diff, diff_low, diff_high``).
        scenario, reference: Scenario names in the table.
        lang: ``"en"`` or ``"zh"``.
        metrics: Metrics to report, in order.
        names: Display names of the scenarios (default: the names themselves).
    """
    t = TEXT[lang]
    names = names or {}
    out = []
    for metric in metrics:
        rows = table[(table["metric"] == metric) & (table["scenario"] == scenario)]
        ref = table[(table["metric"] == metric) & (table["scenario"] == reference)]
        if rows.empty or ref.empty:
            continue
        r = rows.iloc[0]
        base = float(ref.iloc[0]["mean"])
        rel = f"{100 * r['diff'] / abs(base):+.1f}%" if base else "–"
        lab = metric_label(metric)
        unit = "" if lab.is_share or not lab.unit.text(lang) else (lab.unit.text(lang) if lang == "zh"
                                                                  else " " + lab.unit.text(lang))
        more, less = _comparatives(metric)
        args = dict(m=_subject(metric, lang), M=metric_name(metric, lang), a=names.get(scenario, scenario),
                    more=more, less=less,
                    b=names.get(reference, reference), d=_fmt(r["diff"], metric, True, lang) + unit,
                    lo=_fmt(r["diff_low"], metric, True, lang), hi=_fmt(r["diff_high"], metric, True, lang), rel=rel)
        judgement = judge_change(metric, r["diff_low"], r["diff_high"])
        key = "finding_up" if r["diff_low"] > 0 else "finding_down" if r["diff_high"] < 0 else "finding_flat"
        verdict = t["verdicts"][judgement] if judgement in ("good", "bad") else ""
        out.append({"text": t[key].format(**args), "judgement": judgement, "verdict": verdict})
    return out


def findings(table: pd.DataFrame, scenario: str, reference: str, lang: str = "en",
             metrics: Sequence[str] = BRIEF_METRICS, names: Mapping[str, str] | None = None) -> list[str]:
    """Plain-language sentences, one per metric, whose numbers come from the comparison table."""
    return [f["text"] for f in finding_items(table, scenario, reference, lang, metrics, names)]


# --------------------------------------------------------------------------- page


def _headline_rows(table: pd.DataFrame, scenario: str, reference: str, lang: str) -> list[dict]:
    t = TEXT[lang]
    rows = []
    for metric in BRIEF_METRICS + LOSS_METRICS:
        ref = table[(table["metric"] == metric) & (table["scenario"] == reference)]
        row = table[(table["metric"] == metric) & (table["scenario"] == scenario)]
        if ref.empty or row.empty:
            continue
        r0, r1 = ref.iloc[0], row.iloc[0]
        judgement = judge_change(metric, r1["diff_low"], r1["diff_high"])
        rows.append({
            "name": metric_name(metric, lang, unit=not metric_label(metric).is_share),
            "ref": _fmt(r0["mean"], metric, lang=lang), "ref_ci": _ci(r0["ci_low"], r0["ci_high"], metric, lang=lang),
            "value": _fmt(r1["mean"], metric, lang=lang),
            "value_ci": _ci(r1["ci_low"], r1["ci_high"], metric, lang=lang),
            "diff": _fmt(r1["diff"], metric, True, lang), "diff_ci": _ci(r1["diff_low"], r1["diff_high"], metric, True, lang),
            "judgement": judgement, "verdict": t["verdicts"][judgement],
        })
    return rows


def _loss_rows(runs: pd.DataFrame, pair: Sequence[str], lang: str) -> list[dict]:
    totals = {name: sum(runs.loc[runs["scenario"] == name, k].mean() for k in LOSS_METRICS) for name in pair}
    out = []
    for key in LOSS_METRICS:
        cells = []
        for name in pair:
            _, mean, lo, hi = mean_ci(runs.loc[runs["scenario"] == name, key])
            share = mean / totals[name] if totals[name] else float("nan")
            cells.append({"value": _fmt(mean), "ci": _ci(lo, hi),
                          "share": "–" if math.isnan(share) else f"{100 * share:.0f}%"})
        out.append({"name": label(f"party:{key[6:]}", lang), "cells": cells})
    return out


def _fiscal_rows(fiscal: pd.DataFrame, pair: Sequence[str], lang: str) -> list[dict]:
    names = TEXT[lang]["fiscal_rows"]
    out = []
    for key in ("public_spending", "credit_per_public_yuan", "patents_per_public_myuan"):
        cells = []
        for name in pair:
            r = fiscal[(fiscal["key"] == key) & (fiscal["scenario"] == name)].iloc[0]
            cells.append({"value": _fmt(r["mean"]), "ci": _ci(r["ci_low"], r["ci_high"])})
        out.append({"name": names[key], "cells": cells})
    for key in ("multiplier_credit", "multiplier_patents"):
        r = fiscal[fiscal["key"] == key]
        if not r.empty:
            r = r.iloc[0]
            out.append({"name": names[key], "cells": [{"value": "–", "ci": ""},
                                                       {"value": _fmt(r["mean"]), "ci": _ci(r["ci_low"], r["ci_high"])}]})
    return out


def _assumption_rows(assumptions: pd.DataFrame, lang: str) -> list[dict]:
    out = []
    for _, r in assumptions.iterrows():
        path = str(r["path"])
        original = str(r["description"])
        out.append({
            "name": parameter_name(path, lang), "path": path,
            "reference": value_text(r["reference"], lang), "scenario": value_text(r["scenario"], lang),
            "unit": unit_name(str(r["unit"]), lang),
            "meaning": section_name(path.partition(".")[0], "zh") if lang == "zh" else original,
            "original": original if lang == "zh" else "",
        })
    return out


def brief_context(result, scenario: str, reference: str, *, lang: str = "en", months: int, firms: int,
                  assumptions: pd.DataFrame, names: Mapping[str, str] | None = None,
                  descriptions: Mapping[str, str] | None = None) -> dict:
    """Everything the brief's template shows, as plain data (strings and numbers; figures as ``data:`` URIs).

    Args:
        result: A :class:`~ecosim.experiments.CompareResult` holding both scenarios.
        scenario, reference: Their names in ``result``.
        lang: ``"en"`` or ``"zh"``.
        months, firms: Horizon and initial startups of the runs.
        assumptions: The levers that differ (:func:`differing_levers`).
        names: Display names of the two scenarios (default :func:`scenario_title` of each).
        descriptions: Descriptions of the two scenarios (default: from their files, when they load).
    """
    if lang not in TEXT:
        raise ValueError(f"lang = '{lang}': allowed {', '.join(TEXT)}")
    use_language(lang)  # fails loudly for Chinese without a CJK font, before any figure is drawn
    t = TEXT[lang]
    names = dict(names or {name: scenario_title(name, lang) for name in (reference, scenario)})
    descriptions = dict(descriptions or {name: scenario_description(name) for name in (reference, scenario)})
    a, b = names[scenario], names[reference]
    table, runs = result.table, result.runs
    n = int(runs.groupby("scenario").size().min())
    pair = (reference, scenario)

    fiscal = fiscal_table(runs, scenario, reference)
    items = finding_items(table, scenario, reference, lang, BRIEF_METRICS[:6], names)
    cpy = fiscal[(fiscal["key"] == "credit_per_public_yuan")].set_index("scenario")["mean"]
    if scenario in cpy and reference in cpy:
        items.append({"text": t["finding_fiscal"].format(c=_fmt(cpy[scenario]), cb=_fmt(cpy[reference]), a=a, b=b),
                      "judgement": "", "verdict": ""})

    eff = table[table["scenario"] == scenario].merge(
        table[table["scenario"] == reference][["metric", "mean"]].rename(columns={"mean": "ref_mean"}), on="metric")
    shown = [m for m in BRIEF_METRICS + LOSS_METRICS if m in set(eff["metric"])]
    zero_reference = bool((eff[eff["metric"].isin(shown)]["ref_mean"] == 0).any())
    monthly = result.monthly()
    monthly = monthly.assign(scenario=monthly["scenario"].map(lambda s: names.get(s, s)))
    loss_runs = runs[runs["scenario"].isin(pair)].assign(scenario=lambda d: d["scenario"].map(names))
    figures = {
        "effects": figure_to_data_uri(effects_figure(eff, shown, lang)),
        "monthly": figure_to_data_uri(band_figure(monthly, [m for m in MONTHLY_PANELS if m in monthly.columns], lang,
                                                  cumulative=MONTHLY_CUMULATIVE)),
        "losses": figure_to_data_uri(losses_figure(loss_runs, lang)),
    }
    lede = t["lede"]
    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    return {
        "t": {**t, "howto_items": [item.format(n=n) for item in t["howto_items"]]},
        "html_lang": "zh-CN" if lang == "zh" else "en",
        "title": t["title"].format(a=a, b=b),
        "scenario_name": a, "reference_name": b,
        "lede_before": lede[0], "lede_middle": lede[1], "lede_after": lede[2].format(n=n, firms=firms, months=months),
        "scenario_descriptions": [(names[k], descriptions.get(k, "")) for k in pair],
        "findings": items,
        "legend": [(k, JUDGEMENT_COLOURS[k], t["verdicts"][k]) for k in ("good", "bad", "neutral", "unclear")],
        "reference_header": t["reference"].format(b=b), "scenario_header": t["scenario"].format(a=a),
        "headline": _headline_rows(table, scenario, reference, lang),
        "zero_reference": zero_reference,
        "pair_names": [names[k] for k in pair],
        "million_yuan": label("million_yuan", lang),
        "losses": _loss_rows(runs, pair, lang),
        "fiscal": _fiscal_rows(fiscal, pair, lang),
        "assumptions": _assumption_rows(assumptions, lang),
        "figures": figures,
        "setup": t["setup"].format(n=n, firms=firms, months=months, version=ecosim.__version__, when=when),
    }


def render_brief(result, scenario: str, reference: str, *, lang: str = "en", months: int, firms: int,
                 assumptions: pd.DataFrame, names: Mapping[str, str] | None = None,
                 descriptions: Mapping[str, str] | None = None) -> str:
    """The brief's HTML from a :class:`~ecosim.experiments.CompareResult` (see :func:`brief_context`).

    Every string reaches the page through the template's autoescaping.
    """
    context = brief_context(result, scenario, reference, lang=lang, months=months, firms=firms,
                            assumptions=assumptions, names=names, descriptions=descriptions)
    return _ENV.get_template("brief.html.j2").render(**context)


def write_brief(scenario: str, reference: str, out: str | Path, *, seeds: int = 10, lang: str = "en",
                months: int | None = None, firms: int | str | None = None, workers: int = 1,
                results: str | Path | None = None, progress: bool = False) -> Path:
    """Run ``scenario`` and ``reference`` on common seeds (or reuse stored runs) and write the HTML brief.

    Args:
        scenario: The scenario assessed (name or path).
        reference: The scenario it is compared against.
        out: HTML file to write.
        seeds: Seeds per scenario.
        lang: ``"en"`` or ``"zh"``.
        months: Horizon (default: the scenario's).
        firms: Initial startups (number or size preset; default: the scenario's).
        workers: Parallel processes (1 runs in this process).
        results: Results folder of a comparison (``ecosim compare ... --out DIR``, or an earlier brief): runs
            already stored there are reused, missing ones are run and stored; a temporary folder when None.
        progress: Show a progress bar of the runs.

    Returns:
        The path written.
    """
    from ecosim.experiments import compare

    use_language(lang)
    res = compare([reference, scenario], seeds=seeds, months=months, firms=firms,
                  executor="processes" if workers > 1 else "serial", workers=workers if workers > 1 else None,
                  out=results, metrics=list(BRIEF_METRICS + LOSS_METRICS), progress=progress)
    if len(res.failures):
        raise RuntimeError(f"{len(res.failures)} run(s) failed: {res.failures.iloc[0]['error']}")
    sc = load_scenario(scenario, months=months, firms=firms)
    ref_name, sc_name = res.scenarios
    names = {ref_name: scenario_title(reference, lang), sc_name: scenario_title(scenario, lang)}
    descriptions = {ref_name: scenario_description(reference), sc_name: scenario_description(scenario)}
    page = render_brief(res, sc_name, ref_name, lang=lang, months=sc.run.months, firms=sc.run.firms,
                        assumptions=differing_levers(scenario, reference, months=months, firms=firms),
                        names=names, descriptions=descriptions)
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(page, encoding="utf-8")
    return out
