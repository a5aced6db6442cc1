"""Scenario schema and loading: every policy lever as validated data.

A scenario is a TOML file: one bundled with the package (``ecosim/scenarios/``),
one in a folder named by ``ECOSIM_SCENARIO_PATH``, or any path. It may
``extends = "baseline"`` another scenario and override single values; the
result is validated against :class:`Scenario` before anything runs. Each
parameter carries a unit, a range, a docstring naming the real instrument and
the source of its default (see :func:`ecosim.params.lever`).

Errors are reported as :class:`ScenarioError` with a one-line message that
names the key and what is allowed.
"""

from __future__ import annotations

import copy
import hashlib
import importlib.resources
import json
import math
import os
import re
import stat
import tomllib
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
from pydantic import BaseModel, ValidationError, model_validator

from ecosim.macro import DownturnSection
from ecosim.params import STRICT, Section, lever

#: Folder of the scenario files shipped inside the package (found the same way after a wheel install).
SCENARIO_DIR = Path(str(importlib.resources.files("ecosim").joinpath("scenarios")))
#: Environment variable naming more scenario folders (``os.pathsep``-separated), searched before the bundled ones.
SCENARIO_PATH_VAR = "ECOSIM_SCENARIO_PATH"

#: Reference size: Jinan's counts, to which institutions and public money scale.
JINAN_FIRMS = 20_000
#: Named model sizes usable wherever a number of initial startups is asked for.
SIZE_PRESETS: dict[str, int] = {"demo": 300, "small": 1_000, "medium": 5_000, "jinan": JINAN_FIRMS, "large": 100_000}

SECTORS: tuple[str, ...] = (
    "artificial_intelligence",
    "space_information",
    "biomedicine",
    "new_materials",
    "high_end_equipment",
    "new_energy",
    "other_tech",
)
"""Sectors: the six hard-tech sectors of the "6+N" fund cluster, then all other tech."""


class ScenarioError(ValueError):
    """A scenario that cannot be used: the message names the key and what is allowed."""


class RunSection(Section):
    """Size and horizon of a run."""

    months: int = lever(120, "months", "Horizon of a run; one step is one month.", ge=1, le=600)
    firms: int = lever(
        2_000,
        "startups",
        "Initial number of startups. Institutions and public money scale with firms / 20,000 "
        "(Jinan's size) unless given explicitly. Presets: demo=300, small=1,000, jinan=20,000, large=100,000.",
        ge=10,
        le=1_000_000,
    )


class FirmSection(Section):
    """Startups: entry, latent quality, growth, cash needs and failure."""

    entry_rate: float = lever(
        0.0125, "share of initial firms per month",
        "New startups entering each month. With the firms' survival this keeps the population near its "
        "initial size (entry = initial firms / mean lifetime in the population, about 65 months at the "
        "calibrated values).",
        ge=0.0, le=0.2, source="calibrated: keeps the population stationary (target population_stationary)",
    )
    founder_capital: float = lever(
        1.2, "million yuan", "Median founders' capital of a new startup (log-normal).", ge=0.01, le=100.0
    )
    founder_capital_sigma: float = lever(
        0.7, "log-sd", "Dispersion of founders' capital.", ge=0.0, le=3.0
    )
    burn_seed: float = lever(
        0.06, "million yuan per month",
        "Monthly fixed costs (core staff, rent, R&D) of a seed-stage firm at full operation.", ge=0.001, le=10.0
    )
    burn_stage_multiplier: float = lever(
        1.8, "ratio", "Fixed costs multiply by this at each stage up (calibrated).", ge=1.0, le=5.0
    )
    employees_seed: float = lever(
        6.0, "employees", "Core staff (social-insurance payers) of a seed-stage firm; core staff scale with "
        "fixed costs paid.", ge=1.0, le=200.0
    )
    opex_share: float = lever(
        0.20, "share of revenue",
        "Selling, administrative and product costs that grow with revenue, on top of the cost of goods sold "
        "(one minus the sector's gross margin, ecosim.firms.economics.GROSS_MARGIN).",
        ge=0.0, le=1.0, source="model assumption (order of tech SMEs' selling and admin cost ratios)",
    )
    revenue_per_employee: float = lever(
        0.06, "million yuan per month per employee",
        "Monthly revenue one extra employee handles: staff beyond the core are hired and let go with revenue.",
        ge=0.001, le=10.0, source="model assumption (about 0.7 m yuan a year per employee)",
    )
    staff_adjustment: float = lever(
        0.15, "share per month", "Share of the gap between staff and the staff the business needs closed each "
        "month (hiring and lay-off frictions).", ge=0.01, le=1.0, source="model assumption",
    )
    market_size: float = lever(
        120.0, "million yuan per month",
        "Monthly revenue at which a median firm's market saturates (times the sector's weight, "
        "ecosim.firms.economics.MARKET_WEIGHT): growth slows as revenue approaches it and turns negative above.",
        ge=1.0, le=100_000.0, source="model assumption (a regional tech firm's plausible size; bounded growth)",
    )
    revenue_noise: float = lever(
        0.15, "log-sd per month", "Monthly shocks to revenue (two-sided: a firm can shrink).",
        ge=0.0, le=1.0, source="calibrated",
    )
    noise_size_elasticity: float = lever(
        0.2, "elasticity", "How fast revenue shocks shrink with a firm's size above noise_reference_revenue: "
        "their log-sd is revenue_noise × (revenue / reference) ** -elasticity (larger firms' growth is "
        "less volatile).", ge=0.0, le=1.0,
        source="Stanley et al. (1996), Scaling behaviour in the growth of companies, Nature 379: the sd of "
        "firms' annual growth rates falls with size as size^-β, β ≈ 0.15-0.2 (Compustat firms)",
    )
    noise_reference_revenue: float = lever(
        1.0, "million yuan per month", "Monthly revenue up to which revenue shocks keep their full size "
        "(revenue_noise).", ge=0.001, le=1e5,
        source="model assumption: about the revenue of a startup a few years after its first sale",
    )
    first_sale_rate: float = lever(
        0.04, "per month", "Monthly chance that a seed-stage firm of median market quality makes its first sale; "
        "times (1 + stage) at later stages.", ge=0.0, le=1.0, source="calibrated",
    )
    first_sale_quality: float = lever(
        0.5, "log-rate per sd", "How much one sd of market quality speeds the first sale.", ge=0.0, le=3.0,
    )
    milestone_noise: float = lever(
        0.8, "log-sd per month", "Monthly uncertainty of R&D progress towards the next milestone.",
        ge=0.0, le=3.0, source="model assumption",
    )
    rd_spend_elasticity: float = lever(
        1.0, "elasticity", "How R&D progress scales with the share of planned costs actually spent "
        "(hibernation and unpaid costs slow it).", ge=0.0, le=3.0, source="model assumption",
    )
    hibernation_runway: float = lever(
        4.0, "months of net burn", "A firm whose cash covers fewer months of its net burn hibernates: it cuts "
        "fixed costs and slows R&D; it resumes when its runway is twice as long.", ge=0.0, le=60.0,
        source="model assumption",
    )
    hibernation_cut: float = lever(
        0.4, "share of fixed costs", "Fixed costs (and core staff) a hibernating firm cuts.", ge=0.0, le=0.95,
        source="model assumption",
    )
    hibernation_growth_penalty: float = lever(
        0.01, "per month", "Revenue growth a hibernating firm gives up (less selling effort).", ge=0.0, le=0.2,
        source="model assumption",
    )
    bridge_probability: float = lever(
        0.5, "probability", "Chance that founders and insiders put in bridge money when a median-quality firm "
        "cannot pay its costs.", ge=0.0, le=1.0, source="calibrated",
    )
    bridge_quality_slope: float = lever(
        0.8, "log-odds per sd", "Insiders see the firm's latent quality: how much one sd of quality raises the "
        "odds of a bridge.", ge=0.0, le=5.0, source="model assumption",
    )
    bridge_months: float = lever(
        6.0, "months of net burn", "Bridge money from insiders: the shortfall plus this many months of net burn.",
        ge=0.0, le=36.0, source="model assumption",
    )
    bridge_rounds: int = lever(
        3, "rounds", "Most bridge rounds insiders put into one firm.", ge=0, le=20, source="model assumption",
    )
    insolvent_months: int = lever(
        3, "months", "A firm that cannot pay its costs in full for this many consecutive months, with no bridge "
        "left, closes.", ge=1, le=24, source="calibrated",
    )
    failure_months: int = lever(
        6, "months", "Months a firm struck by a technical or market failure goes on spending at full rate, "
        "trying to recover, before it closes (sooner if its money runs out).", ge=0, le=60,
        source="model assumption",
    )
    failure_revenue_decay: float = lever(
        0.15, "per month", "Revenue a firm struck by a technical or market failure loses each month.",
        ge=0.0, le=2.0, source="model assumption",
    )
    monthly_wage: float = lever(
        0.01, "million yuan per month", "Monthly wage of one employee, on which a closing firm's severance "
        "(one month's wage per year of service, Labour Contract Law art. 47) is paid before lenders.",
        ge=0.0, le=1.0, source="model assumption (of the order of Jinan's average urban wage, about 0.1 m "
        "yuan a year)",
    )
    payout_buffer: float = lever(
        3.0, "months of costs", "Cash a profitable firm keeps; the excess is paid out to its owners at each "
        "year end.", ge=1.0, le=120.0, source="model assumption",
    )
    stage_months: float = lever(
        26.0,
        "months",
        "Months a firm of median quality needs to reach its next milestone (stage).",
        ge=3.0,
        le=120.0,
    )
    quality_pace: float = lever(
        0.35, "per sd of quality", "How much faster a firm one sd above median reaches milestones.", ge=0.0, le=2.0
    )
    tech_failure_hazard: float = lever(
        0.0035,
        "per month",
        "Monthly hazard that a seed-stage firm of median composite quality fails for technical or "
        "market reasons, however well funded (calibrated).",
        ge=0.0,
        le=0.2,
    )
    quality_hazard_slope: float = lever(
        0.6, "log-hazard per sd", "How much one sd of composite latent quality lowers the technical or market failure hazard.",
        ge=0.0, le=3.0,
        source="calibrated within 0.8-1.5: the spread of default rates between the worst and best grades of SME "
        "rating scales (bottom vs top decile ≈ 9-67×); see calibration.toml",
    )
    stage_hazard_ratio: float = lever(
        0.6, "ratio per stage", "The technical/market failure hazard multiplies by this at each stage "
        "(risk resolves as a firm proves its technology and market).", ge=0.0, le=1.0, source="calibrated",
    )
    revenue_start: float = lever(
        0.35, "share of fixed costs", "Monthly revenue at the first sale, as a share of the firm's fixed costs then.",
        ge=0.0, le=3.0
    )
    revenue_growth: float = lever(
        0.035, "per month", "Revenue growth of a small firm of median market quality (it slows as revenue nears the market size).",
        ge=-0.1, le=0.3
    )
    revenue_growth_quality: float = lever(
        0.012, "per month per sd", "Extra revenue growth per sd of market quality.", ge=0.0, le=0.2
    )
    runway_trigger: float = lever(
        6.0, "months of burn", "A firm applies for money when its cash covers fewer months of burn.", ge=0.0, le=60.0
    )
    need_months: float = lever(
        12.0, "months of burn", "Money a firm seeks: this many months of burn.", ge=1.0, le=60.0
    )
    milestone_lead: float = lever(
        0.7,
        "share of a stage",
        "Firms seek expansion money once this far towards their next milestone (money ahead of milestones).",
        ge=0.0,
        le=1.0,
    )
    expansion_months: float = lever(
        8.0, "months of burn", "Expansion money a firm seeks ahead of a milestone.", ge=0.0, le=60.0
    )
    apply_probability: float = lever(
        0.55,
        "probability per month",
        "Chance that a firm in need actually applies to a lender in a month (search and paperwork frictions).",
        ge=0.0,
        le=1.0,
    )
    collateral_share: float = lever(
        0.25, "share of firms", "Share of startups that own pledgeable fixed assets.", ge=0.0, le=1.0
    )
    collateral_mean: float = lever(
        1.5, "million yuan", "Mean value of a collateral-owning firm's pledgeable assets.", ge=0.0, le=100.0
    )
    patent_rate: float = lever(
        0.03, "patents per month", "Patents filed per month by a firm of median IP quality.", ge=0.0, le=2.0
    )
    acquisition_hazard: float = lever(
        0.004, "per month", "Monthly chance that a growth or mature firm is acquired.", ge=0.0, le=0.2
    )
    listing_revenue: float = lever(
        2.5,
        "million yuan per month",
        "Monthly revenue a mature firm needs before it can list on an exchange.",
        ge=0.0,
        le=1_000.0,
    )
    listing_probability: float = lever(
        0.03, "per month", "Monthly chance that an eligible mature firm lists.", ge=0.0, le=1.0
    )


