"""The officer's screening: repayment capacity, sizing to capacity, cover and opacity."""

from __future__ import annotations

import numpy as np

from ecosim.credit.officer import capacity_amount, debt_service, decide, runway_after, scorecard_pd

KW = dict(funding_cost=0.013, base_margin=0.008, rate_cap=0.065, officer_penalty=1.6, opacity_aversion=1.0)


def test_default_risk_falls_with_runway_coverage_and_rating() -> None:
    """The scorecard's default risk falls as runway, revenue coverage and the rating view rise.

    Age enters with its fitted weight (firms a few years old fail somewhat more than the youngest).
    """
    base = dict(view_mean=np.zeros(1), coverage=np.zeros(1), age_months=np.full(1, 24), runway=np.full(1, 12.0))
    pd0 = scorecard_pd(**base)[0]
    assert scorecard_pd(**{**base, "runway": np.full(1, 36.0)})[0] < pd0
    assert scorecard_pd(**{**base, "coverage": np.full(1, 1.2)})[0] < pd0
    assert scorecard_pd(**{**base, "view_mean": np.full(1, 1.0)})[0] < pd0


def test_precise_views_sharpen_the_default_estimate() -> None:
    """The bank integrates over what it cannot see: a precise view spreads the estimates apart.

    With a vague view every firm's estimate is pulled towards the middle (a safe-looking firm
    looks riskier, a risky-looking one safer); a precise rating lets the bank tell them apart,
    and the estimate tends to the scorecard at known quality.
    """
    view = np.array([-1.5, 1.5])
    hard = dict(coverage=np.zeros(2), age_months=np.full(2, 24), runway=np.full(2, 12.0))
    vague = scorecard_pd(view_mean=view, view_sd=np.full(2, 0.9), **hard)
    sharp = scorecard_pd(view_mean=view, view_sd=np.full(2, 0.2), **hard)
    known = scorecard_pd(view_mean=view, view_sd=np.zeros(2), **hard)
    assert sharp[0] > vague[0] and sharp[1] < vague[1]
    assert sharp[1] / sharp[0] < vague[1] / vague[0]
    assert np.all(np.abs(known - sharp) < np.abs(known - vague))


def test_debt_service_shortens_runway() -> None:
    """Adding a loan's instalments to a loss-making firm's costs shortens the runway the bank reads."""
    cash, burn, rev = np.array([2.0]), np.array([0.2]), np.array([0.1])
    without = runway_after(cash, burn, rev, np.zeros(1))
    with_loan = runway_after(cash, burn, rev, debt_service(np.array([1.0]), 24, 0.05))
    assert without[0] == 20.0 and with_loan[0] < without[0]
    # A firm whose revenue covers costs and debt service carries itself.
    assert runway_after(cash, burn, np.array([0.5]), np.array([0.1]))[0] == 60.0


def test_loans_are_sized_to_repayment_capacity() -> None:
    """The largest loan's debt service takes exactly the allowed share of revenue plus cash over the tenor."""
    rev, cash, existing = np.array([0.3, 0.0, 0.1]), np.array([1.0, 2.4, 0.0]), np.array([0.0, 0.0, 0.2])
    amt = capacity_amount(rev, cash, existing, 24, 0.065, 0.5)
    service = debt_service(amt, 24, 0.065)
    np.testing.assert_allclose(service[:2], 0.5 * (rev[:2] + cash[:2] / 24))
    assert amt[2] == 0.0  # existing debt service already over capacity


def test_screening_weakens_as_cover_rises() -> None:
    """With more cover from guarantees and the pool, the riskiest approved firm is riskier (known side effect)."""
    pd_ = np.linspace(0.001, 0.3, 600)
    worst = []
    for cover in (0.0, 0.5, 0.8):
        d = decide(pd=pd_, view_sd=np.full(600, 0.5), loss_given_default=0.75, cover=cover, exempt=True, **KW)
        worst.append(pd_[d.approve].max())
    assert worst[0] < worst[1] < worst[2]


def test_exemption_matters_most_for_opaque_firms() -> None:
    """The officer's penalty, inflated by opacity, refuses opaque firms the exemption then approves."""
    pd_ = np.full(2, 0.01)
    sd = np.array([0.2, 0.9])  # transparent vs opaque (young, unrated)
    exposed = decide(pd=pd_, view_sd=sd, loss_given_default=0.75, cover=0.0, exempt=False, **KW)
    shielded = decide(pd=pd_, view_sd=sd, loss_given_default=0.75, cover=0.0, exempt=True, **KW)
    assert exposed.approve.tolist() == [True, False]
    assert shielded.approve.all()


def test_security_does_not_override_the_credit_policy_ceiling() -> None:
    """A fully secured loan to a firm above the bank's default-risk ceiling is refused."""
    d = decide(pd=np.array([0.05, 0.3]), view_sd=np.zeros(2), loss_given_default=0.0, cover=0.0, exempt=True,
               max_pd=0.12, **KW)
    assert d.approve.tolist() == [True, False]


def test_long_loans_to_firms_whose_cash_runs_out_are_riskier() -> None:
    """Over a loan's life the runway runs down: the same firm is riskier on a 60-month loan than a 12-month one,
    while a firm that carries itself is not."""
    from ecosim.credit.officer import RUNWAY_CAP, loan_pd

    one = np.ones(1)
    short = loan_pd(0 * one, 0 * one, 24 * one, 30 * one, 12)[0]
    long = loan_pd(0 * one, 0 * one, 24 * one, 30 * one, 60)[0]
    assert long > short
    carried = [loan_pd(0 * one, 1.2 * one, 60 * one, RUNWAY_CAP * one, t)[0] for t in (12, 60)]
    assert carried[1] <= carried[0]
