"""The loan officer's decision: what the bank can see, what it fears, what it charges.

The officer never sees latent quality. It forms a view from what the bank can
see: the platform rating where the firm is rated (:func:`rating_input`), soft
information where the bank has a relationship (or a partner team passed it
on), a guidance-fund signal; and it reads the firm's *repayment capacity* from
its accounts: revenue against costs and debt service, the months its cash
carries it once the new loan's instalments are added (runway), and its age.
From those it estimates the firm's annual default risk with the bank's
scorecard (:func:`scorecard_pd`): the scorecard gives the log-odds of default
for a firm of known quality, and the bank, which knows quality only up to its
posterior, takes the expected default risk over that posterior (a logistic-normal
integral). A precise rating therefore sharpens the estimate (good firms look
safer, weak ones riskier) and an opaque firm's estimate is pulled towards the
middle; the officer adds an *ambiguity premium* for what it cannot see on top. Loans are sized to
capacity (:func:`capacity_amount`): debt service may take at most a share of
revenue plus cash spread over the tenor.

The decision compares the loan's margin with two costs, as annual rates on the
principal:

* the bank's expected loss: ``pd × LGD × (1 - cover)``, where LGD is net of
  pledged security and cover comes from the guarantee chain and the
  risk-compensation pool; and
* the officer's personal penalty: ``officer_penalty × pd_officer``, which
  the due-diligence exemption removes for loans within its scope while the
  branch stays within its NPL tolerance. The officer answers for a loan that
  goes bad whatever the bank later recovers, so security does not shield the
  officer; and the officer's default estimate is inflated for opacity, so the
  penalty weighs most on young, unrated, unsecured firms.

Whatever the margin, the bank's credit policy refuses a loan whose estimated
default risk exceeds its ceiling (``max_pd``): security and cover are second
sources of repayment, not a reason to lend to a firm that cannot repay.

Pricing is risk-based: the rate is the loan prime rate for the tenor (a lever:
3.0% for one year, 3.5% for five) plus a spread for the expected loss, the
bank's premium for unexpected loss and the officer's risk premium, less the
funding subsidies (re-lending, FTP rebate, rediscount) the bank passes on;
never below the bank's break-even (funding cost + operating cost + capital
charge + both costs). The loan prime rate is what banks charge their best
borrowers, so it already pays for the funding, operating cost and capital of a
loan without credit risk; the spread over it carries only the risk (a small
firm's loan ties up no more capital per yuan than a prime one: the capital
rules of 2023 weight loans to small and micro firms at 75–85%, below the 100%
of other corporate loans). The officer approves when that rate is within the bank's rate cap, so a
bank never lends where its expected loss exceeds the margin it can earn. Because cover
lowers the expected loss, a bank with more cover approves riskier firms: its
screening weakens as cover rises (the known side effect of risk sharing).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from scipy.special import expit, logit

if TYPE_CHECKING:
    from ecosim.model import EcosystemModel

#: Bank scorecard: log-odds of default within a year for a borrower of *known* quality, fitted by
#: logistic regression of 12-month default of the loans of calibrated baseline runs on the
#: borrower's latent quality and the hard data at disbursal.
#: It stands for what a bank learns from a long history of resolved loans, whose files show what
#: the borrowers really were. Fitting on the bank's own loans is not biased by its selection: it
#: selects on its view, whose errors are independent of default once quality is known; and the
#: loans, unlike the whole population, are firms that sought money and carry the loan's
#: instalments (a fit on all firms made quality look far more protective for a firm short of
#: cash than it is). The bank's rules decide which firms borrow, so the weights are a fixed point
#: of fit and rules: refits alternate between neighbouring weights (the intercept and the runway
#: trading against each other), so the weights are the mean of the last four of eight damped refits
#: at the calibrated baseline (``scripts/fit_scorecard.py --seeds 6 --iterate 8``), where they had
#: settled. On a new applicant the bank sees quality only through its view and integrates over what
#: it cannot see (:func:`scorecard_pd`).
SCORE_INTERCEPT = 2.60
SCORE_RUNWAY = 1.12  # per log(1 + months of runway after debt service), capped at RUNWAY_CAP
SCORE_COVERAGE = 0.12  # per unit of revenue / costs, capped at 1.5
SCORE_QUALITY = 1.37  # per sd of latent quality
SCORE_AGE = 0.76  # per five years of age (capped): older firms fail less
#: Runway counted as "carries itself" (months).
RUNWAY_CAP = 60.0


def rating_input(model: EcosystemModel, rows: np.ndarray, banks: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """What bank ``banks[i]`` reads from the platforms about firm ``rows[i]``: (rating, its precision; NaN/0 where unseen).

    The combination of the platforms the bank recognises (``ecosim.information.view.platform_view``).
    """
    from ecosim.information.view import platform_view

    pv = platform_view(model, rows, banks)
    return pv.signal, pv.precision


@dataclass
class View:
    """What a lender can infer about each applicant's quality."""

    mean: np.ndarray  # posterior mean of quality (sd units)
    sd: np.ndarray  # posterior sd: what the lender cannot see