class BankSection(Section):
    """Banks and their loan officers."""

    count: int | None = lever(
        None,
        "banks",
        "Financial institutions lending to startups (121 in Jinan); scales with firms when empty.",
        ge=1,
        le=2_000,
        source="domain brief: 121 institutions on the municipal platform",
    )
    capital: float = lever(
        8.0, "million yuan", "Equity capital a bank's Jinan branch allots to its tech-loan plan (the separate "
        "credit plan), at Jinan size: with the capital ratio it caps the tech-loan book.", ge=1.0, le=1e6,
        source="model assumption (uncertain): no published figure; sized so that the 121 institutions' tech-loan "
        "plans leave about a third more room than the baseline book needs, so losses in a downturn bind",
    )
    capital_ratio: float = lever(
        0.105, "share", "Capital requirement: loan book at most capital / ratio.", ge=0.01, le=1.0
    )
    funding_rate: float = lever(
        0.02, "per year", "Banks' cost of deposit funding.", ge=0.0, le=0.2, source="LPR 3.0% less a typical spread"
    )
    lpr_1y: float = lever(
        0.030, "per year", "One-year loan prime rate (贷款市场报价利率), the reference rate of loans up to five years.",
        ge=0.0, le=0.2, source="domain brief: LPR 2025, 1-year 3.0%",
    )
    lpr_5y: float = lever(
        0.035, "per year", "Five-year loan prime rate, the reference rate of loans of five years or more.",
        ge=0.0, le=0.2, source="domain brief: LPR 2025, 5-year 3.5%",
    )
    capital_return: float = lever(
        0.06, "per year", "Return a bank requires on the capital a loan ties up (capital_ratio of the principal); "
        "the capital cost in a loan's break-even rate is capital_ratio × this (excess over the funding it "
        "replaces); the rate charged prices it through the loan prime rate.", ge=0.0, le=0.5,
        source="model assumption: listed Chinese banks' return on equity ≈8–10% (2023–2024) less the deposit rate "
        "the capital replaces",
    )
    subsidy_pass_through: float = lever(
        1.0, "share", "Share of a bank's funding-cost saving (tech re-lending, FTP rebate, rediscount) passed on "
        "to the borrower as a lower rate.", ge=0.0, le=1.0,
        source="model assumption: the re-lending and FTP schemes require the saving to reach the firm",
    )
    risk_premium: float = lever(
        1.0, "share of the feared loss", "Premium for unexpected loss a bank adds to a loan's spread, as a share "
        "of its expected loss (the bank's risk aversion).",
        ge=0.0, le=10.0,
        source="calibrated (uncertain): unexpected loss of a small-firm portfolio is of the order of its "
        "expected loss; identified by the loan rate and the rate gap of defaulted loans",
    )
    screening_precision: float = lever(
        2.0, "precision (1/variance)", "What an officer's own due diligence (site visits, accounts, references) "
        "learns of an applicant's quality at full effort.", ge=0.0, le=100.0,
        source="model assumption (uncertain): comparable to a relationship's soft information",
    )
    screening_cover_cut: float = lever(
        1.0, "effort lost per unit of cover", "Screening effort falls with the share of the loss that the guarantee "
        "chain or the risk pool covers: effort = 1 - cut × cover (the known side effect of risk sharing).",
        ge=0.0, le=1.0, source="model assumption (uncertain): weaker screening under cover, domain brief",
    )
    screening_exempt_cut: float = lever(
        0.4, "effort lost", "Screening effort an officer shielded by the due-diligence exemption no longer spends "
        "(the exemption requires procedure, not judgment).", ge=0.0, le=1.0,
        source="model assumption (uncertain)",
    )
    overdue_default_months: int = lever(
        3, "months", "Consecutive missed instalments after which a loan is non-performing and the borrower is "
        "pursued (it fails and its loans go to workout).", ge=1, le=12,
        source="90 days overdue: the regulatory NPL definition (CBIRC five-category classification)",
    )
    workout_months: int = lever(
        20, "months", "Months a defaulted loan stays on the bank's books (collection, collateral sale, guarantee "
        "and pool claims) before the loss is booked and written off; 0 books it at once.", ge=0, le=36,
        source="World Bank, Doing Business 2020, China, Resolving Insolvency: 1.7 years from default to resolution "
        "(≈20 months); guarantee and pool claims paid on resolution",
    )
    rate_cap: float = lever(
        0.065,
        "per year",
        "Highest rate a bank will charge a small tech firm (above it, it refuses).",
        ge=0.0,
        le=0.36,
        source="domain brief: new small-firm loans ≈3.5%, LPR 3.0%",
    )
    base_margin: float = lever(
        0.008, "per year", "Operating cost and required return a loan must cover.", ge=0.0, le=0.2
    )
    loss_given_default: float = lever(
        0.75, "share", "Share of an unsecured loan's outstanding principal lost on default.", ge=0.0, le=1.0
    )
    secured_lgd_floor: float = lever(
        0.25, "share of the unsecured loss", "Least share of the unsecured loss (loss_given_default) a bank "
        "expects to lose on a loan however well it is secured by fixed assets (realisation costs, time); used "
        "in pricing.",
        ge=0.0, le=1.0,
        source="Basel III final reforms (2017), foundation IRB: LGD 20-25% on loans fully secured by real estate "
        "or other physical collateral against 40% unsecured (≈0.25 × 0.75 here)",
    )
    pledge_lgd_floor: float = lever(
        0.8, "share of the unsecured loss", "Least share of the unsecured loss a bank expects to lose on a loan "
        "secured by pledged patents or unlisted equity: a failed firm's patents and shares lose their value "
        "with it (wrong-way risk), so the pledge recovers little; used in pricing.",
        ge=0.0, le=1.0,
        source="model assumption (uncertain): the Basel foundation IRB approach recognises neither IP nor "
        "unlisted equity as collateral (a loan secured by them counts as unsecured); 0.8 leaves the pledge "
        "some value in a sale of the patents",
    )
    collateral_haircut: float = lever(
        0.4, "share", "Haircut on collateral value when it is realised.", ge=0.0, le=1.0
    )
    collateral_ltv: float = lever(
        0.7, "share", "Loan-to-value limit against collateral.", ge=0.0, le=1.0
    )
    revenue_multiple: float = lever(
        6.0, "months of revenue", "Largest scored working-capital loan (data credit, guaranteed tech loan) as "
        "months of current revenue: the firm's working-capital need estimated from its sales.", ge=0.0, le=60.0,
        source="CBIRC Interim Measures for Working Capital Loans (流动资金贷款管理暂行办法, 2010): need = sales × "
        "(1 - margin) × (1 + growth) / working-capital turnover; a turnover of about 2 a year gives ≈6 months",
    )
    max_loan: float = lever(
        30.0, "million yuan", "Largest single loan to a startup.", ge=0.1, le=10_000.0
    )
    tenor_months: int = lever(24, "months", "Tenor of a standard working-capital loan.", ge=3, le=120)
    debt_service_share: float = lever(
        0.5,
        "share of monthly capacity",
        "Repayment capacity: a firm's monthly debt service may take at most this share of its revenue "
        "plus its cash spread over the loan's tenor (loans are sized to it).",
        ge=0.0,
        le=1.0,
    )
    max_pd: float = lever(
        0.25, "per year", "Credit policy: the bank refuses any loan whose estimated default risk exceeds this, "
        "whatever the security or cover (repayment capacity comes first).", ge=0.0, le=1.0,
        source="calibrated (no published figure): identified by credit access and the NPL ratio",
    )
    officer_penalty: float = lever(
        0.6,
        "yuan of personal cost per yuan of expected default",
        "Weight of the loan officer's personal penalty (accountability, 问责) on the loans they approve that fail: "
        "the chance that a failed loan leads to a sanction × the career cost of a sanction per yuan of principal "
        "× the officer's loss aversion. Default 0.7 × 0.35 × 2.25 ≈ 0.6; range 0.2–1.6 in the sensitivity analysis.",
        ge=0.0,
        le=20.0,
        source="model assumption (uncertain), built up as: sanction probability ≈0.7 under lifelong accountability "
        "before the exemption; career cost ≈0.35 per yuan of a 2 m loan (a demotion or forfeited bonuses worth "
        "≈0.7 m yuan over a career against a median tech loan of 2 m); loss aversion 2.25 (Tversky & Kahneman 1992)",
    )
    opacity_aversion: float = lever(
        1.0,
        "per unit of posterior sd",
        "How much an officer inflates a firm's default risk for what the bank cannot see (ambiguity aversion).",
        ge=0.0,
        le=10.0,
    )
    npl_tolerance: float = lever(
        0.02, "share", "A branch's tolerated NPL ratio before differentiated tolerance.", ge=0.0, le=1.0,
        source="domain brief: NPL of all banks 1.5%, inclusive loans ≈2.2%",
    )
    approval_lag: int = lever(
        2, "months", "Months from application to money when approval goes to head office.", ge=0, le=24
    )
    soft_info_precision: float = lever(
        1.5,
        "precision (1/variance)",
        "What a lender learns of a firm's quality from a relationship or a broker's visit.",
        ge=0.0,
        le=100.0,
    )


