"""Human names and units of every metric, in English and Chinese: the one registry behind tables, figures and the brief.

Each monthly metric (:data:`ecosim.outputs.metrics.METRIC_NAMES`) and each
run summary figure the outputs show has one :class:`MetricLabel`: its name in
both languages, its unit, whether the value is a share (stored as a fraction,
shown in per cent), and whether a higher value is good, bad or neither for the
ecosystem. The direction is a declared judgement used only to colour changes
(a lower NPL ratio is good, more defaults are bad); a ``None`` direction is
shown neutral.

Summary figures named ``total_<metric>`` or ``mean_<metric>`` that have no
entry of their own are derived from the monthly metric's entry, so a new
monthly metric needs one entry here, and ``tests/viz/test_labels.py`` fails
until it has one.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Unit:
    """A unit of measure in both languages.

    Attributes:
        en: English unit (empty for a pure count or ratio whose name says it).
        zh: Chinese unit.
        scale: Factor from the stored value to the shown value (100 for shares shown in per cent).
    """

    en: str
    zh: str
    scale: float = 1.0

    def text(self, lang: str = "en") -> str:
        """The unit in ``lang``."""
        return self.zh if lang == "zh" else self.en


MILLION_YUAN = Unit("m yuan", "百万元")
SHARE = Unit("%", "%", 100.0)
FIRMS = Unit("firms", "家")
LOANS = Unit("loans", "笔")
PATENTS = Unit("patents", "件")
MONTHS = Unit("months", "个月")
PEOPLE = Unit("people", "人")
COUNT = Unit("", "")
RATIO = Unit("ratio", "倍")
YUAN_PER_YUAN = Unit("yuan per public yuan", "元/元")
PATENTS_PER_MYUAN = Unit("patents per m yuan", "件/百万元")
AUC = Unit("AUC", "AUC")


@dataclass(frozen=True)
class MetricLabel:
    """How a metric is named and judged in the outputs.

    Attributes:
        key: The metric's column name.
        en: Human name in English (sentence case, no unit).
        zh: Human name in Chinese.
        unit: Unit of the shown value.
        up_is_good: True when a higher value is good for the ecosystem, False when bad, None when neither.
    """

    key: str
    en: str
    zh: str
    unit: Unit = COUNT
    up_is_good: bool | None = None

    def name(self, lang: str = "en") -> str:
        """The human name in ``lang``."""
        return self.zh if lang == "zh" else self.en

    def title(self, lang: str = "en") -> str:
        """The name with its unit, for axes and table rows: ``"Loan balance (m yuan)"``."""
        unit = self.unit.text(lang)
        if not unit:
            return self.name(lang)
        return f"{self.name(lang)}（{unit}）" if lang == "zh" else f"{self.name(lang)} ({unit})"

    @property
    def is_share(self) -> bool:
        """Whether the value is a fraction shown in per cent."""
        return self.unit is SHARE


def _entries(*rows: tuple) -> dict[str, MetricLabel]:
    return {row[0]: MetricLabel(*row) for row in rows}


#: Every labelled metric: monthly metrics first, then run summary figures.
METRIC_LABELS: dict[str, MetricLabel] = _entries(
    # monthly metrics (ecosim.outputs.metrics.METRICS)
    ("month", "Month", "月份", MONTHS, None),
    ("firms_alive", "Startups operating", "在营科技初创企业", FIRMS, True),
    ("firms_entered", "Startups entering", "新进入企业", FIRMS, True),
    ("firms_failed", "Startups failing", "退出（失败）企业", FIRMS, False),
    ("firms_with_loan", "Startups with a loan", "有贷款的企业", FIRMS, True),
    ("credit_access_rate", "Share of startups with a loan", "获贷企业占比", SHARE, True),
    ("loan_balance", "Loan balance", "贷款余额", MILLION_YUAN, True),
    ("new_loans", "Loans paid out", "新发放贷款", MILLION_YUAN, True),
    ("npl_ratio", "NPL ratio", "不良贷款率", SHARE, False),
    ("defaults", "Loan defaults", "贷款违约", LOANS, False),
    ("loss_bank", "Losses kept by banks", "银行承担损失", MILLION_YUAN, False),
    ("loss_guarantors", "Losses borne by the guarantee chain", "担保体系承担损失", MILLION_YUAN, False),
    ("loss_government", "Losses borne by the risk pool", "风险补偿资金池承担损失", MILLION_YUAN, False),
    ("public_spending", "Public money spent", "财政资金支出", MILLION_YUAN, None),
    ("public_recycled", "Public money returned by fund exits", "引导基金退出回收资金", MILLION_YUAN, True),
    ("equity_invested", "Equity invested", "股权投资", MILLION_YUAN, True),
    ("equity_public", "Public equity invested", "政府引导基金出资", MILLION_YUAN, None),
    ("equity_private", "Private equity invested", "社会资本出资", MILLION_YUAN, True),
    ("patents", "Patents held", "持有专利", PATENTS, True),
    ("patents_new", "Patents filed", "新申请专利", PATENTS, True),
    ("listings", "Listings", "上市挂牌企业", FIRMS, True),
    ("acquisitions", "Acquisitions", "被并购企业", FIRMS, None),
    ("firms_seed", "Startups at seed stage", "种子期企业", FIRMS, None),
    ("firms_early", "Startups at early stage", "初创期企业", FIRMS, None),
    ("firms_growth", "Startups at growth stage", "成长期企业", FIRMS, None),
    ("firms_mature", "Startups at mature stage", "成熟期企业", FIRMS, None),
    ("employees", "Employees of startups", "企业参保职工", PEOPLE, True),
    ("applications", "Loan applications", "贷款申请", LOANS, None),
    ("approvals", "Loan approvals", "贷款获批", LOANS, True),
    ("approval_rate_young", "Approval rate, firms under 3 years", "成立不满3年企业贷款获批率", SHARE, True),
    ("approval_rate_old", "Approval rate, firms 3 years or older", "成立3年以上企业贷款获批率", SHARE, True),
    ("time_to_loan", "Months from need to money", "从融资需求到放款时间", MONTHS, False),
    ("guaranteed_balance", "Guaranteed loan balance", "担保贷款余额", MILLION_YUAN, None),
    ("guarantor_leverage", "Municipal guarantor's leverage", "市级担保机构放大倍数", RATIO, None),
    ("pool_balance", "Money left in the risk pool", "风险补偿资金池余额", MILLION_YUAN, None),
    ("default_flow_ratio", "Defaults over 12 months, share of the book", "近12个月违约贷款占比", SHARE, False),
    ("guarantor_net_assets", "Municipal guarantor's net assets", "市级担保机构净资产", MILLION_YUAN, True),
    ("guarantor_room", "Municipal guarantor's room to guarantee", "市级担保机构剩余担保额度", MILLION_YUAN, True),
    ("national_cap_room", "National fund's room under its compensation cap", "国家融资担保基金剩余代偿额度",
     MILLION_YUAN, True),
    ("bank_lending_room", "Banks' lending room under their capital", "银行资本约束下剩余放贷空间", MILLION_YUAN, True),
    ("npl_balance", "Non-performing loans on the books", "不良贷款余额", MILLION_YUAN, False),
    ("loans_overdue", "Loans in arrears", "逾期贷款", LOANS, False),
    ("written_off", "Loans written off", "核销贷款", LOANS, False),
    ("months_to_writeoff", "Months from first missed payment to write-off", "从首次逾期到核销时间", MONTHS, None),
    ("shocks", "Business setbacks", "企业经营冲击", COUNT, False),
    ("new_loan_rate", "Interest rate of new loans", "新发放贷款利率", SHARE, None),
    ("guarantee_rationed", "Guarantees turned away for lack of room", "因额度不足未获担保的贷款", MILLION_YUAN, False),
    ("public_cost_guarantors", "Public cost: guarantors' net losses", "公共成本：担保机构净损失", MILLION_YUAN, None),
    ("public_cost_pool", "Public cost: risk-pool payouts", "公共成本：风险补偿资金池代偿", MILLION_YUAN, None),
    ("public_cost_fund_stakes", "Public cost: guidance-fund capital", "公共成本：引导基金出资", MILLION_YUAN, None),
    ("public_cost_grants", "Public cost: start-up grants", "公共成本：创业补助", MILLION_YUAN, None),
    ("public_cost_grant_stakes", "Public cost: grants-to-investment stakes", "公共成本：拨改投出资", MILLION_YUAN, None),
    ("public_cost_relending_subsidy", "Public cost: re-lending subsidy", "公共成本：科技创新再贷款补贴", MILLION_YUAN,
     None),
    ("public_cost_ftp_subsidy", "Public cost: FTP and rediscount subsidy", "公共成本：内部资金转移定价与再贴现优惠",
     MILLION_YUAN, None),
    ("public_cost_recapitalisation", "Recapitalisation of the guarantor (memo)", "担保机构增资（备忘）", MILLION_YUAN,
     None),
    ("public_cost_total", "Public cost in full", "公共成本合计", MILLION_YUAN, None),
    ("rated_share", "Share of startups rated by a platform", "平台评级覆盖率", SHARE, True),
    ("visits", "Partner-team visits", "金融辅导队走访", Unit("visits", "次"), True),
    ("allocation_auc", "Allocation quality", "信贷配置质量", AUC, True),
    ("guarantee_payouts", "Guarantee payouts to banks", "担保代偿", MILLION_YUAN, False),
    ("national_refused", "Claims refused by the national fund", "国家融担基金拒绝代偿", MILLION_YUAN, None),
    ("pool_payouts", "Risk-pool payouts to banks", "资金池补偿", MILLION_YUAN, False),
    ("guaranteed_loss", "Losses on guaranteed loans", "担保贷款损失", MILLION_YUAN, False),
    ("guaranteed_loss_bank", "Losses on guaranteed loans kept by banks", "银行承担的担保贷款损失", MILLION_YUAN, False),
    ("guarantee_fees", "Guarantee fees paid by startups", "企业支付担保费", MILLION_YUAN, False),
    ("guarantee_fee_rate", "Guarantee fee", "担保费率", SHARE, False),
    ("relending_balance", "Tech re-lending balance", "科技再贷款余额", MILLION_YUAN, None),
    ("banks_over_tolerance", "Banks over their NPL tolerance", "不良率超过容忍度的银行", Unit("banks", "家"), False),
    ("equity_guidance", "Equity invested by guidance sub-funds", "引导子基金投资", MILLION_YUAN, True),
    ("equity_venture", "Equity invested by private VC", "社会创投投资", MILLION_YUAN, True),
    ("equity_aic", "Equity invested by bank AIC funds", "金融资产投资公司投资", MILLION_YUAN, True),
    ("equity_grant", "Equity bought with converted grants", "拨改投股权投资", MILLION_YUAN, None),
    ("equity_outside", "Sub-fund money invested outside the region", "子基金区外投资", MILLION_YUAN, False),
    ("equity_crowded_in", "Private equity following a guidance fund", "引导基金带动的社会资本", MILLION_YUAN, True),
    ("equity_rounds", "Equity rounds", "股权融资轮次", Unit("rounds", "轮"), True),
    ("seed_rounds", "Seed-stage equity rounds", "种子期股权融资轮次", Unit("rounds", "轮"), True),
    ("fund_commitments", "Capital committed to sub-funds", "子基金认缴规模", MILLION_YUAN, None),
    ("fund_uncalled", "Sub-fund capital not yet called", "子基金未实缴资本", MILLION_YUAN, None),
    ("fund_calls_public", "Sub-fund capital called from the government", "政府实缴子基金出资", MILLION_YUAN, None),
    ("fund_calls_private", "Sub-fund capital called from private partners", "社会资本实缴子基金出资", MILLION_YUAN,
     True),
    ("upgrades", "Firms moving up a market", "转板企业", FIRMS, True),
    ("upgrades_regional", "Firms moving up from the regional market", "区域股权市场转板企业", FIRMS, True),
    ("regional_board_firms", "Firms on the regional equity market", "区域股权市场挂牌企业", FIRMS, None),
    ("neeq_firms", "Firms on NEEQ", "新三板挂牌企业", FIRMS, None),
    ("exits_writeoff", "Stakes written off", "投资核销退出", Unit("stakes", "笔"), False),
    ("exits_acquisition", "Stakes sold in acquisitions", "并购退出", Unit("stakes", "笔"), True),
    ("exits_listing", "Stakes exited by listing", "上市退出", Unit("stakes", "笔"), True),
    ("exits_secondary", "Stakes sold to other investors", "股权转让退出", Unit("stakes", "笔"), None),
    ("exit_proceeds", "Investors' exit proceeds", "投资退出收益", MILLION_YUAN, True),
    ("grant_equity_stakes", "Grants paid as equity stakes", "拨改投出资", MILLION_YUAN, None),
    ("grant_equity_recycled", "Grants-to-investment proceeds recycled", "拨改投退出回收", MILLION_YUAN, True),
    ("unfunded_top_quality", "Best startups never financed", "从未获得融资的优质企业占比", SHARE, False),
    ("applications_per_firm", "Loan applications per startup", "每家企业贷款申请次数", LOANS, None),
    ("brokerage_projects", "Research results turned into projects", "技术经纪转化项目", Unit("projects", "项"), True),
    ("brokerage_patents", "Patents from brokered projects", "技术经纪项目专利", PATENTS, True),
    ("spinoffs", "Research spin-offs", "科研成果转化企业", FIRMS, True),
    ("licences", "Brokered licences to firms", "技术许可", Unit("licences", "项"), True),
    ("bank_score_mean", "Mean bank evaluation score", "银行考核平均得分", Unit("points of 100", "分"), True),
    # run summary figures (ecosim.runner.summarise) that are more than a total or mean of one metric
    ("survival_share", "Share of startups still operating", "企业存活率", SHARE, True),
    ("firms_ever", "Startups ever", "累计企业数", FIRMS, None),
    ("firms_alive_end", "Startups operating at the end", "期末在营企业", FIRMS, True),
    ("total_firms_failed", "Startups failed", "累计退出（失败）企业", FIRMS, False),
    ("total_defaults", "Loan defaults", "累计贷款违约", LOANS, False),
    ("total_patents_new", "Patents filed", "累计新申请专利", PATENTS, True),
    ("credit_per_public_yuan", "Credit per public yuan", "每元财政资金带动贷款", YUAN_PER_YUAN, True),
    ("patents_per_public_myuan", "Patents per million public yuan", "每百万元财政资金带动专利", PATENTS_PER_MYUAN,
     True),
    ("private_per_public_yuan", "Private equity per public yuan", "每元财政资金带动社会资本", YUAN_PER_YUAN, True),
    ("mean_npl_ratio_after_year_2", "Mean NPL ratio after year 2", "第2年后平均不良贷款率", SHARE, False),
    ("bank_share_of_guaranteed_losses", "Banks' share of guaranteed losses", "银行承担担保贷款损失比例", SHARE,
     None),
    ("mean_guarantee_fee_rate", "Mean guarantee fee", "平均担保费率", SHARE, False),
    ("loan_default_share", "Share of loans that defaulted", "贷款违约比例", SHARE, False),
    ("regional_upgrade_rate", "Regional-board upgrade rate", "区域股权市场转板率", SHARE, True),
    ("exempt_share", "Share of defaults exempted", "尽职免责认定比例", SHARE, None),
    ("fund_tvpi", "Fund TVPI", "基金总价值倍数（TVPI）", RATIO, True),
    ("fund_dpi", "Fund DPI", "基金已分配倍数（DPI）", RATIO, True),
    ("fund_irr_median", "Median fund IRR", "基金内部收益率中位数", SHARE, True),
    ("total_guarantee_payouts", "Guarantee payouts", "累计担保代偿", MILLION_YUAN, False),
    ("total_pool_payouts", "Risk-pool payouts", "累计资金池补偿", MILLION_YUAN, False),
    ("total_upgrades", "Board upgrades", "累计转板", FIRMS, True),
    ("total_spinoffs", "Research spin-offs", "科研成果转化企业", FIRMS, True),
    ("banks_accredited", "Banks accredited", "获评科技金融机构的银行", Unit("banks", "家"), True),
)

#: Tech loan products (ecosim.credit.products) -> (English, Chinese).
PRODUCT_NAMES = {
    "collateral": ("collateral loans", "抵押贷款"), "rating_credit": ("rating-based credit loans", "评级信用贷款"),
    "data_credit": ("data-credit loans", "数据信用贷款"), "guaranteed": ("guaranteed loans", "担保贷款"),
    "rd": ("R&D loans", "研发贷"), "ip_pledge": ("IP-pledge loans", "知识产权质押贷款"),
    "equity_pledge": ("equity-pledge loans", "股权质押贷款"), "invest_loan": ("investment-linked loans", "投贷联动贷款"),
    "ma": ("M&A loans", "并购贷款"),
}
#: Age bands of applicants -> (English, Chinese).
AGE_BANDS = {"0_1": ("under 1 year", "成立不满1年"), "1_3": ("1 to 3 years", "成立1至3年"),
             "3_plus": ("3 years or older", "成立3年以上")}
#: Markets of the capital-market ladder -> (English, Chinese).
BOARD_NAMES = {"regional_sci_tech": ("regional sci-tech board", "区域股权市场科技板"),
               "regional_specialised": ("regional specialised board", "区域股权市场专精特新板"),
               "neeq": ("NEEQ", "新三板"), "star": ("STAR Market", "科创板"), "chinext": ("ChiNext", "创业板"),
               "bse": ("Beijing Stock Exchange", "北交所")}
#: Tiers of the guarantee chain and the platforms -> (English, Chinese).
TIERS = {"municipal": ("municipal", "市级"), "provincial": ("provincial", "省级"), "national": ("national", "国家级"),
         "district": ("district", "区级")}
#: Kinds of brokers' visits -> (English, Chinese).
VISIT_KINDS = {"team": ("partner teams", "金融辅导队"), "station": ("service stations", "服务站"),
               "adviser": ("tech advisers", "科技顾问")}


def _families() -> dict[str, MetricLabel]:
    """Labels of the metric families kept per product, age band, market, tier and broker."""
    rows = []
    for key, (en, zh) in PRODUCT_NAMES.items():
        rows.append((f"new_loans_{key}", f"Loans paid out: {en}", f"新发放{zh}", MILLION_YUAN, True))
        rows.append((f"loans_made_{key}", f"Loans made: {en}", f"{zh}笔数", LOANS, True))
    for key, (en, zh) in AGE_BANDS.items():
        rows.append((f"applications_age_{key}", f"Loan applications, firms {en}", f"{zh}企业贷款申请", LOANS, None))
        rows.append((f"approvals_age_{key}", f"Loan approvals, firms {en}", f"{zh}企业贷款获批", LOANS, True))
        rows.append((f"approval_rate_age_{key}", f"Approval rate, firms {en}", f"{zh}企业贷款获批率", SHARE, True))
    for key, (en, zh) in BOARD_NAMES.items():
        rows.append((f"listings_{key}", f"Listings on the {en}", f"{zh}上市挂牌企业", FIRMS, True))
    for key in ("municipal", "provincial", "national"):
        en, zh = TIERS[key]
        rows.append((f"loss_guarantor_{key}", f"Losses borne by the {en} guarantor", f"{zh}担保机构承担损失",
                     MILLION_YUAN, False))
    for key in ("provincial", "municipal", "district"):
        en, zh = TIERS[key]
        rows.append((f"coverage_{key}", f"Share of startups on the {en} platform", f"{zh}平台覆盖率", SHARE, True))
    for key, (en, zh) in VISIT_KINDS.items():
        rows.append((f"visits_{key}", f"Visits by {en}", f"{zh}走访", Unit("visits", "次"), True))
    return _entries(*rows)


METRIC_LABELS.update(_families())

#: Wording of derived summary names: prefix -> (English template, Chinese template).
_DERIVED = {"total_": ("{} (total over the run)", "{}（累计）"), "mean_": ("{} (monthly mean)", "{}（月均）")}


class UnknownMetricError(KeyError):
    """A metric has no label in :data:`METRIC_LABELS` (add one there)."""


def metric_label(key: str) -> MetricLabel:
    """The label of ``key``: its own entry, or one derived from the monthly metric of ``total_X`` / ``mean_X``.

    Raises:
        UnknownMetricError: When neither exists.
    """
    found = METRIC_LABELS.get(key)
    if found is not None:
        return found
    for prefix, (en, zh) in _DERIVED.items():
        base = METRIC_LABELS.get(key.removeprefix(prefix)) if key.startswith(prefix) else None
        if base is not None:
            if prefix == "total_" and base.unit is MILLION_YUAN:  # a sum of money flows reads as itself
                return MetricLabel(key, base.en, base.zh + "（累计）", base.unit, base.up_is_good)
            return MetricLabel(key, en.format(base.en), zh.format(base.zh), base.unit, base.up_is_good)
    raise UnknownMetricError(f"metric '{key}' has no label: add it to ecosim.outputs.labels.METRIC_LABELS")


def has_label(key: str) -> bool:
    """Whether :func:`metric_label` knows ``key``."""
    try:
        metric_label(key)
    except UnknownMetricError:
        return False
    return True


def metric_name(key: str, lang: str = "en", *, unit: bool = False) -> str:
    """The human name of ``key`` in ``lang`` (with its unit when ``unit``); the key itself when it has no label."""
    if not has_label(key):
        return key
    lab = metric_label(key)
    return lab.title(lang) if unit else lab.name(lang)


def good_direction(key: str) -> bool | None:
    """True when up is good for ``key``, False when down is good, None when neither (or unlabelled)."""
    return metric_label(key).up_is_good if has_label(key) else None


def judge_change(key: str, low: float, high: float) -> str:
    """Judge a change with confidence interval ``[low, high]``: ``"good"``, ``"bad"``, ``"neutral"`` or ``"unclear"``.

    A change is clear when its interval excludes zero; a clear change of a metric with no declared
    direction is ``"neutral"``.
    """
    if not (low > 0 or high < 0):
        return "unclear"
    up = good_direction(key)
    if up is None:
        return "neutral"
    return "good" if (low > 0) == up else "bad"