def lender_view(
    rating: np.ndarray,
    rating_precision: np.ndarray,
    soft_signal: np.ndarray,
    soft_precision: np.ndarray,
    signal_bonus: np.ndarray | float = 0.0,
) -> View:
    """Combine a prior N(0, 1) with a rating and soft information (precision-weighted).

    Args:
        rating: Rating as a reading of quality; NaN where unrated.
        rating_precision: Its precision (0 where unrated).
        soft_signal: Soft information about quality.
        soft_precision: Its precision (0 where none).
        signal_bonus: Shift of the mean from other signals (a guidance fund's investment).
    """
    unrated = np.isnan(rating)
    r = np.where(unrated, 0.0, rating)
    tr = np.where(unrated, 0.0, rating_precision)
    prec = 1.0 + tr + soft_precision
    mean = (tr * r + soft_precision * soft_signal) / prec + signal_bonus
    return View(mean=mean, sd=1.0 / np.sqrt(prec))


def debt_service(amount: np.ndarray, tenor: np.ndarray | float, rate: np.ndarray | float) -> np.ndarray:
    """First month's instalment of an amortising loan: principal share plus interest (per month)."""
    return amount / np.maximum(tenor, 1) + amount * rate / 12.0


def runway_after(
    cash: np.ndarray, burn: np.ndarray, revenue: np.ndarray, service: np.ndarray
) -> np.ndarray:
    """Months the firm's own cash carries its costs and debt service beyond revenue (capped at RUNWAY_CAP).

    Loan proceeds are not counted: a bank reads capacity from the firm's own resources.
    """
    gap = burn + service - revenue
    months = np.where(gap > 0, np.maximum(cash, 0.0) / np.maximum(gap, 1e-12), RUNWAY_CAP)
    return np.minimum(months, RUNWAY_CAP)


def capacity_amount(
    revenue: np.ndarray,
    cash: np.ndarray,
    existing_service: np.ndarray,
    tenor: np.ndarray | float,
    rate: float,
    share: float,
) -> np.ndarray:
    """Largest loan whose debt service fits ``share`` of revenue plus cash spread over the tenor."""
    room = share * (np.maximum(revenue, 0.0) + np.maximum(cash, 0.0) / np.maximum(tenor, 1)) - existing_service
    return np.maximum(room, 0.0) / (1.0 / np.maximum(tenor, 1) + rate / 12.0)


