"""Grants-to-investment, fund returns (TVPI, DPI, IRR), equity metrics and funds.csv."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from ecosim.equity.grants import GrantEquity, convert_grants
from ecosim.equity.holdings import sell_stake
from ecosim.equity.returns import funds_frame, irr
from ecosim.model import EcosystemModel
from ecosim.runner import run_to_dir, simulate
from ecosim.scenario import load_scenario


def run(overrides, months=36, firms=400, seed=1) -> EcosystemModel:
    model = EcosystemModel(load_scenario("baseline", overrides, months=months, firms=firms), rng=seed)
    for _ in range(months):
        model.step()
    return model


def test_grants_to_investment_turns_grants_into_government_stakes() -> None:
    """With every grant converted, the same firms (common random numbers) get a government stake instead of
    a grant: no grant events, one stake per would-be grant, all public money."""
    plain = run(["grant_equity.enabled=false"], months=24)
    stakes = run(["grant_equity.share=1.0"], months=24)
    n_grants = plain.events.count("grant")
    assert n_grants > 0 and stakes.events.count("grant") == 0
    vehicle = stakes.grant_equity
    assert isinstance(vehicle, GrantEquity) and vehicle.deals == n_grants
    assert plain.grant_equity is None
    m = stakes.metrics_frame()
    assert m["grant_equity_stakes"].sum() == n_grants
    assert m["equity_grant"].sum() == pytest.approx(n_grants * stakes.params.government.grant_size)
    assert stakes.government.spent_total["grants_to_investment"] == pytest.approx(vehicle.new_money)
    assert vehicle.new_money + vehicle.reinvested == pytest.approx(vehicle.invested)
    h = stakes.holdings
    mine = h.investor[: len(h)] == vehicle.index
    assert mine.sum() == n_grants


def test_grant_equity_proceeds_are_recycled_into_new_stakes() -> None:
    """Exit proceeds of the government's stakes count as recycled public money and pay for later stakes
    before any new budget money is drawn; the books still balance."""
    model = run(["grant_equity.share=1.0"], months=6, seed=2)
    v = model.grant_equity
    h = model.holdings
    i = int(h.of_investor(v.index)[0])
    spent = v.new_money
    sell_stake(model, i, 5.0, model.ledger.external_owner("exit_buyers"), "acquisition")
    assert v.recycled == pytest.approx(5.0) and model.tally["grant_equity_recycled"] == pytest.approx(5.0)
    assert model.government.recycled_month >= 5.0
    rows = np.flatnonzero(model.firms.status == 0)[:3]
    convert_grants(model, rows, 0.3)
    assert v.reinvested == pytest.approx(0.9)
    assert v.new_money == pytest.approx(spent)
    model.ledger.check(model.month)
    model.params.grant_equity.reinvest = False
    cash_before = model.government.cash
    j = int(h.of_investor(v.index)[0])
    sell_stake(model, j, 2.0, model.ledger.external_owner("exit_buyers"), "acquisition")
    assert model.government.cash == pytest.approx(cash_before + 2.0)
    model.ledger.check(model.month)


def test_irr_of_known_cash_flows() -> None:
    """-100 now and +121 two years later is 10% a year; flows that never turn positive have no IRR."""
    assert irr({0: -100.0, 24: 121.0}, 24) == pytest.approx(0.10, abs=1e-6)
    assert irr({0: -100.0}, 12, terminal=100.0) == pytest.approx(0.0, abs=1e-9)
    assert np.isnan(irr({0: -100.0, 5: -10.0}, 12))


def test_funds_csv_has_consistent_tvpi_dpi_and_irr(tmp_path) -> None:
    """funds.csv lists every investor; DPI = distributions / paid-in, TVPI adds the net asset value."""
    sc = load_scenario("baseline", months=36, firms=400)
    result = run_to_dir(sc, 1, tmp_path, progress=False)
    df = pd.read_csv(tmp_path / "funds.csv")
    assert len(df) == len(result.model.investors)
    assert set(df["kind"]) >= {"guidance", "venture", "aic", "grant"}
    ok = df["paid_in"] > 0
    np.testing.assert_allclose(df.loc[ok, "dpi"], df.loc[ok, "distributed"] / df.loc[ok, "paid_in"], rtol=1e-6)
    np.testing.assert_allclose(df.loc[ok, "tvpi"],
                               (df.loc[ok, "distributed"] + df.loc[ok, "nav"]) / df.loc[ok, "paid_in"], rtol=1e-6)
    assert (df.loc[ok, "tvpi"] >= df.loc[ok, "dpi"] - 1e-12).all()
    assert df.loc[ok & (df["kind"] == "guidance"), "irr"].notna().any()
    sub = df[df["kind"] == "guidance"]
    assert (sub["paid_in"] <= sub["committed"] + 1e-9).all()
    assert list(funds_frame(result.model)["name"]) == list(df["name"])


def test_equity_metrics_add_up_and_summary_keys_exist() -> None:
    """Equity by source adds up to the total; deal outcome shares are proper shares; exits by channel
    match the exit events."""
    res = simulate(load_scenario("baseline", months=36, firms=400), 2, keep_model=True)
    m, s = res.metrics, res.summary
    np.testing.assert_allclose(m["equity_public"] + m["equity_private"], m["equity_invested"], atol=1e-9)
    np.testing.assert_allclose(m["equity_guidance"] + m["equity_venture"] + m["equity_aic"] + m["equity_grant"],
                               m["equity_invested"], atol=1e-9)
    ev = res.model.events.frame()
    exits = ev[ev["kind"] == "exit"]
    for code, channel in enumerate(("writeoff", "acquisition", "listing", "secondary")):
        assert m[f"exits_{channel}"].sum() == (exits["channel"] == code).sum()
    inv = ev[ev["kind"] == "investment"]
    assert (inv["round"] >= 1).all() and (inv["detail"] > inv["amount"]).all()
    for key in ("regional_upgrade_rate", "deal_share_below_1x", "deal_share_above_5x", "firms_financed_seed",
                "private_per_public_yuan", "fund_tvpi", "fund_dpi", "fund_irr_median"):
        assert key in s
    assert 0.0 <= s["deal_share_above_5x"] <= 1.0 - s["deal_share_below_1x"] + 1e-12
    assert s["private_per_public_yuan"] > 1.0  # each public yuan brings private partners' money along
    assert (m["fund_uncalled"] <= m["fund_commitments"] + 1e-9).all()
