"""The guarantee chain: who bears a guaranteed default's loss, the national fund's cap, the leverage limit."""

from __future__ import annotations

import numpy as np
import pytest

from ecosim.credit import loans as L
from ecosim.credit.lending import lend
from ecosim.risk.defaults import write_off

from .helpers import book_loans, small_model


def _default(model, idx):
    write_off(model, idx)
    ev = model.events.frame()
    return ev[ev["kind"] == "default"].tail(len(idx))


@pytest.mark.parametrize("split", [(0.2, 0.2, 0.4, 0.2), (0.0, 0.0, 0.8, 0.2), (0.3, 0.1, 0.3, 0.3)])
def test_bank_keeps_exactly_its_share_of_every_guaranteed_loss(split) -> None:
    """Under national:provincial:municipal:bank the bank's loss on each guaranteed default is share_bank × loss."""
    nat, prov, mun, bank = split
    model = small_model({"guarantee.share_national": nat, "guarantee.share_provincial": prov,
                         "guarantee.share_municipal": mun, "guarantee.share_bank": bank})
    idx = book_loans(model, 12, principal=1.5, guaranteed=True, collateral=1.0, security=0.4)
    model.loans.outstanding[idx] = np.linspace(0.5, 1.5, 12)
    d = _default(model, idx)
    loss = d["amount"].to_numpy()
    assert (loss > 0).all()
    np.testing.assert_allclose(d["loss_bank"].to_numpy(), bank * loss, rtol=1e-9)
    assert (d["loss_pool"] == 0).all()  # guaranteed loans are outside the pool
    model.ledger.check(model.month)


def test_upper_tiers_reimburse_the_municipal_guarantor_within_their_shares() -> None:
    """2:2:4:2: the municipal guarantor pays 80% and is reimbursed 20% + 20%, less later recoveries."""
    model = small_model({"guarantee.recovery_rate": 0.0, "guarantee.national_cap": 1.0})  # far from the cap
    chain = model.guarantee_chain
    idx = book_loans(model, 5, principal=2.0, guaranteed=True)
    chain.open_month()  # the year's balance is the cover now on the books
    d = _default(model, idx)
    loss = d["amount"].to_numpy()
    np.testing.assert_allclose(d["loss_guarantor_national"], 0.2 * loss)
    np.testing.assert_allclose(d["loss_guarantor_provincial"], 0.2 * loss)
    np.testing.assert_allclose(d["loss_guarantor_municipal"], 0.4 * loss)


def test_national_fund_stops_paying_at_its_cap() -> None:
    """The national fund pays only while its payouts stay under cap × guaranteed balance; the rest stays municipal."""
    model = small_model({"guarantee.recovery_rate": 0.0, "guarantee.national_cap": 0.05})
    chain = model.guarantee_chain
    idx = book_loans(model, 20, principal=2.0, guaranteed=True)
    chain.open_month()  # month 1 again: the year's balance is the cover now on the books
    cap = 0.05 * chain.national.outstanding
    assert cap > 0 and chain.national.year_balance == pytest.approx(chain.national.outstanding)
    d = _default(model, idx)
    loss = d["amount"].to_numpy()
    nat = d["loss_guarantor_national"].to_numpy()
    assert chain.national.payouts == pytest.approx(cap)
    assert nat.sum() == pytest.approx(cap)
    assert nat[-1] == 0.0 and nat[0] > 0.0  # paid first come, then stopped
    assert chain.national.refused == pytest.approx(0.2 * loss.sum() - cap)
    np.testing.assert_allclose(d["loss_guarantor_municipal"] + nat + d["loss_guarantor_provincial"], 0.8 * loss)
    np.testing.assert_allclose(d["loss_bank"], 0.2 * loss)
    model.ledger.check(model.month)


def test_national_fund_cap_is_an_allowance_per_year() -> None:
    """Spent in one year, the national fund's allowance stays spent for the rest of that year and opens again,
    on the year's new balance, at the next year's first month."""
    model = small_model({"guarantee.recovery_rate": 0.0, "guarantee.national_cap": 0.05})
    chain = model.guarantee_chain
    nat = chain.national
    idx = book_loans(model, 40, principal=2.0, guaranteed=True)
    chain.open_month()
    first = _default(model, idx[:20])["loss_guarantor_national"].to_numpy()
    assert nat.year_payouts == pytest.approx(0.05 * nat.year_balance) and first[-1] == 0.0
    for month in range(2, 13):  # the rest of year 1: the balance enters the year's mean, nothing more is paid
        model.month = month
        chain.refresh()
        chain.open_month()
        assert nat.compensation_room() == pytest.approx(max(0.0, 0.05 * nat.year_balance - nat.year_payouts))
    model.month = 13
    chain.refresh()
    chain.open_month()
    assert nat.year_payouts == 0.0
    assert nat.year_balance == pytest.approx(nat.outstanding) and nat.outstanding > 0
    paid_before = nat.payouts
    second = _default(model, idx[20:25])["loss_guarantor_national"].to_numpy()
    assert second[0] > 0.0  # the new year's allowance pays again
    assert nat.payouts - paid_before == pytest.approx(min(0.2 * _sum_loss(model, 5), 0.05 * nat.year_balance))
    model.ledger.check(model.month)


