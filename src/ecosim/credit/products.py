"""Tech loan products: what each product lends against, for how long, and what secures it.

A product is a code in :mod:`ecosim.credit.loans` plus an *offer rule* here: a
vectorised function of the applicants that returns the product's line (the
largest principal its rule allows, 0 where it is not offered), its tenor and
the value the bank can realise from pledged security on default. The lending
phase sizes each offer to the firm's need and repayment capacity, lets the
officer price it, and gives each firm the approved product that best fits its
need (:mod:`ecosim.credit.lending`).

A loan's use is bound to its purpose (as the rules on working-capital and fixed-asset loans bind
it): the general products lend to firms in need and for working capital; an R&D project
(researcher pay, labs) is financed only by the R&D loan, and an acquisition only by the M&A loan.

Products and the real instruments they model:

* ``collateral`` — the standard loan against fixed assets (loan-to-value, haircut on realisation).
* ``rating_credit`` — credit loan on a platform rating: a pre-approved line of 1–10 m set by
  the rating, with an uplift of up to 25% for top ratings.
* ``data_credit`` — small credit loan scored on government-service data (泉融e贷), per social-insurance payer.
* ``guaranteed`` — tech loan guaranteed through the guarantee chain (泉融通-科创贷), line from
  social-insurance and IP data.
* ``rd`` — R&D loan (科研贷) for researcher pay and labs, with a tenor up to ten years, to firms with
  patents or a rating at any stage, sized to the project's cost.
* ``ip_pledge`` — loan against patents valued by the IP public service platform, with a haircut.
* ``equity_pledge`` — loan against pledged unlisted equity (科股贷) at the last round's valuation.
* ``invest_loan`` — invest-loan linkage (联投易贷): a line sized by the firm's equity financing.
* ``ma`` — M&A loan for tech firms (科技企业并购贷款 pilot), for acquisitions by established firms only,
  with a cap of its own (``products.ma_max_loan``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from scipy.special import ndtr

from ecosim.credit import loans as L
from ecosim.firms import state as S
from ecosim.scenario import Scenario

#: Why a firm applies: to extend its runway or fund a milestone, for working capital, to acquire,
#: or to fund an R&D project (researcher pay and labs) of a firm holding patents or a rating.
NEED, WORKING_CAPITAL, ACQUISITION, RD_PROJECT = 0, 1, 2, 3
PURPOSES: tuple[str, ...] = ("need", "working_capital", "acquisition", "rd_project")

@dataclass
class Applicants:
    """What a bank can see of this month's applicants (arrays aligned with ``rows``)."""

    rows: np.ndarray
    purpose: np.ndarray
    sought: np.ndarray
    age: np.ndarray
    stage: np.ndarray
    cash: np.ndarray
    revenue: np.ndarray
    burn: np.ndarray
    debt: np.ndarray
    service: np.ndarray  # monthly debt service on existing loans
    collateral: np.ndarray
    patents: np.ndarray
    ip_value: np.ndarray  # IP platform's valuation of the patent portfolio
    employees: np.ndarray
    valuation: np.ndarray
    equity_raised: np.ndarray
    view_mean: np.ndarray
    rated: np.ndarray


@dataclass
class Offer:
    """One product's terms for every applicant."""

    line: np.ndarray  # largest principal the product's rule allows (0 = not offered)
    tenor: np.ndarray  # months
    pledged: np.ndarray  # value of pledged assets recorded on the loan
    security: np.ndarray  # what the bank expects to realise from them on default


def purpose_in(purpose: np.ndarray, purposes: tuple[int, ...]) -> np.ndarray:
    """Per applicant: whether its purpose is one of ``purposes``."""
    inside = np.zeros(np.shape(purpose), dtype=bool)
    for code in purposes:
        inside |= purpose == code
    return inside


def _per_applicant(value, n: int, dtype) -> np.ndarray:
    """``value`` as a new array of length ``n`` (a scalar is repeated)."""
    value = np.asarray(value, dtype=dtype)
    return np.full(n, value) if value.ndim == 0 else value.copy()


def _offer(a: Applicants, line, tenor, pledged=0.0, security=0.0, *,
           for_purpose=(NEED, WORKING_CAPITAL)) -> Offer:
    n = len(a.rows)
    ok = purpose_in(a.purpose, for_purpose)
    line = np.where(ok, np.maximum(np.asarray(line, dtype=float), 0.0), 0.0)
    return Offer(
        line=line,
        tenor=_per_applicant(tenor, n, np.int32),
        pledged=_per_applicant(pledged, n, float),
        security=_per_applicant(security, n, float),
    )


def working_capital_limit(a: Applicants, p: Scenario) -> np.ndarray:
    """Largest working-capital loan a firm's sales justify: ``banks.revenue_multiple`` months of revenue.

    Scored credit products that lend against a firm's operating data (tax, social insurance) size the
    loan to its working-capital need, which the CBIRC rule for working-capital loans (流动资金贷款管理
    暂行办法, 2010) estimates from sales: annual sales × (1 - margin) × (1 + growth) / turnover of
    working capital. With the turnover of two to three times a year usual for small firms, that is
    four to six months of revenue; a firm without sales gets no such loan.
    """
    return p.banks.revenue_multiple * np.maximum(a.revenue, 0.0)