class GuaranteeSection(Section):
    """Bank-guarantee risk sharing (银担分险): the national/provincial/municipal/bank chain."""

    enabled: bool = lever(True, "switch", "Guaranteed tech loans through the municipal guarantor.")
    share_national: float = lever(
        0.2, "share of loss", "National financing guarantee fund's share of a guaranteed loss.", ge=0.0, le=1.0,
        source="domain brief: 2:2:4:2",
    )
    share_provincial: float = lever(
        0.2, "share of loss", "Provincial re-guarantor's share.", ge=0.0, le=1.0, source="domain brief: 2:2:4:2"
    )
    share_municipal: float = lever(
        0.4, "share of loss", "Municipal guarantor's share (Jinan financing guarantee group).", ge=0.0, le=1.0,
        source="domain brief: 2:2:4:2",
    )
    share_bank: float = lever(
        0.2, "share of loss", "Bank's retained share of a guaranteed loss.", ge=0.0, le=1.0,
        source="domain brief: bank loss capped at 20%",
    )
    fee_rate: float = lever(
        0.0076, "per year of principal", "Direct guarantee fee charged to the firm.", ge=0.0, le=0.015,
        source="domain brief: average 0.76%",
    )
    fee_cap_small: float = lever(
        0.01, "per year", "Fee cap for loans up to 5 million.", ge=0.0, le=0.05, source="domain brief: ≤1%"
    )
    fee_cap_large: float = lever(
        0.015, "per year", "Fee cap for loans above 5 million.", ge=0.0, le=0.05, source="domain brief: ≤1.5%"
    )
    reguarantee_fee_rate: float = lever(
        0.002, "per year of principal", "Fee the municipal guarantor pays each upper tier on the covered loan.",
        ge=0.0, le=0.02,
    )
    national_cap: float = lever(
        0.045, "share of guaranteed balance per year", "National financing guarantee fund's compensation cap "
        "(代偿率上限): it pays claims while its payouts of the year stay under this share of its guaranteed balance "
        "that year (mean outstanding cover); the rest stays with the municipal guarantor.",
        ge=0.0, le=1.0, source="domain brief: 4–5% of its guaranteed balance (actual rate 1.84% in 2024, a yearly rate)",
    )
    leverage_limit: float = lever(
        10.0, "times net assets", "Outstanding guarantees at most this multiple of net assets.", ge=1.0, le=15.0,
        source="domain brief: ≤10× (15× for small-firm guarantors)",
    )
    recovery_rate: float = lever(
        0.3, "share of payout", "Share of a guarantee payout recovered afterwards.", ge=0.0, le=1.0,
        source="domain brief: recovery after payout 30%",
    )
    recapitalise: bool = lever(
        True, "switch", "The government tops up a guarantor whose capital is exhausted (public spending)."
    )
    municipal_capital: float = lever(
        40.0, "million yuan", "Municipal guarantor's capital at Jinan size committed to guaranteed tech loans: "
        "with the leverage limit it caps the guarantees outstanding, so it sets how many firms the guarantor "
        "can take on (first come, first served).", ge=0.0, le=1e6,
        source="model assumption; calibrated to the volume of 泉融通-科创贷 (310 firms, ≈1.0 bn over 2022–2025, "
        "≈0.25 bn and ≈78 firms a year)",
    )
    upper_tier_capital: float = lever(
        3_000.0, "million yuan", "Capital of each upper tier at Jinan size (their regional allocation).", ge=0.0, le=1e6
    )
    max_pd: float = lever(
        0.05, "per year", "The guarantor covers firms whose default risk (annualised over the loan) it estimates "
        "below this.", ge=0.0, le=1.0
    )
    max_guarantee: float = lever(
        10.0, "million yuan", "Largest loan the guarantor covers.", ge=0.0, le=1_000.0
    )
    line_per_employee: float = lever(
        0.25, "million yuan per employee", "Guaranteed-loan line the guarantor's scorecard grants per "
        "social-insurance payer (泉融通-科创贷 scores social-insurance and IP data).", ge=0.0, le=10.0,
        source="calibrated: no published scorecard; identified by the product's credit per firm (≈3.2 m)",
    )
    line_per_patent: float = lever(
        0.4, "million yuan per patent", "Guaranteed-loan line the guarantor's scorecard grants per patent held.",
        ge=0.0, le=10.0, source="model assumption (uncertain): no published scorecard",
    )

    @model_validator(mode="after")
    def _split_sums_to_one(self) -> GuaranteeSection:
        total = self.share_national + self.share_provincial + self.share_municipal + self.share_bank
        if abs(total - 1.0) > 1e-9:
            raise ValueError(
                f"guarantee shares national+provincial+municipal+bank must sum to 1 (got {total:g})"
            )
        return self


class PoolSection(Section):
    """Loan risk-compensation pool (风险补偿资金池)."""

    enabled: bool = lever(True, "switch", "The government pool reimbursing lenders' losses on tech loans.")
    size: float = lever(
        2_000.0, "million yuan", "Pool endowment at Jinan size (scaled with the model).", ge=0.0, le=1e6,
        source="domain brief: 2 bn",
    )
    share: float = lever(
        0.5, "share of principal lost", "Share of a non-performing tech loan's lost principal reimbursed.",
        ge=0.0, le=1.0, source="domain brief: 50% (Jinan)",
    )
    per_loan_cap: float = lever(
        5.0, "million yuan", "Largest reimbursement on one loan.", ge=0.0, le=1_000.0
    )
    max_loan: float = lever(
        10.0, "million yuan", "Largest loan eligible for the pool.", ge=0.0, le=1_000.0
    )


