"""Human names of the scenario's sections, their units and values, in English and Chinese, for the brief's assumptions.

The scenario schema documents every lever in English (:func:`ecosim.scenario.parameter_table`);
this module gives the words a reader of either language needs around it: the
instrument each section models, its units, switches as on/off (开/关) and levers
left empty to scale with the size of the economy.
"""

from __future__ import annotations

import math
from typing import Any

#: Section of the scenario -> (English, Chinese) name of the instrument or part of the ecosystem it models.
SECTION_NAMES: dict[str, tuple[str, str]] = {
    "run": ("Run", "运行设置"),
    "firms": ("Startups", "科技初创企业"),
    "banks": ("Banks", "银行"),
    "guarantee": ("Guarantee chain", "银担分险（担保体系）"),
    "pool": ("Risk-compensation pool", "风险补偿资金池"),
    "products": ("Tech loan products", "科技信贷产品"),
    "exemption": ("Due-diligence exemption", "尽职免责"),
    "incentives": ("Bank incentives", "银行激励政策"),
    "platforms": ("Data-credit platforms", "数据征信平台"),
    "brokers": ("Partner teams and service stations", "金融辅导队与服务站"),
    "brokerage": ("Tech brokerage", "技术经纪与成果转化"),
    "evaluation": ("Yearly bank evaluation", "银行年度考核评价"),
    "funds": ("Guidance funds (6+N)", "政府引导基金（6+N）"),
    "venture": ("Private venture capital", "社会创投资本"),
    "boards": ("Capital-market ladder", "多层次资本市场"),
    "grant_equity": ("Grants to investment", "拨改投"),
    "government": ("Government budget", "财政预算"),
}

#: Common words of parameter names -> Chinese.
_FIELD_WORDS_ZH: dict[str, str] = {
    "enabled": "是否启用", "share": "比例", "size": "规模", "rate": "比率", "fee": "费率", "max": "上限",
    "min": "下限", "loan": "贷款", "teams": "辅导队数量", "stations": "服务站数量", "advisers": "科技顾问数量",
    "bank": "银行", "national": "国家级", "provincial": "省级", "municipal": "市级", "four": "四板",
    "three": "三板", "to": "转", "ftp": "内部资金转移定价", "rebate": "返还", "relending": "再贷款",
    "delegated": "授权", "approval": "审批", "differentiated": "差异化", "tolerance": "容忍度",
    "pool": "资金池", "cap": "上限", "months": "月数", "firms": "企业数", "banks": "银行数",
}

#: Units of the schema -> Chinese.
UNITS_ZH: dict[str, str] = {
    "advisers": "名", "banks": "家银行", "correlation with latent quality": "与潜在质量的相关系数",
    "deals per fund per month": "笔/基金/月", "employees": "人", "funds": "只基金", "indicators": "项指标",
    "institutes": "家院所", "log-hazard per sd": "每标准差对数风险", "log-sd": "对数标准差", "million yuan": "百万元",
    "million yuan per employee": "百万元/人", "million yuan per month": "百万元/月", "months": "个月",
    "months of R&D cost": "个月研发支出", "months of burn": "个月支出", "months of revenue": "个月收入",
    "multiple on invested capital": "投资回报倍数", "patents": "件专利", "patents per month": "件/月",
    "per month": "每月", "per month per sd": "每月每标准差", "per sd of quality": "每标准差质量",
    "per unit of posterior sd": "每单位后验标准差", "per year": "每年", "per year of principal": "本金年率",
    "points of 100": "分（百分制）", "precision (1/variance)": "精度（方差倒数）", "probability": "概率",
    "probability per month": "月概率", "products per institution": "个产品/机构", "ratio": "比值",
    "results per institute per month": "项成果/院所/月", "sd of quality": "质量标准差", "share": "比例",
    "share of a stage": "占该阶段比例", "share of banks": "占银行比例", "share of burn": "占支出比例",
    "share of called capital": "占实缴资本比例", "share of eligible firms": "占符合条件企业比例",
    "share of equity raised": "占股权融资比例", "share of firms": "占企业比例", "share of grants": "占补助比例",
    "share of guaranteed balance": "占担保余额比例", "share of initial firms per month": "占初始企业数比例/月",
    "share of invested capital": "占投资额比例", "share of loss": "占损失比例", "share of monthly capacity": "占月度容量比例",
    "share of new firms": "占新企业比例", "share of park firms": "占园区企业比例", "share of payout": "占代偿额比例",
    "share of principal": "占本金比例", "share of principal lost": "占本金损失比例", "share of projects": "占项目比例",
    "share of results": "占成果比例", "share of the delegated limit": "占授权额度比例", "share of the firm": "占企业股权比例",
    "share of the government's profit": "占政府收益比例", "share of the limit": "占额度比例",
    "share of the line": "占授信额度比例", "share of the mark": "占估值比例", "startups": "家企业", "stations": "个服务站",
    "sub-funds": "只子基金", "switch": "开关", "teams": "支队伍", "times net assets": "倍净资产",
    "visits per month": "次/月", "yuan of personal cost per yuan of expected default": "元个人成本/元预期违约",
}


def section_name(section: str, lang: str = "en") -> str:
    """The instrument a scenario section models, in ``lang``."""
    en, zh = SECTION_NAMES.get(section, (section.replace("_", " ").capitalize(), section))
    return zh if lang == "zh" else en


def parameter_name(path: str, lang: str = "en") -> str:
    """A reader's name of a dotted parameter: ``"Guarantee chain: share bank"`` / ``"银担分险（担保体系）：银行比例"``."""
    section, _, name = path.partition(".")
    words = name.split("_")
    if lang == "zh":
        field = "".join(_FIELD_WORDS_ZH.get(w, w) for w in words)
        return f"{section_name(section, 'zh')}：{field}"
    return f"{section_name(section, 'en')}: {' '.join(words)}"


def unit_name(unit: str, lang: str = "en") -> str:
    """A schema unit in ``lang`` (the English unit when no translation is known)."""
    if lang == "zh":
        return UNITS_ZH.get(unit, unit)
    return unit


def value_text(value: Any, lang: str = "en") -> str:
    """A parameter value for people: switches as on/off (开/关), empty levers as scaled with the economy."""
    if isinstance(value, bool):
        return ("开" if value else "关") if lang == "zh" else ("on" if value else "off")
    if value is None:
        return "随经济规模自动确定" if lang == "zh" else "scaled with the economy"
    if isinstance(value, float):
        if math.isnan(value):
            return "–"
        return f"{value:,.6g}"
    if isinstance(value, (list, tuple)):
        return ", ".join(value_text(v, lang) for v in value)
    return str(value)
