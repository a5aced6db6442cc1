"""Risk-based pricing off the loan prime rate, screening effort, arrears, the NPL stock and write-off, loan events."""

from __future__ import annotations

import numpy as np
import pytest

from ecosim.credit import loans as L
from ecosim.credit.bank import npl_ratios
from ecosim.credit.lending import loan_prime_rate, screened_view, screening_effort
from ecosim.credit.officer import decide
from ecosim.credit.servicing import mark_arrears
from ecosim.model import EcosystemModel
from ecosim.risk.defaults import resolve_defaults, write_off_due
from ecosim.runner import simulate
from ecosim.scenario import load_scenario

KW = dict(view_sd=np.zeros(3), loss_given_default=0.75, cover=0.0, funding_cost=0.0135, base_margin=0.008,
          rate_cap=0.2, officer_penalty=0.0, opacity_aversion=0.0, exempt=True)


def test_rate_is_lpr_plus_spread_for_expected_and_unexpected_loss_less_the_subsidy() -> None:
    """rate = LPR + (1 + risk premium) × expected loss - passed-on funding saving, never below break-even.

    The capital charge is part of the break-even only: the prime rate already pays for the capital of a
    riskless loan.
    """
    pd_ = np.array([0.0, 0.02, 0.05])
    d = decide(pd=pd_, **KW, reference_rate=0.03, capital_charge=0.006, funding_saving=0.0065, pass_through=1.0,
               risk_premium=1.0)
    expected = 0.03 + 2.0 * pd_ * 0.75 - 0.0065
    np.testing.assert_allclose(d.rate, np.maximum(expected, 0.0135 + 0.008 + 0.006 + pd_ * 0.75))
    assert (np.diff(d.rate) > 0).all()  # riskier borrowers pay more


def test_funding_subsidies_lower_the_rate_only_as_far_as_they_are_passed_on() -> None:
    """With the saving passed on the rate falls one for one; with none passed on it does not."""
    pd_ = np.full(3, 0.02)
    full = decide(pd=pd_, **KW, reference_rate=0.03, funding_saving=0.005, pass_through=1.0)
    none = decide(pd=pd_, **KW, reference_rate=0.03, funding_saving=0.005, pass_through=0.0)
    np.testing.assert_allclose(none.rate - full.rate, 0.005)


def test_five_year_lpr_for_loans_of_five_years_or_more() -> None:
    """Loans of 60 months or more are priced off the 5-year LPR, shorter ones off the 1-year LPR."""
    p = load_scenario("baseline")
    np.testing.assert_allclose(loan_prime_rate(p, np.array([12, 24, 59, 60, 120])),
                               [0.03, 0.03, 0.03, 0.035, 0.035])


def test_screening_effort_falls_with_cover_and_with_the_exemption() -> None:
    """Effort = 1 - cut × cover - exemption cut, within 0..1: covered and shielded officers screen less."""
    b = load_scenario("baseline").banks
    e = screening_effort(b, np.array([0.0, 0.5, 0.8, 0.0, 0.5]), np.array([False, False, False, True, True]))
    np.testing.assert_allclose(e, np.clip([1.0, 1 - 0.5 * b.screening_cover_cut, 1 - 0.8 * b.screening_cover_cut,
                                           1 - b.screening_exempt_cut,
                                           1 - 0.5 * b.screening_cover_cut - b.screening_exempt_cut], 0, 1))
    assert e[0] > e[1] > e[2] and e[0] > e[3]


def test_screening_moves_the_view_towards_quality_in_proportion_to_its_precision() -> None:
    """No effort leaves the view unchanged; the more precise the screening, the closer the view to latent quality."""
    mean, sd, bonus = np.zeros(3), np.ones(3), np.zeros(3)
    quality, noise = np.full(3, 1.5), np.full(3, 0.2)
    m, s = screened_view(mean, sd, bonus, quality, noise, np.array([0.0, 1.0, 100.0]))
    assert m[0] == 0.0 and s[0] == 1.0
    assert 0 < m[1] < m[2] and abs(m[2] - 1.5) < 0.05
    assert s[2] < s[1] < s[0]


def _model(overrides=None) -> EcosystemModel:
    model = EcosystemModel(load_scenario("baseline", overrides or {}, months=24, firms=300), rng=4)
    for _ in range(10):
        model.step()
    assert len(model.loans.active()) > 0
    return model


def test_missed_instalments_make_a_loan_overdue_and_after_90_days_the_borrower_distressed() -> None:
    """A loan in arrears counts months missed; at overdue_default_months the borrower is pursued; paying cures it."""
    model = _model()
    loans = model.loans
    act = loans.active()[:1]
    firm = loans.firm[act[0]]
    limit = model.params.banks.overdue_default_months
    for k in range(1, limit):
        mark_arrears(model, act, np.array([False]))
        assert loans.overdue_months[act[0]] == k and not model.distressed[firm]
    mark_arrears(model, act, np.array([True]))
    assert loans.overdue_months[act[0]] == 0 and loans.first_missed[act[0]] == -1
    for _ in range(limit):
        mark_arrears(model, act, np.array([False]))
    assert model.distressed[firm]


def test_defaulted_loan_is_non_performing_until_its_workout_ends_then_written_off() -> None:
    """Default moves a loan into workout (in the NPL stock, still on the books); workout_months later it is written off."""
    model = _model({"banks.workout_months": 3})
    loans = model.loans
    idx = loans.active()[:1]
    bank = loans.bank[idx[0]]
    before = npl_ratios(model)[bank]
    book = model.ledger.balance[model.bank_accounts["loans"][bank]]
    resolve_defaults(model, idx)
    assert loans.status[idx[0]] == L.WORKOUT
    assert npl_ratios(model)[bank] == pytest.approx(before + loans.outstanding[idx[0]] / book)
    start = model.month
    for month in range(start + 1, start + 3):
        model.month = month
        write_off_due(model)
        assert loans.status[idx[0]] == L.WORKOUT
    model.month = start + 3
    write_off_due(model)
    assert loans.status[idx[0]] == L.DEFAULTED and loans.writeoff_month[idx[0]] == start + 3
    assert loans.outstanding[idx[0]] == 0.0
    model.ledger.check(model.month)


def test_npl_ratio_is_the_stock_and_loans_are_written_off_a_year_or_so_after_the_first_missed_payment() -> None:
    """A run reports the NPL stock, months from first missed payment to write-off, and the flow measure apart."""
    res = simulate(load_scenario("baseline", months=48, firms=400), 2)
    m = res.metrics
    assert (m["npl_ratio"] >= 0).all() and (m["npl_ratio"] < 1).all()
    assert m["npl_ratio"].iloc[24:].mean() > 0
    assert "default_flow_ratio" in m
    wo = m["months_to_writeoff"].dropna()
    assert len(wo) and (wo >= load_scenario("baseline").banks.workout_months).all()


def test_every_loan_event_carries_its_rate_and_tenor() -> None:
    """Loan events in the event log carry the loan's rate and tenor, as in the loan book."""
    res = simulate(load_scenario("baseline", months=12, firms=300), 5, keep_model=True)
    ev = res.model.events.frame()
    loans_ev = ev[ev["kind"] == "loan"]
    book = res.model.loans
    n = len(book)
    assert len(loans_ev) == n
    np.testing.assert_allclose(loans_ev["rate"].to_numpy(), book.rate[:n])
    np.testing.assert_array_equal(loans_ev["tenor"].to_numpy(), book.tenor[:n])
    assert ev.loc[ev["kind"] != "loan", "rate"].isna().all()