class RiskSection(Section):
    """Credit risk: the adverse business shocks behind defaults, which hit weak firms more often.

    Each month an operating startup suffers a setback (a lost customer, a failed trial, a
    key team member leaving) with probability ``shock_rate × exp(-shock_quality_slope ×
    quality)`` times the downturn's multiplier (:mod:`ecosim.macro`). A setback costs
    ``shock_loss_months`` of its monthly costs in cash and ``shock_revenue_cut`` of its
    revenue; a setback is not fatal by itself (fatal technical and market failures are the firms'
    latent hazard, ``firms.tech_failure_hazard``). A firm that cannot absorb a setback misses its
    instalments and, 90 days on, defaults. Nobody sees latent quality: lenders see the shocks only through revenue,
    cash and ratings.
    """

    shocks: bool = lever(True, "switch", "Adverse business shocks (market and technical setbacks).")
    shock_rate: float = lever(
        0.01, "probability per month", "Chance of a (non-fatal) setback for a firm of average latent quality.",
        ge=0.0, le=0.2, source="calibrated: NPL stock 1.5–3% and losses ≈1–1.5% a year",
    )
    shock_quality_slope: float = lever(
        1.5, "log-hazard per sd of quality", "How much less often a better firm suffers a setback.",
        ge=0.0, le=3.0, source="model assumption (uncertain): as the quality slope of the failure hazard",
    )
    shock_loss_months: float = lever(
        4.0, "months of costs", "Cash a setback costs (written-off work, lost receivables).", ge=0.0, le=36.0,
        source="model assumption (uncertain)",
    )
    shock_cash_loss: float = lever(
        0.3, "share of cash", "Share of the firm's cash a setback also consumes (working capital sunk in a failed "
        "launch or lost with a customer).", ge=0.0, le=1.0, source="model assumption (uncertain)",
    )
    shock_revenue_cut: float = lever(
        0.3, "share of revenue", "Revenue lost for good in a setback (a customer or market gone).", ge=0.0, le=1.0,
        source="model assumption (uncertain)",
    )


class ProductSection(Section):
    """Tech loan products a bank may offer, and the ordinary borrowing needs of firms with sales."""

    working_capital_apply: float = lever(
        0.3, "probability per month",
        "Chance that a selling firm without a loan applies for a working-capital loan in a month.", ge=0.0, le=1.0,
    )
    working_capital_months: float = lever(
        3.0, "months of revenue", "Working capital a selling firm seeks.", ge=0.0, le=24.0
    )
    rating_uplift: float = lever(
        0.25, "share of the line", "Extra pre-approved line for top-rated firms (ABC: up to +25%).", ge=0.0, le=0.25,
        source="domain brief: up to +25% limit",
    )
    rating_top: float = lever(
        1.0, "sd of quality", "Lender's view of quality from which a rating counts as top (gets the uplift).",
        ge=-3.0, le=5.0,
    )
    data_line_per_employee: float = lever(
        0.08, "million yuan per employee",
        "Data-based small credit loan (泉融e贷, government-service data): line per social-insurance payer.",
        ge=0.0, le=10.0, source="calibrated: no published scorecard; identified by the product's credit per firm "
        "(domain brief: ≈0.67 m)",
    )
    data_line_max: float = lever(
        1.0, "million yuan", "Largest data-based small credit loan.", ge=0.0, le=100.0,
        source="domain brief: 1.692 bn over 2,540 firms",
    )
    rd_enabled: bool = lever(True, "switch", "R&D loan (科研贷, Qilu Bank): long loans for researcher pay and labs.")
    rd_apply: float = lever(
        0.5, "probability per month",
        "Chance that a firm without a loan, holding patents or a rating, seeks an R&D loan (科研贷) for an R&D "
        "project (researcher pay, labs).", ge=0.0, le=1.0,
        source="model assumption; calibrated to 科研贷 lending (8.5 bn cumulative over 2022–2025, ≈2.1 bn a year)",
    )
    rd_tenor: int = lever(
        60, "months", "Tenor of an R&D loan.", ge=12, le=120, source="domain brief: tenor up to 10 years"
    )
    rd_months: float = lever(
        36.0, "months of R&D cost", "Cost of an R&D project, the size of the R&D loan sought: months of the "
        "firm's R&D costs.", ge=0.0, le=120.0,
    )
    rd_cost_share: float = lever(
        0.6, "share of burn", "Share of a firm's monthly costs that is R&D (researchers, labs).", ge=0.0, le=1.0
    )
    ip_enabled: bool = lever(True, "switch", "IP-pledge loan against patents valued by the IP public service platform.")
    ip_value_per_patent: float = lever(
        0.25, "million yuan", "IP platform's valuation of a patent of median IP quality.", ge=0.0, le=100.0
    )
    ip_haircut: float = lever(
        0.75, "share", "Haircut on the IP valuation: lending limit and recovery on default.", ge=0.0, le=1.0
    )
    equity_pledge_enabled: bool = lever(True, "switch", "Equity-pledge loan (科股贷, ICBC) against unlisted equity.")
    equity_pledge_share: float = lever(
        0.2, "share of the firm", "Founders' stake a firm may pledge.", ge=0.0, le=1.0
    )
    equity_pledge_ltv: float = lever(
        0.3, "share", "Loan-to-value on pledged unlisted equity (at the last round's valuation).", ge=0.0, le=1.0
    )
    invest_loan_enabled: bool = lever(
        True, "switch", "Invest-loan linkage (联投易贷, Qilu Bank): a line sized by the firm's equity financing."
    )
    invest_loan_ratio: float = lever(
        0.3, "share of equity raised", "Line of a VC-backed firm as a share of the equity it has raised.",
        ge=0.0, le=2.0,
    )
    invest_loan_max: float = lever(
        10.0, "million yuan", "Largest invest-loan linkage line.", ge=0.0, le=100.0,
        source="domain brief: e.g. a 10 m pure credit loan",
    )
    ma_enabled: bool = lever(True, "switch", "M&A loans for tech firms (pilot).")
    ma_apply: float = lever(
        0.006, "probability per month", "Chance that an established growth or mature firm (selling at least "
        "ma_min_revenue) seeks an acquisition loan.",
        ge=0.0, le=1.0,
        source="model assumption; calibrated to the tech-firm M&A-loan pilot in Jinan (15 loans from its start in "
        "March 2025 to end-September 2025, ≈26 a year)",
    )
    ma_revenue_months: float = lever(
        3.0, "months of revenue", "Size of an acquisition financed by an M&A loan (the loan sought), in months "
        "of the acquirer's revenue.", ge=0.0, le=120.0,
        source="calibrated (uncertain): identified by the pilot's principal, 1.747 bn over 15 loans (≈116 m a "
        "loan; source article), given the loan count",
    )
    ma_tenor: int = lever(60, "months", "Tenor of an M&A loan.", ge=12, le=120)
    ma_min_revenue: float = lever(
        20.0 / 12.0, "million yuan a month", "Least monthly revenue of a firm that seeks and gets an M&A loan: the "
        "pilot finances control acquisitions by established tech firms, not by small young ones.", ge=0.0,
        le=10_000.0,
        source="MIIT SME classification (工信部联企业〔2011〕300号): an industrial firm with at least 20 m yuan of "
        "annual revenue is medium-sized or larger; the acquirer must be at least that",
    )
    ma_max_loan: float = lever(
        500.0, "million yuan", "Largest single M&A loan (in place of banks.max_loan, which caps the other "
        "products): the deal and the acquirer's repayment capacity size the loan below it.", ge=0.1, le=100_000.0,
        source="model assumption: well above the pilot's average loan (≈116 m), so that the deal, not the cap, "
        "sizes most loans",
    )
    ma_in_credit_plan: bool = lever(
        False, "switch", "Whether M&A loans draw on the capital of the bank's separate tech-loan credit plan "
        "(banks.capital). Off: they are corporate loans booked against the bank's whole balance sheet, which the "
        "model does not cap, and their balance does not take room from the plan.",
        source="model assumption: the pilot's ≈3 bn a year would exceed the tech-loan plans sized for small-firm "
        "lending (banks.capital); its losses still fall on the bank's equity, and a branch that loses its equity is "
        "recapitalised by its head office",
    )


class ExemptionSection(Section):
    """Due-diligence exemption (尽职免责) for loan officers."""

    enabled: bool = lever(True, "switch", "Officers who followed procedure are not penalised when a loan fails.")
    max_loan: float = lever(
        10.0, "million yuan", "Largest loan the exemption applies to.", ge=0.0, le=1_000.0,
        source="domain brief: loans ≤10 m",
    )


