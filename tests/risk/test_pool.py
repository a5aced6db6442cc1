"""The risk-compensation pool: share and balance limits, and total cover never above the loss."""

from __future__ import annotations

import numpy as np
import pytest

from ecosim.risk.defaults import write_off
from ecosim.runner import simulate
from ecosim.scenario import load_scenario

from .helpers import book_loans, small_model


def test_pool_pays_at_most_half_the_principal_lost_and_at_most_its_balance() -> None:
    """Each payout ≤ 50% of the loss (≤ principal), the total ≤ the balance, and payouts stop when it is empty."""
    model = small_model()
    pool = model.pool
    led = model.ledger
    market = led.external_owner("market")
    keep = 3.0
    led.transfer("test_drain", pool.accounts["cash"], pool.accounts["retained"], market["cash"], market["net_flow"],
                 pool.balance - keep)
    idx = book_loans(model, 10, principal=2.0)
    before = pool.balance
    write_off(model, idx)
    ev = model.events.frame()
    d = ev[ev["kind"] == "default"].tail(10)
    paid = d["loss_pool"].to_numpy()
    loss = d["amount"].to_numpy()
    assert (paid <= 0.5 * loss + 1e-12).all()
    assert (paid <= model.loans.principal[idx] * 0.5 + 1e-12).all()
    assert paid.sum() == pytest.approx(before)  # it ran dry
    assert pool.balance == pytest.approx(0.0, abs=1e-9)
    assert paid[0] == pytest.approx(0.5 * loss[0]) and paid[-1] == 0.0
    # Once empty it pays nothing and banks no longer count on it.
    assert pool.expected_cover() == 0.0
    idx2 = book_loans(model, 3, principal=1.0)
    write_off(model, idx2)
    ev = model.events.frame()
    assert (ev[ev["kind"] == "default"].tail(3)["loss_pool"] == 0).all()
    model.ledger.check(model.month)


def test_pool_tops_up_only_what_other_cover_leaves() -> None:
    """With other cover, the pool pays at most the loss still uncovered, and never above its per-loan cap."""
    model = small_model({"pool.share": 1.0, "pool.per_loan_cap": 0.7})
    loss = np.array([1.0, 1.0, 1.0, 2.0])
    other = np.array([0.0, 0.6, 1.0, 0.0])
    paid = model.pool.reimburse(loss, other, np.zeros(4, dtype=int))
    np.testing.assert_allclose(paid, [0.7, 0.4, 0.0, 0.7])


@pytest.mark.parametrize("share", [0.5, 1.0])
def test_total_cover_never_exceeds_the_loss_over_a_run(share) -> None:
    """Over a run, every default's parts (bank, three tiers, pool) add up to the loss and none is negative."""
    sc = load_scenario("baseline", {"pool.share": share, "pool.max_loan": 1000.0}, months=36, firms=400)
    res = simulate(sc, 4, keep_model=True)
    ev = res.model.events.frame()
    d = ev[ev["kind"] == "default"]
    assert len(d) > 0
    parts = d[["loss_bank", "loss_guarantor_municipal", "loss_guarantor_provincial", "loss_guarantor_national",
               "loss_pool"]]
    cover = parts.drop(columns="loss_bank").sum(axis=1)
    assert (cover <= d["amount"] + 1e-9).all()
    assert (d["loss_bank"] >= -1e-9).all() and (d["loss_pool"] >= 0).all()
