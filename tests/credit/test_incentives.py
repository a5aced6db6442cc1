"""Bank incentives and the due-diligence exemption: tolerance, re-lending, FTP rebate, delegated approval."""

from __future__ import annotations

import numpy as np
import pytest

from ecosim.credit import loans as L
from ecosim.credit.lending import funding_cost
from ecosim.model import EcosystemModel
from ecosim.runner import simulate
from ecosim.scenario import load_scenario


def _model(overrides=None) -> EcosystemModel:
    model = EcosystemModel(load_scenario("baseline", overrides or {}, months=12, firms=200), rng=1)
    model.step()
    return model


def test_relending_lowers_the_funding_cost_of_qualifying_loans() -> None:
    """PBoC re-lending at 1.75% funding 60% of principal lowers a tech loan's funding cost below deposits alone."""
    on = _model({"incentives.ftp_rebate": 0.0})
    off = _model({"incentives.ftp_rebate": 0.0, "incentives.relending": False})
    cost_on, share_on = funding_cost(on)
    cost_off, share_off = funding_cost(off)
    assert share_on == pytest.approx(0.6) and share_off == 0.0
    assert cost_off == pytest.approx(on.params.banks.funding_rate)
    assert cost_on == pytest.approx(0.4 * on.params.banks.funding_rate + 0.6 * 0.0175)
    assert cost_on < cost_off


def test_relending_funds_loans_in_the_ledger() -> None:
    """Banks owe the central bank re-lending on their tech loans; without re-lending they owe none."""
    on = simulate(load_scenario("baseline", months=12, firms=300), 2).metrics
    off = simulate(load_scenario("baseline", {"incentives.relending": False}, months=12, firms=300), 2).metrics
    assert on["relending_balance"].iloc[-1] > 0
    assert (off["relending_balance"] == 0).all()


def test_ftp_rebate_lowers_funding_cost() -> None:
    """The funds-transfer-pricing rebate lowers the branch's funding cost one for one."""
    a, _ = funding_cost(_model({"incentives.ftp_rebate": 0.0}))
    b, _ = funding_cost(_model({"incentives.ftp_rebate": 0.005}))
    assert a - b == pytest.approx(0.005)


def _set_npl(model, bank, share: float) -> None:
    """Make ``share`` of the bank's book non-performing: one of its loans in workout with that principal."""
    loans = model.loans
    n = len(loans)
    mine = np.flatnonzero(loans.bank[:n] == bank.index)
    loans.outstanding[mine[loans.status[mine] == L.WORKOUT]] = 0.0
    loans.overdue_months[mine] = 0
    one = mine[loans.status[mine] == L.ACTIVE][0]
    loans.set_status(np.array([one]), L.WORKOUT)
    others = float(loans.outstanding[mine[loans.status[mine] == L.ACTIVE]].sum())
    loans.outstanding[one] = share * others / (1.0 - share)  # share of the principal on the books


def test_branch_over_its_tolerance_loses_the_exemption() -> None:
    """A branch whose NPL ratio exceeds its tolerance (+3 pp for tech loans) loses the exemption; below it keeps it."""
    model = _model()
    bank = max(model.banks, key=lambda b: b.loan_balance)
    book = bank.loan_balance
    assert book > 0
    assert bank.npl_tolerance() == pytest.approx(0.02 + 0.03)
    _set_npl(model, bank, 0.04)  # NPL 4%: within 5%
    assert bank.npl_ratio == pytest.approx(0.04)
    assert bank.exemption_active()
    _set_npl(model, bank, 0.06)  # NPL 6%: over 5%
    assert bank.npl_ratio == pytest.approx(0.06)
    assert not bank.exemption_active()


def test_without_differentiated_tolerance_the_exemption_is_lost_sooner() -> None:
    """Differentiated tolerance is what keeps a 4% NPL branch exempt; without it the same branch loses it."""
    model = _model({"incentives.differentiated_tolerance": False})
    bank = max(model.banks, key=lambda b: b.loan_balance)
    _set_npl(model, bank, 0.04)
    assert bank.npl_tolerance() == pytest.approx(0.02)
    assert not bank.exemption_active()


def test_branch_without_exemption_books_no_exempt_loans() -> None:
    """Loans from a branch over its tolerance are not flagged exempt; with the switch off none are."""
    res = simulate(load_scenario("baseline", {"exemption.enabled": False}, months=12, firms=300), 3, keep_model=True)
    loans = res.model.loans
    assert len(loans) > 0
    assert not loans.exempt[: len(loans)].any()


def test_exemption_raises_approvals_of_young_firms_over_shared_seeds() -> None:
    """Over shared seeds, the exemption raises approvals of firms under 3 years old (paired comparison)."""
    on, off = [], []
    for seed in range(4):
        for flag, out in ((True, on), (False, off)):
            sc = load_scenario("baseline", {"exemption.enabled": flag}, months=24, firms=400)
            m = simulate(sc, seed).metrics
            out.append(m["approvals_age_0_1"].sum() + m["approvals_age_1_3"].sum())
    diff = np.array(on) - np.array(off)
    assert (diff > 0).all(), (on, off)


def test_delegated_approval_shortens_time_to_loan() -> None:
    """Without delegated approval every loan waits for head office: time-to-loan rises."""
    fast = simulate(load_scenario("baseline", months=24, firms=300), 5).summary["mean_time_to_loan"]
    slow = simulate(load_scenario("baseline", {"incentives.delegated_approval": False}, months=24, firms=300),
                    5).summary["mean_time_to_loan"]
    assert slow >= fast + 1.0