class IncentiveSection(Section):
    """Bank incentives: NPL tolerance, FTP rebate, tech re-lending, delegated approval."""

    differentiated_tolerance: bool = lever(
        True, "switch", "Tech loans get a higher NPL tolerance than the bank's average."
    )
    tolerance_uplift: float = lever(
        0.03, "share", "Extra NPL tolerance for tech loans.", ge=0.0, le=0.2, source="domain brief: +3 pp"
    )
    ftp_rebate: float = lever(
        0.005, "per year", "Internal funds-transfer-pricing rebate on tech loans.", ge=0.0, le=0.005,
        source="domain brief: ≤50 bp",
    )
    relending: bool = lever(True, "switch", "PBoC tech re-lending funds part of qualifying loans.")
    relending_rate: float = lever(
        0.0175, "per year", "Re-lending rate.", ge=0.0, le=0.1, source="domain brief: 1.75% (2024)"
    )
    relending_share: float = lever(
        0.6, "share of principal", "Share of a qualifying loan funded by re-lending.", ge=0.0, le=1.0,
        source="domain brief: 60%",
    )
    delegated_approval: bool = lever(
        True, "switch", "Branches approve small tech loans themselves, without head office."
    )
    delegated_limit: float = lever(
        10.0, "million yuan", "Largest loan a branch approves itself.", ge=0.0, le=1_000.0,
        source="domain brief: branch approves ≤10 m",
    )


class PlatformSection(Section):
    """Data-credit platforms (the "smart hub"): three tiers that turn hidden quality into ratings lenders use.

    * Provincial platform (科融信): a credit-enhancement rating of young firms that
      participating banks recognise for unsecured credit loans.
    * Municipal platform (泉融通): a data hub and product marketplace; every listed bank
      sees its rating, and a firm on it reaches every listed product.
    * District platform (园区通): an innovation-capability score over five dimensions
      built from many noisy indicators; co-building banks map its grades to
      pre-approved lines and limit uplifts.
    """

    enabled: bool = lever(True, "switch", "Master switch of the three data-credit platforms.")
    # municipal platform (泉融通)
    municipal: bool = lever(True, "switch", "The municipal data hub and product marketplace (泉融通).")
    coverage_start: float = lever(
        0.15, "share of firms", "Share of firms on the municipal platform at the start.", ge=0.0, le=1.0,
        source="domain brief: 2,540 firms on the data-based small loan of about 20,000",
    )
    onboarding_rate: float = lever(
        0.02, "per month", "Monthly chance that a firm off the municipal platform onboards.", ge=0.0, le=1.0
    )
    accuracy: float = lever(
        0.75,
        "correlation with latent quality",
        "How well the municipal platform's rating tracks latent quality (1 = perfect, 0 = noise).",
        ge=0.0,
        le=1.0,
        source="domain brief: AUC 0.75–0.85 with alternative data",
    )
    products_per_bank: float = lever(
        3.5, "products per institution", "Loan products each bank lists on the marketplace.", ge=0.0, le=100.0,
        source="domain brief: 121 institutions, 427 products",
    )
    # provincial platform (科融信)
    provincial: bool = lever(True, "switch", "The provincial credit-enhancement rating of young firms (科融信).")
    provincial_coverage_start: float = lever(
        0.15, "share of eligible firms", "Share of young firms rated by the provincial platform at the start.",
        ge=0.0, le=1.0, source="domain brief: >3,000 firms",
    )
    provincial_onboarding_rate: float = lever(
        0.01, "per month", "Monthly chance that an unrated young firm is rated by the provincial platform.",
        ge=0.0, le=1.0,
    )
    provincial_accuracy: float = lever(
        0.7, "correlation with latent quality", "How well the provincial rating tracks latent quality.",
        ge=0.0, le=1.0, source="domain brief: AUC 0.65–0.72 traditional, 0.75–0.85 alternative data",
    )
    provincial_max_age: int = lever(
        60, "months", "Oldest firm the provincial platform rates (it rates young firms).", ge=1, le=600
    )
    provincial_bank_share: float = lever(
        0.5, "share of banks", "Share of banks that recognise the provincial rating for credit loans.",
        ge=0.0, le=1.0,
    )
    # district platform (园区通)
    district: bool = lever(True, "switch", "The district innovation-capability score (园区通).")
    district_coverage_start: float = lever(
        0.4, "share of park firms", "Share of the district's firms scored at the start.", ge=0.0, le=1.0,
        source="domain brief: 120,000 entities scored",
    )
    district_onboarding_rate: float = lever(
        0.03, "per month", "Monthly chance that an unscored firm in the district is scored.", ge=0.0, le=1.0
    )
    district_share: float = lever(
        0.6, "share of firms", "Share of startups located in the district's parks (the only ones it scores).",
        ge=0.0, le=1.0,
    )
    indicators: int = lever(
        160, "indicators", "Indicators of the innovation-capability score, spread over its five dimensions.",
        ge=5, le=10_000, source="domain brief: 160 indicators, 5 dimensions",
    )
    indicator_noise: float = lever(
        3.5, "sd of quality", "Noise of one indicator as a reading of its dimension's latent quality.",
        ge=0.0, le=100.0,
    )
    district_bank_share: float = lever(
        0.25, "share of banks", "Share of banks that co-build the district platform and use its grades.",
        ge=0.0, le=1.0,
    )
    line_min: float = lever(
        1.0, "million yuan", "Pre-approved line of the lowest grade that gets one.", ge=0.0, le=100.0,
        source="domain brief: pre-approved line 1–10 m (Qilu Bank)",
    )
    line_max: float = lever(
        10.0, "million yuan", "Pre-approved line of the best grade.", ge=0.0, le=1_000.0,
        source="domain brief: pre-approved line 1–10 m (Qilu Bank)",
    )
    uplift_max: float = lever(
        0.25, "share of the limit", "Limit uplift a co-building bank grants the best grade.", ge=0.0, le=1.0,
        source="domain brief: up to +25% (ABC)",
    )


class BrokerSection(Section):
    """Brokers (financial-partner teams 金融合伙人, service stations, tech advisers) that visit firms.

    A visit raises the firm's chance to apply, introduces the broker's partner bank
    and passes soft information to it. Brokers carry information, not risk.
    """

    teams: int | None = lever(
        None, "teams", "Financial-partner teams (242 in Jinan); scales with firms when empty.", ge=0, le=100_000,
        source="domain brief: 242 teams",
    )
    capacity: int = lever(2, "visits per month", "Firm visits a partner team makes each month.", ge=0, le=100)
    stations: int | None = lever(
        None, "stations", "Financial service stations (24 in Jinan); scale with firms when empty.", ge=0, le=10_000,
        source="domain brief: 24 stations",
    )
    station_capacity: int = lever(
        4, "visits per month", "Firms a service station receives or visits each month (new firms first).",
        ge=0, le=1_000,
    )
    advisers: int | None = lever(
        None, "advisers", "Tech advisers (200 in Jinan); scale with firms when empty.", ge=0, le=100_000,
        source="domain brief: 200 advisers",
    )
    adviser_capacity: int = lever(
        1, "visits per month", "Firms a tech adviser works with each month (promising and referred firms first).",
        ge=0, le=100,
    )
    apply_boost: float = lever(
        0.4, "probability", "A visited firm in need applies with this extra chance.", ge=0.0, le=1.0
    )


class BrokerageSection(Section):
    """Tech brokerage (科创经纪人): a platform company turning research results into firms and licences."""

    enabled: bool = lever(True, "switch", "The tech brokerage and its contracts with research institutes.")
    institutes: int = lever(
        8, "institutes", "Research institutes under contract with the brokerage at Jinan size (scaled).",
        ge=0, le=1_000,
    )
    results_rate: float = lever(
        0.5, "results per institute per month", "Research results an institute produces each month.",
        ge=0.0, le=100.0,
    )
    screen_rate: float = lever(
        0.05, "share of results", "Share of results the brokerage screens into projects.", ge=0.0, le=1.0,
        source="domain brief: 8 projects in four years",
    )
    patents_per_project: float = lever(
        11.0, "patents", "Patents filed per project (Poisson mean).", ge=0.0, le=1_000.0,
        source="domain brief: 90 patents from 8 projects",
    )
    spinoff_share: float = lever(
        0.5, "share of projects", "Share of projects spun off as startups; the rest are licensed to firms.",
        ge=0.0, le=1.0,
    )
    spinoff_quality: float = lever(
        0.5, "sd of quality", "Head start in every quality dimension of a spin-off.", ge=0.0, le=3.0
    )
    licence_quality: float = lever(
        0.2, "sd of quality", "Technology-quality gain of a firm that licenses a project.", ge=0.0, le=3.0
    )


class EvaluationSection(Section):
    """Yearly evaluation of banks' service to tech firms (the central bank's evaluation) and its incentives.

    Ten indicator classes score each bank; scores set re-lending quotas and
    rediscount access and move branches up the tech-branch accreditation ladder
    (reserve → upgrading → accredited).
    """

    enabled: bool = lever(True, "switch", "Yearly evaluation of banks and the incentives tied to it.")
    quota_floor: float = lever(
        0.5, "share", "Re-lending quota of the lowest-scoring bank (the best gets the full quota).", ge=0.0, le=1.0,
    )
    rediscount_score: float = lever(
        60.0, "points of 100", "Score that gives access to rediscount funding.", ge=0.0, le=100.0
    )
    rediscount_benefit: float = lever(
        0.002, "per year", "Funding-cost saving of a bank with rediscount access.", ge=0.0, le=0.05
    )
    promote_score: float = lever(
        60.0, "points of 100", "Score that moves a branch one step up the accreditation ladder.", ge=0.0, le=100.0
    )
    demote_score: float = lever(
        30.0, "points of 100", "Score below which a branch steps down the ladder.", ge=0.0, le=100.0
    )
    appetite_step: float = lever(
        0.005, "per year", "Extra rate headroom for tech loans per accreditation step (tech-lending appetite).",
        ge=0.0, le=0.05,
    )
    authority_step: float = lever(
        0.5, "share of the delegated limit", "Rise of a branch's delegated approval limit per step.",
        ge=0.0, le=5.0,
    )


