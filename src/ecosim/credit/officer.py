"""The loan officer's decision: what the bank can see, what it fears, what it charges.

The officer never sees latent quality. It forms a view from what the bank can
see: the platform rating where the firm is rated, soft information where the
bank has a relationship (or a partner team passed it on), a guidance-fund
signal, revenue, collateral and age. From that view it estimates the firm's
annual default risk with the bank's scorecard, and adds an *ambiguity premium*
for what it cannot see (the posterior uncertainty of its view).

The decision compares the loan's margin with two costs, as annual rates on the
principal:

* the bank's expected loss: ``pd × LGD × (1 - cover)``, where cover comes from
  the guarantee chain and the risk-compensation pool; and
* the officer's personal penalty: ``officer_penalty × pd_officer × LGD``, which
  the due-diligence exemption removes for loans within its scope while the
  branch stays within its NPL tolerance.

The required rate is funding cost + base margin + both costs. The officer
approves when the required rate is within the bank's rate cap, so a bank never
lends where its expected loss exceeds the margin it can earn.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.special import expit, logit

#: Bank scorecard (log-odds of annual default): intercept and weights.
SCORE_INTERCEPT = logit(0.25)
SCORE_QUALITY = 0.9
SCORE_COVERAGE = 2.2  # per unit of revenue / costs, capped at 1.5
SCORE_AGE = 0.4


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
    r = np.nan_to_num(rating, nan=0.0)
    tr = np.where(np.isnan(rating), 0.0, rating_precision)
    prec = 1.0 + tr + soft_precision
    mean = (tr * r + soft_precision * soft_signal) / prec + signal_bonus
    return View(mean=mean, sd=1.0 / np.sqrt(prec))


def scorecard_pd(view_mean: np.ndarray, coverage: np.ndarray, age_months: np.ndarray) -> np.ndarray:
    """The bank's estimate of a firm's annual default probability from its view and hard data.

    Args:
        view_mean: The lender's view of quality.
        coverage: Revenue as a share of costs (cash-flow coverage).
        age_months: Age of the firm.
    """
    z = (
        SCORE_INTERCEPT
        - SCORE_QUALITY * view_mean
        - SCORE_COVERAGE * np.minimum(coverage, 1.5)
        - SCORE_AGE * np.minimum(age_months, 60) / 60.0
    )
    return expit(z)


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
    rate_cap: float,
    officer_penalty: float,
    opacity_aversion: float,
    exempt: np.ndarray | bool,
) -> Decision:
    """Approve and price loans.

    Args:
        pd: Bank's estimated annual default probability.
        view_sd: Posterior sd of the bank's view (opacity).
        loss_given_default: Share of principal the lenders lose on default, after collateral.
        cover: Share of that loss covered by the guarantee chain and the pool (0..1).
        funding_cost: Bank's annual funding cost for the loan, after re-lending and FTP rebate.
        base_margin: Operating cost and required return.
        rate_cap: Highest rate the bank charges a startup.
        officer_penalty: Weight of the officer's personal penalty on defaults.
        opacity_aversion: How much opacity inflates the officer's default estimate.
        exempt: Whether the due-diligence exemption shields the officer on each loan.
    """
    officer_pd = expit(logit(np.clip(pd, 1e-6, 1 - 1e-6)) + opacity_aversion * view_sd)
    expected_loss = pd * loss_given_default * (1.0 - np.clip(cover, 0.0, 1.0))
    penalty = officer_penalty * officer_pd * loss_given_default * (1.0 - np.asarray(exempt, dtype=float))
    required = funding_cost + base_margin + expected_loss + penalty
    approve = required <= rate_cap
    floor = funding_cost + base_margin
    rate = np.minimum(np.maximum(required, floor), rate_cap)
    exempt_arr = np.broadcast_to(np.asarray(exempt, dtype=bool), np.shape(pd)).copy()
    return Decision(approve=approve, rate=rate, pd=pd, officer_pd=officer_pd,
                    expected_loss=expected_loss, exempt=exempt_arr)
