"""Every yuan is booked: the ledger balances after every month, whatever the scenario and seed."""

from __future__ import annotations

import numpy as np
import pytest

from ecosim.ledger import FIRM_CHART, BooksUnbalanced, Ledger
from ecosim.model import EcosystemModel
from ecosim.scenario import load_scenario


@pytest.mark.parametrize("name", ["baseline", "no_policy"])
@pytest.mark.parametrize("seed", range(6))
def test_books_balance_every_month(name: str, seed: int) -> None:
    """Every owner's debits equal credits after each of 36 months, for six seeds and both scenarios."""
    model = EcosystemModel(load_scenario(name, months=36, firms=250), rng=seed)
    for _ in range(36):
        model.step()  # step() itself calls ledger.check and raises BooksUnbalanced
        led = model.ledger
        n = led.n_accounts
        per_owner = np.bincount(led.owner[:n], weights=led.balance[:n], minlength=len(led.owner_names))
        scale = np.bincount(led.owner[:n], weights=np.abs(led.balance[:n]), minlength=len(led.owner_names))
        assert (np.abs(per_owner) <= 1e-6 * np.maximum(1.0, scale)).all()
    assert model.month == 36
    # Money really moved: loans were paid out and costs were booked.
    assert model.loans.principal[: len(model.loans)].sum() > 0 or name == "no_policy"


def test_check_detects_an_unbalanced_entry() -> None:
    """The check is not vacuous: a one-sided change to an account is caught."""
    model = EcosystemModel(load_scenario("baseline", months=2, firms=100), rng=1)
    model.step()
    cash = model.firms.acct_cash[0]
    model.ledger.balance[cash] += 1.0
    with pytest.raises(BooksUnbalanced, match=r"month 1: firm0 is out of balance by 1\.0+ .*firm0:cash="):
        model.ledger.check(model.month)


def test_a_one_sided_row_names_both_accounts() -> None:
    """A row between two owners is refused, and the message names each account as owner:account."""
    model = EcosystemModel(load_scenario("baseline", months=2, firms=100), rng=1)
    f = model.firms
    bank_cash = model.bank_accounts["cash"][0]
    with pytest.raises(BooksUnbalanced, match=r"debits firm7:debt but credits bank0:cash"):
        model.ledger.post("test", f.acct_debt[7], bank_cash, 1.0)
    with pytest.raises(BooksUnbalanced, match=r"debits firm3:retained but credits external:founders:cash"):
        model.ledger.post("test", f.acct_retained[[2, 3]],
                          [f.acct_cash[2], model.ledger.external_owner("founders")["cash"]], [0.0, 1.0])


def test_defaults_split_the_whole_loss() -> None:
    """Each default's loss is borne by bank, guarantor tiers and pool: without a guarantee the parts add
    up to the loss; with one, to the loss less what the guarantors recover afterwards."""
    model = EcosystemModel(load_scenario("baseline", months=36, firms=400), rng=3)
    for _ in range(36):
        model.step()
    ev = model.events.frame()
    d = ev[ev["kind"] == "default"]
    assert len(d) > 0
    tiers = d[["loss_guarantor_municipal", "loss_guarantor_provincial", "loss_guarantor_national"]].sum(axis=1)
    parts = d["loss_bank"] + tiers + d["loss_pool"]
    plain = tiers == 0
    assert plain.any()
    np.testing.assert_allclose(parts[plain].to_numpy(), d["amount"][plain].to_numpy(), rtol=1e-9, atol=1e-9)
    assert (parts <= d["amount"] + 1e-9).all()
    assert (d[["loss_bank", "loss_pool"]] >= -1e-12).all().all()


def test_ledger_transfer_is_double_entry() -> None:
    """A payment moves money between two owners and leaves both owners' books balanced."""
    led = Ledger(capacity=16)
    a = led.external_owner("a")
    b = led.external_owner("b")
    led.transfer("test", a["cash"], a["net_flow"], b["cash"], b["net_flow"], 5.0)
    assert led.balance[b["cash"]] == pytest.approx(5.0)
    assert led.balance[a["cash"]] == pytest.approx(-5.0)
    led.check(0)


def test_a_single_account_side_books_every_row_in_order() -> None:
    """An outside party's single cash account against many payers gets each row, in order, as row-by-row
    postings would; a row with a non-finite amount or accounts of the wrong length is refused."""
    rng = np.random.default_rng(0)
    amounts = rng.random(50) * 1e3
    payers = rng.integers(0, 7, size=50)
    books = []
    for block in (True, False):
        led = Ledger(capacity=16)
        firms = [led.open(f"firm{i}", FIRM_CHART) for i in range(7)]
        market = led.external_owner("market")
        for f in firms:  # founders' capital, so paying the costs leaves no firm with negative cash
            led.transfer("capital", market["cash"], market["net_flow"], f["cash"], f["paid_in"], 1e5)
        cash = np.array([f["cash"] for f in firms])[payers]
        retained = np.array([f["retained"] for f in firms])[payers]
        if block:
            led.transfer("costs", cash, retained, market["cash"], market["net_flow"], amounts)
        else:
            for c, r, a in zip(cash.tolist(), retained.tolist(), amounts.tolist(), strict=True):
                led.transfer("costs", c, r, market["cash"], market["net_flow"], a)
        led.check(0)
        books.append(led.balance[: led.n_accounts].copy())
        assert led.flows["costs"] == pytest.approx(amounts.sum())
    np.testing.assert_array_equal(books[0], books[1])
    bad = amounts.copy()
    bad[4] = np.nan
    with pytest.raises(BooksUnbalanced, match=r"non-finite amount nan between firm\d:retained and firm\d:cash"):
        led.post("costs", retained, cash, bad)
    with pytest.raises(ValueError, match="3 accounts for 50 amounts"):
        led.post("costs", retained[:3], cash, amounts)