class FundSection(Section):
    """Guidance funds ("6+N" 基金群): industry mother funds committing to sub-funds with private partners."""

    enabled: bool = lever(True, "switch", "The government guidance-fund cluster (\"6+N\" fund cluster).")
    mothers: int = lever(6, "funds", "Industry mother funds, one per target sector.", ge=0, le=6,
                         source="domain brief: 6+N")
    subfunds_per_mother: int = lever(3, "sub-funds", "N: sub-funds each mother fund commits to.", ge=0, le=50,
                                     source="domain brief: 6+N")
    subfund_size: float = lever(
        300.0, "million yuan", "Committed capital of a sub-fund at Jinan size.", ge=0.0, le=1e6
    )
    public_commitment: float | None = lever(
        None, "million yuan", "When set, the mother fund commits this much public money to each sub-fund (at Jinan "
        "size) and private partners fill the rest: a sub-fund's size is it divided by the government share. "
        "Empty: every sub-fund has ``subfund_size``.", ge=0.0, le=1e6,
    )
    gov_share: float = lever(
        0.25, "share", "Government share of an early- or growth-stage sub-fund.", ge=0.0, le=1.0,
        source="domain brief: 20–30%",
    )
    seed_gov_share: float = lever(
        0.5, "share", "Government share of a seed (angel) sub-fund.", ge=0.0, le=1.0,
        source="domain brief: angel funds 40–60%",
    )
    life_months: int = lever(120, "months", "Life of a sub-fund.", ge=12, le=240, source="domain brief: ≤10 years")
    investment_months: int = lever(60, "months", "Investment period of a sub-fund.", ge=6, le=240,
                                   source="domain brief: 5 investing + 5 exiting")
    local_share: float = lever(
        0.8, "share of invested capital", "Local-reinvestment requirement: share of a sub-fund's investments that "
        "must go to firms in the region; the rest goes to out-of-region deals.", ge=0.0, le=1.0,
    )
    loss_tolerance: float = lever(
        0.6, "share of called capital", "Loss tolerance of an early- or growth-stage sub-fund: beyond these "
        "write-offs its manager stops new investments.", ge=0.0, le=1.0, source="domain brief: 60% per fund",
    )
    seed_loss_tolerance: float = lever(
        0.8, "share of called capital", "Loss tolerance of a seed sub-fund.", ge=0.0, le=1.0,
        source="domain brief: 80% seed funds",
    )
    profit_concession: float = lever(
        0.0, "share of the government's profit", "Profit concession (让利): share of the government's profit on "
        "a sub-fund handed to the private partners.", ge=0.0, le=1.0,
    )
    ticket: float = lever(3.0, "million yuan", "Typical first-round ticket.", ge=0.01, le=1_000.0)
    stake: float = lever(0.15, "share of the firm", "Stake bought in a first round.", ge=0.01, le=0.9)
    min_signal: float = lever(
        0.3, "sd of quality", "Screening threshold on the fund's view of quality.", ge=-5.0, le=5.0
    )
    deals_per_month: float = lever(
        0.6, "deals per fund per month", "Deal capacity of a sub-fund's manager.", ge=0.0, le=20.0
    )
    follow_on: bool = lever(True, "switch", "Investors back their portfolio firms again in later rounds.")
    referral_precision: float = lever(
        0.5, "precision (1/variance)", "What a manager learns from a partner team's referral of a visited firm.",
        ge=0.0, le=10.0,
    )
    crowding_in: float = lever(
        0.5, "sd of quality", "Crowding-in: a guidance-fund investment raises private investors' and banks' view "
        "of the firm by this much (0 switches the signal off).", ge=0.0, le=3.0,
    )
    secondary_discount: float = lever(
        0.8, "share of the mark", "Price at which a fund at the end of its life sells a stake to an S fund "
        "(secondary fund).", ge=0.0, le=1.0,
    )


class VentureSection(Section):
    """Private venture capital and bank-affiliated AIC funds."""

    funds: int | None = lever(None, "funds", "Private VC funds; scales with firms when empty.", ge=0, le=10_000)
    capital: float = lever(400.0, "million yuan", "Capital of a private VC fund.", ge=0.0, le=1e6)
    ticket: float = lever(4.0, "million yuan", "Typical ticket.", ge=0.01, le=1_000.0)
    stake: float = lever(0.15, "share of the firm", "Stake bought per round.", ge=0.01, le=0.9)
    min_signal: float = lever(0.8, "sd of quality", "Screening threshold on the VC's view of quality.",
                              ge=-5.0, le=5.0)
    deals_per_month: float = lever(0.5, "deals per fund per month", "Deal capacity.", ge=0.0, le=20.0)
    return_target: float = lever(
        2.0, "multiple on invested capital", "A VC's return target: while its realised multiple is below it the "
        "manager raises its screening threshold.", ge=0.0, le=20.0,
    )
    target_strictness: float = lever(
        0.5, "sd of quality", "Largest rise in the screening threshold of a VC that misses its target.",
        ge=0.0, le=5.0,
    )
    co_invest: float = lever(
        0.3, "probability", "Chance that a private VC joins a guidance fund's round as co-investor.",
        ge=0.0, le=1.0,
    )
    aic_funds: int | None = lever(
        None, "funds", "Bank-affiliated AIC (financial asset investment company) equity funds; 8 at Jinan size, "
        "scaled with firms when empty.", ge=0, le=1_000, source="domain brief: 8 AIC funds registered",
    )
    aic_capital: float = lever(500.0, "million yuan", "Capital of an AIC fund.", ge=0.0, le=1e6)


class BoardSection(Section):
    """Capital-market ladder: regional equity market boards, NEEQ and the exchanges."""

    enabled: bool = lever(True, "switch", "Firms climb the boards; off: a single listing step (firms.listing_*).")
    regional_join: float = lever(
        0.02, "per month", "Monthly chance that an eligible firm lists on the regional equity market "
        "(Qilu Equity Exchange sci-tech board 科创板 / \"specialised and sophisticated\" board 专精特新板).",
        ge=0.0, le=1.0, source="domain brief: 3,556 firms listed on the regional boards",
    )
    specialised_revenue: float = lever(
        0.3, "million yuan per month", "Revenue a growth-stage firm needs for the \"specialised and sophisticated\" "
        "board.", ge=0.0, le=1_000.0,
    )
    nurture_precision: float = lever(
        0.5, "precision (1/variance)", "Nurture: disclosure on a regional board tells investors this much more "
        "about a firm's quality.", ge=0.0, le=10.0,
    )
    neeq_revenue: float = lever(
        1.0, "million yuan per month", "Revenue a firm needs to move up to NEEQ (New Third Board); "
        "firms above it skip the regional boards.", ge=0.0, le=1_000.0,
    )
    neeq_min_months: int = lever(
        24, "months", "Months on the regional board before a firm may apply to NEEQ.", ge=0, le=240,
    )
    neeq_review_months: int = lever(
        9, "months", "Months from a NEEQ application to admission.", ge=0, le=60,
    )
    neeq_apply: float = lever(
        0.005, "per month", "Monthly chance that a firm eligible for NEEQ applies.", ge=0.0, le=1.0,
        source="calibrated: ≈2.4% of regional-board firms move up a year (domain brief: 87 of 3,556)",
    )
    four_to_three: bool = lever(
        True, "switch", "The \"four-to-three\" green channel (四板转三板) from the regional board to NEEQ.",
    )
    green_min_months: int = lever(
        12, "months", "Months on the regional board before applying through the green channel.", ge=0, le=240,
    )
    green_review_months: int = lever(
        3, "months", "Months from a green-channel application to NEEQ admission.", ge=0, le=60,
    )
    bse_revenue: float = lever(
        1.2, "million yuan per month", "Revenue for a Beijing Stock Exchange listing (from NEEQ, profitable).",
        ge=0.0, le=1_000.0,
    )
    bse_min_months: int = lever(12, "months", "Months on NEEQ before a BSE listing.", ge=0, le=240)
    star_revenue: float = lever(
        2.5, "million yuan per month", "Revenue for a STAR Market listing (mature firms, profit not required).",
        ge=0.0, le=1_000.0,
    )
    star_patents: int = lever(20, "patents", "Patents a STAR Market candidate needs.", ge=0, le=10_000)
    chinext_revenue: float = lever(
        2.0, "million yuan per month", "Revenue for a ChiNext listing (mature, profitable, growing).",
        ge=0.0, le=1_000.0,
    )
    chinext_growth: float = lever(
        0.01, "per month", "Revenue growth a ChiNext candidate needs.", ge=-1.0, le=1.0,
    )
    ipo_probability: float = lever(
        0.015, "per month", "Monthly chance that a firm meeting an exchange's criteria lists there.", ge=0.0,
        le=1.0,
    )