def scorecard_pd(
    view_mean: np.ndarray,
    coverage: np.ndarray,
    age_months: np.ndarray,
    runway: np.ndarray,
    view_sd: np.ndarray | float = 0.0,
) -> np.ndarray:
    """The bank's estimate of a firm's annual default probability from its view and hard data.

    The scorecard's log-odds ``z = z_hard - SCORE_QUALITY × quality`` hold for a firm of known
    quality; quality is known only as ``N(view_mean, view_sd²)``, so the estimate is the expected
    probability over that posterior, ``E[expit(z)] ≈ expit(μ / sqrt(1 + π σ² / 8))`` with
    ``μ = z_hard - SCORE_QUALITY × view_mean`` and ``σ = SCORE_QUALITY × view_sd`` (the
    probit approximation of the logistic-normal integral).

    Args:
        view_mean: The lender's view of quality (sd units).
        coverage: Revenue as a share of costs (cash-flow coverage).
        age_months: Age of the firm.
        runway: Months of runway after debt service (:func:`runway_after`).
        view_sd: Posterior sd of the view (0: quality known).
    """
    return _scorecard(np.minimum(runway, RUNWAY_CAP), age_months, *_fixed_terms(view_mean, coverage, view_sd))


def _fixed_terms(view_mean: np.ndarray, coverage: np.ndarray,
                 view_sd: np.ndarray | float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The scorecard's parts that stay the same from year to year of a loan.

    Returns:
        The coverage term, the quality term, and the divisor of the log-odds that integrates over
        the view's uncertainty (see :func:`scorecard_pd`).
    """
    coverage_term = SCORE_COVERAGE * np.minimum(coverage, 1.5)
    quality_term = SCORE_QUALITY * view_mean
    sigma = SCORE_QUALITY * np.asarray(view_sd)
    return coverage_term, quality_term, np.sqrt(1.0 + (np.pi / 8.0) * sigma * sigma)


def _scorecard(runway: np.ndarray, age_months: np.ndarray, coverage_term: np.ndarray, quality_term: np.ndarray,
               divisor: np.ndarray) -> np.ndarray:
    """:func:`scorecard_pd` from a runway already capped at ``RUNWAY_CAP`` and the :func:`_fixed_terms`."""
    mu = (
        SCORE_INTERCEPT
        - SCORE_RUNWAY * np.log1p(runway)
        - coverage_term
        - quality_term
        - SCORE_AGE * np.minimum(age_months, 60) / 60.0
    )
    return expit(mu / divisor)


def loan_pd(
    view_mean: np.ndarray,
    coverage: np.ndarray,
    age_months: np.ndarray,
    runway: np.ndarray,
    tenor: np.ndarray | int,
    view_sd: np.ndarray | float = 0.0,
) -> np.ndarray:
    """Annualised default risk over the loan's life: the scorecard applied year by year as the runway runs down.

    A firm that does not carry itself (runway below ``RUNWAY_CAP``) has twelve months less
    runway each year; the officer compounds the yearly risks over the tenor and states the
    result as an annual rate, so a long loan to a firm whose cash runs out before maturity is
    priced as the risk it is. Loans may have different tenors; listing them longest first
    saves work.
    """
    runway = np.asarray(runway)
    shape = runway.shape
    tenor, view_mean, coverage, age_months, view_sd = (
        x if x.shape == shape else np.broadcast_to(x, shape)
        for x in map(np.asarray, (tenor, view_mean, coverage, age_months, view_sd)))
    years = int(np.ceil(tenor.max() / 12.0)) if tenor.size else 1
    # With loans ordered longest first, those still running in a year are a leading slice.
    longest_first = tenor.ndim == 1 and bool((tenor[1:] <= tenor[:-1]).all())
    if longest_first:
        negated_tenor = -tenor  # ascending, for searchsorted
    carries = runway >= RUNWAY_CAP
    fixed = _fixed_terms(view_mean, coverage, view_sd)  # the same in every year of the loan
    survive = np.ones(shape)
    for k in range(years):
        if longest_first:
            running = slice(0, int(np.searchsorted(negated_tenor, -12 * k, side="left")))
        else:
            still_running = 12 * k < tenor
            running = ... if still_running.all() else np.nonzero(still_running)
        # The runway left after k years, at most RUNWAY_CAP.
        left = np.where(carries[running], RUNWAY_CAP, np.maximum(runway[running] - 12.0 * k, 0.0))
        pd_k = _scorecard(left, age_months[running] + 12 * k, *(term[running] for term in fixed))
        survive[running] *= 1.0 - pd_k
    return 1.0 - survive ** (12.0 / np.maximum(tenor, 1))


@dataclass
class Decision:
    """The officer's decision on each application (arrays aligned with the applicants)."""

    approve: np.ndarray
    rate: np.ndarray
    pd: np.ndarray
    officer_pd: np.ndarray
    expected_loss: np.ndarray  # annual rate
    exempt: np.ndarray


def decide(
    *,
    pd: np.ndarray,
    view_sd: np.ndarray,
    loss_given_default: np.ndarray | float,
    cover: np.ndarray | float,
    funding_cost: np.ndarray | float,
    base_margin: float,
    rate_cap: np.ndarray | float,
    officer_penalty: float,
    opacity_aversion: float,
    exempt: np.ndarray | bool,
    max_pd: float = 1.0,
    reference_rate: np.ndarray | float | None = None,
    capital_charge: float = 0.0,
    funding_saving: np.ndarray | float = 0.0,
    pass_through: float = 1.0,
    risk_premium: float = 0.0,
) -> Decision:
    """Approve and price loans.

    The officer's *required* rate is the bank's break-even: funding cost, operating cost
    (``base_margin``), the capital charge, the expected loss and the officer's own risk
    premium (the personal penalty on the inflated default estimate). With a reference rate
    the bank prices off the loan prime rate: ``reference_rate + (1 + risk_premium) × expected
    loss + officer's premium - pass_through × funding_saving`` (risk-based pricing, the
    funding subsidies passed on), never below break-even. The loan prime rate already pays
    for the capital of a loan without credit risk, so the capital charge enters only the
    break-even. A loan is approved when its rate
    is within the cap and its estimated default risk within the bank's ceiling.

    Args:
        pd: Bank's estimated annual default probability.
        view_sd: Posterior sd of the bank's view (opacity).
        loss_given_default: Share of principal the lenders lose on default, after collateral.
        cover: Share of that loss covered by the guarantee chain and the pool (0..1).
        funding_cost: Bank's annual funding cost for the loan, after re-lending and FTP rebate.
        base_margin: Operating cost a loan must cover.
        rate_cap: Highest rate the bank charges a startup.
        officer_penalty: Weight of the officer's personal penalty on defaults.
        opacity_aversion: How much opacity inflates the officer's default estimate.
        exempt: Whether the due-diligence exemption shields the officer on each loan.
        max_pd: The bank's ceiling on estimated default risk (credit policy).
        reference_rate: The loan prime rate for the loan's tenor; None prices at break-even.
        capital_charge: Annual cost of the capital the loan ties up (part of the break-even).
        funding_saving: The bank's funding-cost saving on the loan (re-lending, FTP, rediscount).
        pass_through: Share of that saving passed on to the borrower.
        risk_premium: Premium for unexpected loss, as a share of the feared loss (the bank's risk aversion).
    """
    officer_pd = expit(logit(np.clip(pd, 1e-6, 1 - 1e-6)) + opacity_aversion * view_sd)
    expected_loss = pd * loss_given_default * (1.0 - np.clip(cover, 0.0, 1.0))
    penalty = officer_penalty * officer_pd * (1.0 - np.asarray(exempt, dtype=float))
    required = funding_cost + base_margin + capital_charge + expected_loss + penalty
    if reference_rate is None:
        price = required
    else:
        # The spread over the prime rate prices the expected loss and a premium for unexpected loss
        # in proportion to it; the prime rate itself pays for funding, operations and capital.
        price = np.maximum(reference_rate + (1.0 + risk_premium) * expected_loss + penalty
                           - pass_through * np.maximum(funding_saving, 0.0), required)
    approve = (price <= rate_cap) & (pd <= max_pd)
    rate = np.minimum(price, rate_cap)
    exempt_arr = np.broadcast_to(np.asarray(exempt, dtype=bool), np.shape(pd)).copy()
    return Decision(approve=approve, rate=rate, pd=pd, officer_pd=officer_pd,
                    expected_loss=expected_loss, exempt=exempt_arr)
