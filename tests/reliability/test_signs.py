"""Every asset and liability keeps its sign every month: the ledger refuses one on the wrong side of zero.

Balanced books can still be wrong (a stake credited below zero balances as
well as a right one), so the ledger's monthly check holds assets ≥ 0 and
liabilities ≥ 0. These tests pin the check itself, the split of fund
distributions into return of capital and gain, and run random valid
configurations drawn from the schema: a small sample in the default suite,
200 under ``-m slow``.
"""

from __future__ import annotations

import random

import pytest

from ecosim.ledger import FIRM_CHART, FUND_CHART, Ledger, SignViolation
from ecosim.model import EcosystemModel
from ecosim.scenario import ScenarioError, load_scenario, parameter_table


def _funded_ledger() -> tuple[Ledger, dict, dict]:
    led = Ledger()
    firm = led.open("firm0", FIRM_CHART)
    market = led.external_owner("market")
    led.transfer("capital", market["cash"], market["net_flow"], firm["cash"], firm["paid_in"], 10.0)
    return led, firm, market


def test_an_asset_below_zero_is_refused_naming_owner_account_month_and_amount():
    led, firm, market = _funded_ledger()
    led.transfer("costs", firm["cash"], firm["retained"], market["cash"], market["net_flow"], 15.0)
    with pytest.raises(SignViolation, match=r"month 7: firm0 has asset 'cash' at -5\.000000 million yuan"):
        led.check(7)


def test_a_liability_with_a_debit_balance_is_refused():
    led, firm, _ = _funded_ledger()
    led.post("overpaid", firm["debt"], firm["cash"], 2.0)  # repaid 2 of a debt of 0
    with pytest.raises(SignViolation, match=r"firm0 has liability 'debt' at -2\.000000"):
        led.check(3)


def test_rounding_outside_parties_and_equity_may_take_either_sign():
    led, firm, market = _funded_ledger()
    led.post("rounding", firm["retained"], firm["cash"], 10.0 + 1e-9)  # cash -1e-9: rounding, not a violation
    led.post("loss", firm["retained"], firm["paid_in"], 0.0)
    led.check(1)
    assert led.get(market["cash"]) < 0  # the market paid out: an outside party's cash is a net flow
    fund = led.open("fund", FUND_CHART)
    led.post("writeoff", fund["retained"], fund["lp_public"], 3.0)  # equity below zero is allowed
    led.check(1)


def test_a_fund_exit_far_above_cost_returns_capital_and_books_the_rest_as_gain():
    """A sub-fund exit at 5x cost: the government's stake falls by its capital only, the gain is its income."""
    model = EcosystemModel(load_scenario("baseline", months=12, firms=300), rng=3)
    led, gov = model.ledger, model.government
    sub = next(inv for inv in model.investors if inv.kind == "guidance")
    mother = sub.mother
    gov.ensure_cash(100.0)  # the budget has the money: no top-up during the test
    before = {k: led.get(a) for k, a in gov.accounts.items()}
    mother_inv = led.get(mother.accounts["investments"])
    sub._call(10.0)
    led.post("invest", sub.accounts["investments"], sub.accounts["cash"], 10.0)
    buyers = led.external_owner("buyers")
    led.transfer("exit_proceeds", buyers["cash"], buyers["net_flow"], sub.accounts["cash"],
                 sub.accounts["investments"], 50.0)
    led.post("exit_gain", sub.accounts["investments"], sub.accounts["retained"], 40.0)
    public_paid = sub.public_distribution(50.0)
    sub.on_proceeds(50.0, 10.0)
    public_called = 10.0 * sub.gov_share
    assert public_paid > public_called  # the exit returns more than the government put in
    assert led.get(gov.accounts["fund_stakes"]) == pytest.approx(before["fund_stakes"])  # called, then returned
    assert led.get(mother.accounts["investments"]) == pytest.approx(mother_inv)
    assert led.get(gov.accounts["cash"]) - before["cash"] == pytest.approx(public_paid - public_called)
    gain = before["net_position"] - led.get(gov.accounts["net_position"])  # credit-positive
    assert gain == pytest.approx(public_paid - public_called)
    led.check(model.month)


def random_config(rng: random.Random, k: int = 14) -> dict:
    """Random values for ``k`` levers drawn uniformly from their declared ranges (run size excluded)."""
    rows = [r for r in parameter_table() if not r["path"].startswith("run.")]
    over = {}
    for row in rng.sample(rows, k):
        kind = str(row["type"])
        if kind.startswith("bool"):
            over[row["path"]] = rng.random() < 0.5
        elif row["min"] is not None and row["max"] is not None:
            value = rng.uniform(row["min"], row["max"])
            over[row["path"]] = int(round(value)) if kind.startswith("int") else value
    return over


def valid_configs(n: int, seed: int = 2026) -> list[dict]:
    """``n`` random configurations that pass validation (draws breaking a cross-field rule are redrawn)."""
    rng = random.Random(seed)
    out = []
    while len(out) < n:
        over = random_config(rng)
        try:
            load_scenario("baseline", over, months=1, firms=10)
        except ScenarioError:
            continue
        out.append(over)
    return out


def _run_keeps_signs(over: dict, seed: int, months: int, firms: int) -> None:
    model = EcosystemModel(load_scenario("baseline", over, months=months, firms=firms), rng=seed)
    for _ in range(months):
        model.step()  # the ledger's monthly check raises SignViolation on a wrong sign
    model.ledger.check_signs(model.month)


SAMPLE = valid_configs(6)


@pytest.mark.parametrize("index", range(len(SAMPLE)))
def test_random_valid_configurations_keep_every_sign_every_month(index):
    _run_keeps_signs(SAMPLE[index], seed=index + 1, months=30, firms=150)


@pytest.mark.slow
def test_two_hundred_random_valid_configurations_keep_every_sign_every_month():
    configs = valid_configs(200, seed=7)
    violations = []
    for i, over in enumerate(configs):
        try:
            _run_keeps_signs(over, seed=i + 1, months=36, firms=150)
        except SignViolation as exc:
            violations.append(f"config {i} {over}: {exc}")
    assert not violations, "\n".join(violations[:20])