class GrantEquitySection(Section):
    """Grants-to-investment (拨改投): fiscal grants to firms become equity stakes held by the government."""

    enabled: bool = lever(True, "switch", "Turn start-up grants into government equity stakes.")
    share: float = lever(
        0.5, "share of grants", "Share of start-up grants paid as equity instead.", ge=0.0, le=1.0,
    )
    pre_money: float = lever(
        6.0, "million yuan", "Pre-money valuation at which a grant buys its stake.", ge=0.1, le=1_000.0,
    )
    reinvest: bool = lever(
        True, "switch", "Exit proceeds stay in the grants budget and pay for new stakes (recycled fiscal money).",
    )


class GovernmentSection(Section):
    """The government's budget and grants."""

    budget: float = lever(
        1_000.0, "million yuan", "Annual sci-tech budget at Jinan size for grants and top-ups.", ge=0.0, le=1e7
    )
    grant_size: float = lever(0.3, "million yuan", "A start-up grant.", ge=0.0, le=100.0)
    grant_rate: float = lever(
        0.15, "share of new firms", "Share of new startups that receive a grant.", ge=0.0, le=1.0
    )


class Scenario(BaseModel):
    """A complete, validated scenario: one section per part of the ecosystem."""

    model_config = STRICT

    name: str = "unnamed"
    #: The scenario's name in Chinese, shown by the Chinese brief (kept only with the ``name`` it translates).
    name_zh: str = ""
    description: str = ""
    run: RunSection = RunSection()
    firms: FirmSection = FirmSection()
    banks: BankSection = BankSection()
    guarantee: GuaranteeSection = GuaranteeSection()
    pool: PoolSection = PoolSection()
    risk: RiskSection = RiskSection()
    downturn: DownturnSection = DownturnSection()
    products: ProductSection = ProductSection()
    exemption: ExemptionSection = ExemptionSection()
    incentives: IncentiveSection = IncentiveSection()
    platforms: PlatformSection = PlatformSection()
    brokers: BrokerSection = BrokerSection()
    brokerage: BrokerageSection = BrokerageSection()
    evaluation: EvaluationSection = EvaluationSection()
    funds: FundSection = FundSection()
    venture: VentureSection = VentureSection()
    boards: BoardSection = BoardSection()
    grant_equity: GrantEquitySection = GrantEquitySection()
    government: GovernmentSection = GovernmentSection()

    @property
    def scale(self) -> float:
        """Model size relative to Jinan (initial firms / 20,000)."""
        return self.run.firms / JINAN_FIRMS

    def content_hash(self) -> str:
        """SHA-256 of the canonical JSON of the resolved parameters (name and description excluded)."""
        data = self.model_dump(mode="json", exclude={"name", "name_zh", "description"})
        return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()

    def to_toml(self) -> str:
        """The fully resolved scenario as TOML text."""
        return dict_to_toml(self.model_dump(mode="json"))


# --------------------------------------------------------------------------- loading


def _deep_merge(base: dict, override: Mapping) -> dict:
    out = copy.deepcopy(base)
    for key, value in override.items():
        if isinstance(value, Mapping) and isinstance(out.get(key), dict):
            out[key] = _deep_merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


#: Largest scenario file read, in bytes (a scenario is a few kilobytes; this refuses devices and blobs).
MAX_SCENARIO_BYTES = 1_000_000
#: Longest ``extends`` chain followed.
MAX_EXTENDS_DEPTH = 32
#: What a scenario *name* (as opposed to a path) may look like.
_NAME = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]*")


def _is_name(text: str) -> bool:
    """Whether ``text`` is a bare scenario name (no folder, no ``.toml``) rather than a path."""
    return bool(_NAME.fullmatch(text)) and not text.endswith(".toml")


def scenario_dirs() -> list[Path]:
    """Folders searched for a scenario given by name: those in ``ECOSIM_SCENARIO_PATH``, then the bundled ones."""
    extra = [Path(p) for p in os.environ.get(SCENARIO_PATH_VAR, "").split(os.pathsep) if p]
    return [*extra, SCENARIO_DIR]


def find_named_scenario(name: str) -> Path | None:
    """The file of a scenario known by name, or None.

    Names are looked up in the folders of :func:`scenario_dirs`, in order; a
    name never contains a folder, so a lookup cannot leave those folders.
    """
    for folder in scenario_dirs():
        candidate = folder / f"{name}.toml"
        if candidate.is_file():
            return candidate
    return None


def _known_names() -> str:
    return ", ".join(sorted({p.stem for folder in scenario_dirs() for p in folder.glob("*.toml")}))


def _resolve_path(name_or_path: str | Path, beside: Path | None = None) -> Path:
    """The file a scenario argument or an ``extends`` value refers to.

    Args:
        name_or_path: A bare name (looked up beside ``beside`` first, then by
            :func:`find_named_scenario`) or a path to a ``.toml`` file
            (relative to ``beside`` when given, else to the current folder).
        beside: The folder of the extending file, for ``extends`` values.

    Raises:
        ScenarioError: When nothing usable is found.
    """
    text = str(name_or_path)
    if not text.strip():
        raise ScenarioError("scenario name is empty: give a scenario name or a path to a .toml file")
    if isinstance(name_or_path, str) and _is_name(text):
        if beside is not None and (beside / f"{text}.toml").is_file():
            return beside / f"{text}.toml"
        found = find_named_scenario(text)
        if found is not None:
            return found
        where = f" beside {beside}/ or" if beside is not None else ""
        raise ScenarioError(f"scenario '{text}' not found{where} among the known scenarios ({_known_names()}); "
                            "or give a path to a .toml file")
    path = Path(name_or_path)
    if beside is not None and not path.is_absolute():
        path = beside / path
    if path.suffix != ".toml":
        raise ScenarioError(f"scenario '{text}': a path must name a .toml file (known scenarios: {_known_names()})")
    if not path.exists():
        raise ScenarioError(f"scenario file '{path}' not found")
    return path


def _read_text(path: Path) -> str:
    """A scenario file's text: a regular UTF-8 file of at most :data:`MAX_SCENARIO_BYTES`."""
    try:
        info = path.stat()
    except OSError as exc:
        raise ScenarioError(f"scenario file '{path}' cannot be read: {exc.strerror or exc}") from None
    if not stat.S_ISREG(info.st_mode):
        raise ScenarioError(f"scenario file '{path}' is not a regular file")
    if info.st_size > MAX_SCENARIO_BYTES:
        raise ScenarioError(f"scenario file '{path}' is {info.st_size:,} bytes; the limit is {MAX_SCENARIO_BYTES:,}")
    try:
        with open(path, "rb") as fh:
            raw = fh.read(MAX_SCENARIO_BYTES + 1)
    except OSError as exc:
        raise ScenarioError(f"scenario file '{path}' cannot be read: {exc.strerror or exc}") from None
    if len(raw) > MAX_SCENARIO_BYTES:
        raise ScenarioError(f"scenario file '{path}' is larger than the limit of {MAX_SCENARIO_BYTES:,} bytes")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ScenarioError(f"scenario file '{path}' is not UTF-8 text (byte {exc.start}); save it as UTF-8") from None
    if "\x00" in text:
        raise ScenarioError(f"scenario file '{path}' is binary (contains NUL bytes), not TOML text")
    return text


def _parse_toml(text: str, path: Path) -> dict:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        first = str(exc).splitlines()[0] if str(exc) else "syntax error"
        raise ScenarioError(f"scenario '{path.name}' is not valid TOML: {first}") from None


def read_scenario_data(name_or_path: str | Path, _seen: tuple[Path, ...] = (), _beside: Path | None = None) -> dict:
    """Read a scenario file and everything it extends into one nested dict (not yet validated).

    ``extends`` must be a string: a name or a ``.toml`` path, resolved beside
    the extending file first. Cycles and chains deeper than
    :data:`MAX_EXTENDS_DEPTH` are refused.

    Raises:
        ScenarioError: One line naming the file and what is wrong.
    """
    path = _resolve_path(name_or_path, _beside).resolve()
    if path in _seen:
        chain = " -> ".join(p.name for p in (*_seen, path))
        raise ScenarioError(f"extends: scenario '{path.name}' extends itself (cycle: {chain})")
    if len(_seen) > MAX_EXTENDS_DEPTH:
        raise ScenarioError(f"extends: the chain from '{_seen[0].name}' is deeper than {MAX_EXTENDS_DEPTH} files")
    data = _parse_toml(_read_text(path), path)
    parent = data.pop("extends", None)
    if parent is not None:
        if not isinstance(parent, str) or not parent.strip():
            raise ScenarioError(f"extends = {parent!r} in '{path.name}': must be a scenario name or a path to a "
                                ".toml file, as a non-empty string")
        if "\n" in parent or "\r" in parent:
            raise ScenarioError(f"extends in '{path.name}': must be one line")
        base = read_scenario_data(parent, _seen + (path,), path.parent)
        if "name" in data and "name_zh" not in data:
            base.pop("name_zh", None)  # a translation belongs to the name it translates
        data = _deep_merge(base, data)
    data.setdefault("name", path.stem)
    return data