def _sum_loss(model, n: int) -> float:
    """Sum of the last ``n`` defaults' losses."""
    ev = model.events.frame()
    return float(ev[ev["kind"] == "default"].tail(n)["amount"].sum())


def test_guarantor_at_its_leverage_limit_issues_nothing() -> None:
    """With outstanding cover at leverage_limit × net assets, no guaranteed loan is made; with room, some are."""
    made = {}
    for full in (False, True):
        model = small_model({"guarantee.max_pd": 0.25, "guarantee.municipal_capital": 1500.0}, seed=5, firms=400)
        for _ in range(6):
            model.step()
        chain = model.guarantee_chain
        m = chain.municipal
        if full:  # its net assets drained to exactly what its cover needs under the limit
            led = model.ledger
            market = led.external_owner("market")
            chain.refresh()
            drain = m.net_assets - m.outstanding / model.params.guarantee.leverage_limit + 1e-9
            led.transfer("test_drain", m.accounts["cash"], m.accounts["retained"], market["cash"],
                         market["net_flow"], drain)
        before = int((model.loans.product[: len(model.loans)] == L.GUARANTEED).sum())
        for _ in range(6):  # lend repeatedly without the month's other phases
            lend(model)
        made[full] = int((model.loans.product[: len(model.loans)] == L.GUARANTEED).sum()) - before
        if full:
            assert m.room() < 1e-9 and not model.guarantee_chain.open_for_business()
    assert made[True] == 0
    assert made[False] > 0


def test_guarantee_fee_within_caps() -> None:
    """The direct fee is the average rate within the cap: ≤1% up to 5 m, ≤1.5% above."""
    model = small_model({"guarantee.fee_rate": 0.013})
    rates = model.guarantee_chain.fee_rate(np.array([1.0, 5.0, 6.0]))
    np.testing.assert_allclose(rates, [0.01, 0.01, 0.013])


def test_exhausted_guarantor_is_recapitalised_as_public_spending() -> None:
    """With the switch on, an exhausted municipal guarantor is topped up, counted as public spending."""
    model = small_model()
    m = model.guarantee_chain.municipal
    gov = model.government
    led = model.ledger
    market = led.external_owner("market")
    drain = 0.95 * m.cash
    led.transfer("test_drain", m.accounts["cash"], m.accounts["retained"], market["cash"], market["net_flow"], drain)
    before = gov.spent_total["recapitalisation"]
    need = m.initial_capital - m.net_assets
    assert m.net_assets < 0.1 * m.initial_capital
    model.guarantee_chain.monthly_check()
    assert gov.spent_total["recapitalisation"] - before == pytest.approx(need)
    assert m.net_assets == pytest.approx(m.initial_capital)
    led.check(model.month)


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_guarantor_cover_never_negative_over_random_configurations(seed) -> None:
    """Cover is recomputed from the loan book and the approval queue: leverage never goes below zero.

    Random splits, capital, leverage limits, approval lags and downturns; every month the metric and
    every tier's outstanding cover stay non-negative, and the cover never exceeds the tier's share of
    the guaranteed principal outstanding or awaiting payout at the last refresh plus what was repaid since.
    """
    rng = np.random.default_rng(seed)
    share_bank = rng.uniform(0.1, 0.4)
    rest = rng.dirichlet([1.0, 1.0, 1.0]) * (1 - share_bank)
    overrides = {
        "guarantee.share_national": float(rest[0]), "guarantee.share_provincial": float(rest[1]),
        "guarantee.share_bank": share_bank,
        "guarantee.municipal_capital": float(rng.uniform(5.0, 200.0)),
        "guarantee.leverage_limit": float(rng.uniform(3.0, 15.0)),
        "guarantee.max_pd": float(rng.uniform(0.03, 0.25)),
        "banks.approval_lag": int(rng.integers(1, 5)),
        "incentives.delegated_approval": bool(rng.integers(0, 2)),
        "downturn.enabled": True, "downturn.start_month": int(rng.integers(3, 12)),
        "downturn.failure_multiplier": float(rng.uniform(1.0, 5.0)),
    }
    overrides["guarantee.share_municipal"] = 1.0 - share_bank - float(rest[0]) - float(rest[1])
    model = small_model(overrides, seed=seed, firms=300)
    chain = model.guarantee_chain
    for _ in range(30):
        model.step()
        lev = model.current["guarantor_leverage"]
        assert np.isnan(lev) or lev >= 0.0
        for tier in chain.tiers:
            assert tier.outstanding >= 0.0
        assert chain.municipal.outstanding >= chain.committed() * chain.covered_share - 1e-9  # repayments lag