def collateral_offer(a: Applicants, p: Scenario) -> Offer:
    """Standard loan against fixed assets: loan-to-value on the collateral, realised after a haircut."""
    b = p.banks
    return _offer(a, a.collateral * b.collateral_ltv - a.debt, b.tenor_months, a.collateral,
                  a.collateral * (1 - b.collateral_haircut))


def rating_line(view_mean: np.ndarray, rated: np.ndarray, p: Scenario) -> np.ndarray:
    """Pre-approved line from a platform rating: 1–10 m by the lender's view, +uplift for top ratings."""
    pl, pr = p.platforms, p.products
    line = np.zeros(np.shape(view_mean))
    view = view_mean[rated]
    base = pl.line_min + (pl.line_max - pl.line_min) * ndtr(np.where(np.isnan(view), 0.0, view))
    line[rated] = base * np.where(view >= pr.rating_top, 1.0 + pr.rating_uplift, 1.0)
    return line


def rating_credit_offer(a: Applicants, p: Scenario) -> Offer:
    """Credit loan within the pre-approved line a platform rating sets; no security."""
    return _offer(a, rating_line(a.view_mean, a.rated, p) - a.debt, p.banks.tenor_months)


def data_credit_offer(a: Applicants, p: Scenario) -> Offer:
    """Small credit loan scored on government-service data: a line per social-insurance payer, capped."""
    pr = p.products
    line = np.minimum(np.minimum(a.employees * pr.data_line_per_employee, pr.data_line_max),
                      working_capital_limit(a, p)) - a.debt
    return _offer(a, line, 12)


def guaranteed_offer(a: Applicants, p: Scenario) -> Offer:
    """Guaranteed tech loan: a line scored on social-insurance and IP data, up to the guarantor's maximum."""
    g = p.guarantee
    line = np.minimum(a.employees * g.line_per_employee + a.patents * g.line_per_patent, g.max_guarantee)
    line = np.minimum(line, working_capital_limit(a, p))
    return _offer(a, line - a.debt if g.enabled else 0.0, p.banks.tenor_months)


def rd_offer(a: Applicants, p: Scenario) -> Offer:
    """R&D loan: finances an R&D project (``rd_months`` of R&D costs) over a long tenor.

    Open to firms with patents or a platform rating at any stage (Qilu Bank's 科研贷 serves specialised
    SMEs as well as firms without sales), for an R&D project or a firm's need.
    """
    pr = p.products
    line = pr.rd_months * pr.rd_cost_share * a.burn
    eligible = pr.rd_enabled & ((a.patents > 0) | a.rated)
    return _offer(a, np.where(eligible, line - a.debt, 0.0), pr.rd_tenor, for_purpose=(NEED, RD_PROJECT))


def ip_pledge_offer(a: Applicants, p: Scenario) -> Offer:
    """Loan against pledged patents at the IP platform's valuation less the haircut."""
    pr = p.products
    secured = a.ip_value * (1 - pr.ip_haircut)
    return _offer(a, secured - a.debt if pr.ip_enabled else 0.0, p.banks.tenor_months, a.ip_value, secured)


def equity_pledge_offer(a: Applicants, p: Scenario) -> Offer:
    """Loan against pledged unlisted equity; the pledge is worth little once the firm has failed."""
    pr = p.products
    pledged = pr.equity_pledge_share * a.valuation
    line = pr.equity_pledge_ltv * pledged - a.debt if pr.equity_pledge_enabled else 0.0
    return _offer(a, line, p.banks.tenor_months, pledged, 0.0)


def invest_loan_offer(a: Applicants, p: Scenario) -> Offer:
    """Invest-loan linkage: a credit line for VC-backed firms sized by their equity financing."""
    pr = p.products
    line = np.minimum(pr.invest_loan_ratio * a.equity_raised, pr.invest_loan_max)
    return _offer(a, line - a.debt if pr.invest_loan_enabled else 0.0, p.banks.tenor_months)


def ma_eligible(p: Scenario, stage: np.ndarray, revenue: np.ndarray) -> np.ndarray:
    """Firms that may seek and get an M&A loan: growth or mature firms selling at least
    ``products.ma_min_revenue`` a month (and something), while the pilot is on."""
    pr = p.products
    return pr.ma_enabled & (stage >= S.GROWTH) & (revenue > 0) & (revenue >= pr.ma_min_revenue)


def ma_offer(a: Applicants, p: Scenario) -> Offer:
    """M&A loan: finances an acquisition by an established firm (:func:`ma_eligible`)."""
    pr = p.products
    eligible = ma_eligible(p, a.stage, a.revenue)
    line = np.where(eligible, pr.ma_revenue_months * a.revenue, 0.0)
    return _offer(a, line, pr.ma_tenor, for_purpose=(ACQUISITION,))


#: The offer rule of each product, by product code.
OFFERS: dict[int, Callable[[Applicants, Scenario], Offer]] = {
    L.COLLATERAL: collateral_offer,
    L.CREDIT: rating_credit_offer,
    L.DATA: data_credit_offer,
    L.GUARANTEED: guaranteed_offer,
    L.RD: rd_offer,
    L.IP_PLEDGE: ip_pledge_offer,
    L.EQUITY_PLEDGE: equity_pledge_offer,
    L.INVEST_LOAN: invest_loan_offer,
    L.MA: ma_offer,
}
