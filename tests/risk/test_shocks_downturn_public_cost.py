"""Adverse shocks from latent quality, the downturn lever, and the public cost by line."""

from __future__ import annotations

import numpy as np
import pytest

from ecosim import macro
from ecosim.model import EcosystemModel
from ecosim.risk.shocks import adverse_shocks, shock_probability
from ecosim.runner import simulate
from ecosim.scenario import load_scenario

from .helpers import small_model


def test_weaker_firms_suffer_setbacks_more_often_and_a_downturn_multiplies_them() -> None:
    """The monthly setback probability falls with latent quality and is multiplied during the downturn only."""
    model = small_model({"downturn.enabled": True, "downturn.start_month": 5, "downturn.months": 3,
                         "downturn.failure_multiplier": 2.5})
    q = np.array([-1.0, 0.0, 1.0])
    normal = shock_probability(model, q)
    assert normal[0] > normal[1] > normal[2]
    model.month = 6
    np.testing.assert_allclose(shock_probability(model, q), 2.5 * normal)
    model.month = 8
    np.testing.assert_allclose(shock_probability(model, q), normal)


def test_downturn_window_and_revenue_growth_shift() -> None:
    """The downturn lasts from start_month for months; outside it nothing changes."""
    model = small_model({"downturn.enabled": True, "downturn.start_month": 10, "downturn.months": 2,
                         "downturn.revenue_growth_drop": 0.02})
    seen = {}
    for month in (9, 10, 11, 12):
        model.month = month
        seen[month] = (macro.in_downturn(model), macro.failure_multiplier(model), macro.revenue_growth_shift(model))
    assert seen[9] == (False, 1.0, 0.0) and seen[12] == (False, 1.0, 0.0)
    assert seen[10] == (True, model.params.downturn.failure_multiplier, -0.02) == seen[11]


def test_setbacks_cost_cash_and_revenue_booked_in_the_ledger() -> None:
    """Hit firms lose cash to the market and part of their revenue; the books still balance."""
    model = small_model({"risk.shock_rate": 0.2}, firms=300)
    f = model.firms
    revenue = f.revenue.copy()
    adverse_shocks(model)
    assert model.tally["shocks"] > 0 and model.tally["shock_losses"] > 0
    cut = (f.revenue < revenue - 1e-12)
    assert cut.any()
    np.testing.assert_allclose(f.revenue[cut], revenue[cut] * (1 - model.params.risk.shock_revenue_cut))
    model.ledger.check(model.month)


def test_a_setback_is_not_fatal_by_itself() -> None:
    """Setbacks cost cash and revenue but close no firm: fatal failures are the latent hazard alone."""
    model = small_model({"risk.shock_rate": 0.2}, firms=300)
    doomed = model.firms.doomed_since.copy()
    adverse_shocks(model)
    assert model.tally["shocks"] > 0
    assert not model.distressed.any()
    np.testing.assert_array_equal(model.firms.doomed_since, doomed)


def test_switching_shocks_off_keeps_every_other_random_stream_in_step() -> None:
    """The setback draw is made whether or not shocks are on: the month's other firm draws stay the same."""
    on = EcosystemModel(load_scenario("baseline", {"risk.shocks": True}, months=12, firms=200), rng=9)
    off = EcosystemModel(load_scenario("baseline", {"risk.shocks": False}, months=12, firms=200), rng=9)
    on.step()
    off.step()
    assert on.streams.firms.random() == off.streams.firms.random()


def test_downturn_raises_failures_and_defaults() -> None:
    """Under the downturn scenario more firms fail and more loans default than in the baseline, on the same seed."""
    base = simulate(load_scenario("baseline", months=72, firms=400), 3).metrics
    down = simulate(load_scenario("downturn", months=72, firms=400), 3).metrics
    window = (base["month"] >= 36) & (base["month"] < 60)
    assert down.loc[window, "firms_failed"].sum() > base.loc[window, "firms_failed"].sum()
    assert down.loc[window, "defaults"].sum() > base.loc[window, "defaults"].sum()
    pd_before = down.loc[down["month"] < 36].reset_index(drop=True)
    pd_base = base.loc[base["month"] < 36].reset_index(drop=True)
    assert pd_before.equals(pd_base)  # identical until the downturn starts


def test_public_cost_lines_add_up_and_value_the_relending_subsidy() -> None:
    """public_cost_total is the sum of the lines (recapitalisation a memo); re-lending is the rate gap on its balance."""
    res = simulate(load_scenario("baseline", months=24, firms=300), 1, keep_model=True)
    m = res.metrics
    lines = ["public_cost_guarantors", "public_cost_pool", "public_cost_fund_stakes", "public_cost_grants",
             "public_cost_grant_stakes", "public_cost_relending_subsidy", "public_cost_ftp_subsidy"]
    np.testing.assert_allclose(m["public_cost_total"], m[lines].sum(axis=1))
    p = res.model.params
    gap = p.banks.funding_rate - p.incentives.relending_rate
    np.testing.assert_allclose(m["public_cost_relending_subsidy"], m["relending_balance"] * gap / 12.0, rtol=1e-9)
    assert m["public_cost_relending_subsidy"].sum() > 0 and m["public_cost_pool"].sum() >= 0
    assert res.summary["total_public_cost_total"] == pytest.approx(m["public_cost_total"].sum())