def parse_value(text: str) -> Any:
    """Parse a command-line value the way TOML would (numbers, booleans, strings).

    Raises:
        ScenarioError: When the value spans more than one line.
    """
    if "\n" in text or "\r" in text:
        raise ScenarioError(f"value {text.splitlines()[0] if text.splitlines() else text!r}...: "
                            "must be a single line")
    try:
        return tomllib.loads(f"v = {text}")["v"]
    except tomllib.TOMLDecodeError:
        return text


def apply_overrides(data: dict, overrides: Mapping[str, Any]) -> dict:
    """Return a copy of a scenario dict with dotted-key overrides applied.

    Args:
        data: Nested scenario dict.
        overrides: Mapping like ``{"guarantee.fee_rate": 0.008}``.

    Raises:
        ScenarioError: When a key does not name a scenario parameter.
    """
    out = copy.deepcopy(data)
    fields = _field_index()
    for key, value in overrides.items():
        if key not in fields:
            raise ScenarioError(f"unknown parameter '{key}' (see `ecosim params` for the list)")
        section, _, name = key.partition(".")
        out.setdefault(section, {})[name] = value
    return out


def parse_overrides(items: Sequence[str]) -> dict[str, Any]:
    """Turn ``["a.b=1", ...]`` into ``{"a.b": 1}``, with a one-line error on bad syntax."""
    out: dict[str, Any] = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            first = item.splitlines()[0] if item.splitlines() else item
            raise ScenarioError(f"override '{first}' must look like section.key=value")
        if any(c in item for c in "\n\r\x00"):
            raise ScenarioError(f"--set {key.strip().splitlines()[0] if key.strip() else key!r}: the value must be "
                                "one line (no line breaks or NUL characters)")
        out[key.strip()] = parse_value(value.strip())
    return out


def _plain(value: Any) -> Any:
    """Numpy scalars as the Python numbers they hold (samplers produce them); everything else unchanged."""
    if isinstance(value, Mapping):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, np.bool_):
        return bool(value)
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.floating):
        return float(value)
    return value


def validate_scenario(data: Mapping[str, Any]) -> Scenario:
    """Validate a nested scenario dict strictly, raising a one-line :class:`ScenarioError`."""
    if not isinstance(data, Mapping):
        raise ScenarioError(f"scenario: must be a table of sections, not {type(data).__name__}")
    try:
        return Scenario.model_validate(_plain(data))
    except ValidationError as exc:
        raise ScenarioError(_one_line(exc, data)) from None


def load_scenario(
    name_or_path: str | Path,
    overrides: Sequence[str] | Mapping[str, Any] = (),
    *,
    months: int | None = None,
    firms: int | str | None = None,
) -> Scenario:
    """Load, merge, override and validate a scenario.

    Args:
        name_or_path: A scenario name (bundled, or in a folder of ``ECOSIM_SCENARIO_PATH``) or a path to a TOML file.
        overrides: ``key=value`` strings or a mapping of dotted keys to values.
        months: Horizon override.
        firms: Initial startups, as a number or a size preset name (``jinan``...).

    Returns:
        The validated scenario.
    """
    data = read_scenario_data(name_or_path)
    if not isinstance(overrides, Mapping):
        overrides = parse_overrides(overrides)
    overrides = dict(overrides)
    for key, option, value in (("run.months", "--months", months), ("run.firms", "--firms", firms)):
        if value is not None and key in overrides:
            raise ScenarioError(f"{key} is given twice (--set {key}={overrides[key]!r} and {option} {value}): "
                                "give one of them")
    if months is not None:
        overrides["run.months"] = months
    if firms is not None:
        overrides["run.firms"] = resolve_size(firms)
    return validate_scenario(apply_overrides(data, overrides))


def resolve_size(firms: int | str) -> int:
    """A number of firms from an integer or a preset name (demo, small, medium, jinan, large).

    Raises:
        ScenarioError: For anything else (a bool, a float, a string that is neither a preset nor digits).
    """
    presets = ", ".join(SIZE_PRESETS)
    if isinstance(firms, str):
        if firms in SIZE_PRESETS:
            return SIZE_PRESETS[firms]
        if re.fullmatch(r"[0-9]{1,9}", firms.strip()):
            return int(firms)
        raise ScenarioError(f"firms = {firms!r}: give a whole number from 10 to 1000000 or one of {presets}")
    if isinstance(firms, bool) or not isinstance(firms, int | np.integer):
        raise ScenarioError(f"firms = {firms!r}: give a whole number from 10 to 1000000 or one of {presets}")
    return int(firms)


#: What pydantic's error types mean, in the words of a scenario file.
_PROBLEMS = {
    "finite_number": "NaN and infinity are not allowed",
    "int_type": "must be a whole number (a TOML integer such as 12, not 12.0, a string or a boolean)",
    "int_from_float": "must be a whole number (a TOML integer such as 12, not 12.0)",
    "float_type": "must be a number (not a string or a boolean)",
    "bool_type": "must be true or false (a TOML boolean, not a number or a string)",
    "string_type": "must be a string",
    "model_type": "must be a table",
    "dict_type": "must be a table",
}


def _one_line(exc: ValidationError, data: Mapping[str, Any]) -> str:
    fields = _field_index()
    errors = exc.errors()
    err = errors[0]
    parts = [str(p) for p in err["loc"]]
    # a union (``int | None``) adds the member tried to the location: keep the parameter's path
    while len(parts) > 2 and ".".join(parts) not in fields:
        parts.pop()
    loc = ".".join(parts)
    kind = err["type"]
    meta = fields.get(loc)
    value = err.get("input")
    if kind == "extra_forbidden":
        section = loc.split(".")[0]
        allowed = sorted(k.split(".", 1)[1] for k in fields if k.startswith(section + ".") and "." in k)
        if allowed and "." in loc:
            return f"unknown parameter '{loc}' (allowed in [{section}]: {', '.join(allowed)})"
        return f"unknown parameter '{loc}' (allowed sections: {', '.join(sorted(Scenario.model_fields))})"
    if meta is not None:
        # for ``int | None`` report the number's complaint, not "should be None"
        kinds = [e["type"] for e in errors if [str(p) for p in e["loc"]][:2] == parts[:2]]
        kind = next((k for k in kinds if k != "none_required"), kind)
        if isinstance(value, float) and not math.isfinite(value):
            kind = "finite_number"
        problem = _PROBLEMS.get(kind, err["msg"].lower())
        rng = _range_text(meta)
        return f"{loc} = {_show(value)}: {problem}; allowed: {meta['type']} {rng} ({meta['unit']})".replace("  ", " ")
    problem = _PROBLEMS.get(kind, err["msg"].lower())
    return f"{loc or 'scenario'} = {_show(value)}: {problem}"


def _show(value: Any) -> str:
    """A value as it would appear in a scenario file, cut to one short line."""
    if isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, Mapping):
        text = "{table}"
    else:
        text = repr(value)
    text = text.replace("\n", " ").replace("\r", " ")
    return text if len(text) <= 60 else text[:57] + "..."


def _range_text(meta: dict) -> str:
    lo, hi = meta.get("min"), meta.get("max")
    if lo is not None and hi is not None:
        return f"from {lo:g} to {hi:g}"
    if lo is not None:
        return f"≥ {lo:g}"
    if hi is not None:
        return f"≤ {hi:g}"
    return ""


def _field_index() -> dict[str, dict]:
    return {row["path"]: row for row in parameter_table()}


def parameter_table() -> list[dict]:
    """Every scenario parameter with its path, type, default, unit, range, description and source."""
    rows: list[dict] = []
    for section_name, section_field in Scenario.model_fields.items():
        section_cls = section_field.annotation
        if not (isinstance(section_cls, type) and issubclass(section_cls, Section)):
            continue
        for name, field in section_cls.model_fields.items():
            extra = field.json_schema_extra or {}
            lo = hi = None
            for m in field.metadata:
                lo = getattr(m, "ge", lo)
                hi = getattr(m, "le", hi)
            ann = field.annotation
            type_name = getattr(ann, "__name__", str(ann)).replace("typing.", "")
            if "None" in str(ann) and "|" in str(ann):
                type_name = str(ann).replace(" | None", "") + " (empty = scaled)"
            rows.append(
                {
                    "path": f"{section_name}.{name}",
                    "type": type_name,
                    "default": field.default,
                    "unit": extra.get("unit", ""),
                    "min": lo,
                    "max": hi,
                    "description": field.description or "",
                    "source": extra.get("source", ""),
                }
            )
    return rows


def dict_to_toml(data: Mapping[str, Any]) -> str:
    """Write a two-level scenario dict as TOML (top-level scalars, then one table per section)."""

    def fmt(v: Any) -> str:
        if isinstance(v, bool):
            return "true" if v else "false"
        if isinstance(v, str):
            return json.dumps(v, ensure_ascii=False)
        if isinstance(v, float):
            return repr(v)
        return str(v)

    lines = [f"{k} = {fmt(v)}" for k, v in data.items() if not isinstance(v, Mapping) and v is not None]
    for key, value in data.items():
        if isinstance(value, Mapping):
            lines.append(f"\n[{key}]")
            lines += [f"{k} = {fmt(v)}" for k, v in value.items() if v is not None]
    return "\n".join(lines) + "\n"

