"""Tech loan products: lines, tenors and security of each product, and product choice in a run."""

from __future__ import annotations

import numpy as np
import pytest

from ecosim.credit import loans as L
from ecosim.credit.products import ACQUISITION, NEED, WORKING_CAPITAL, Applicants, OFFERS, rating_line
from ecosim.firms import state as S
from ecosim.runner import simulate
from ecosim.scenario import load_scenario


def _apps(n=3, **kw) -> Applicants:
    base = dict(rows=np.arange(n), purpose=np.full(n, NEED), sought=np.full(n, 5.0), age=np.full(n, 24),
                stage=np.full(n, S.EARLY), cash=np.ones(n), revenue=np.zeros(n), burn=np.full(n, 0.1),
                debt=np.zeros(n), service=np.zeros(n), collateral=np.zeros(n), patents=np.zeros(n),
                ip_value=np.zeros(n), employees=np.full(n, 10.0), valuation=np.zeros(n), equity_raised=np.zeros(n),
                view_mean=np.zeros(n), rated=np.ones(n, dtype=bool))
    base.update(kw)
    return Applicants(**base)


def test_rating_line_from_one_to_ten_million_with_top_uplift() -> None:
    """A rated firm's pre-approved line runs from 1 to 10 m with the view; top ratings get +25%; unrated get none."""
    sc = load_scenario("baseline")
    view = np.array([-5.0, 0.0, 0.99, 1.0, 8.0, 0.0])
    rated = np.array([True, True, True, True, True, False])
    line = rating_line(view, rated, sc)
    assert line[0] == pytest.approx(1.0, abs=1e-5)
    assert line[1] == pytest.approx(5.5)
    assert line[3] / line[2] == pytest.approx(1.25, rel=0.01)
    assert line[4] == pytest.approx(12.5, abs=1e-5)
    assert line[5] == 0.0


def test_ip_pledge_secured_at_the_platform_valuation_less_haircut() -> None:
    """The IP-pledge line and its recovery are the IP valuation less the haircut."""
    sc = load_scenario("baseline")
    o = OFFERS[L.IP_PLEDGE](_apps(ip_value=np.array([0.0, 1.0, 4.0])), sc)
    keep = 1.0 - sc.products.ip_haircut
    np.testing.assert_allclose(o.line, [0.0, keep, 4.0 * keep])
    np.testing.assert_allclose(o.security, [0.0, keep, 4.0 * keep])
    np.testing.assert_allclose(o.pledged, [0.0, 1.0, 4.0])


def test_rd_loan_long_tenor_for_firms_with_patents_or_a_rating() -> None:
    """The R&D loan runs up to ten years and is offered, at any stage, to firms with patents or a rating."""
    sc = load_scenario("baseline", {"products.rd_tenor": 120})
    a = _apps(n=4, stage=np.array([S.SEED, S.GROWTH, S.MATURE, S.GROWTH]),
              rated=np.array([True, True, True, False]), patents=np.array([0.0, 0.0, 0.0, 0.0]))
    o = OFFERS[L.RD](a, sc)
    assert (o.tenor == 120).all()
    months = sc.products.rd_months * sc.products.rd_cost_share
    np.testing.assert_allclose(o.line, [months * 0.1, months * 0.1, months * 0.1, 0.0])
    a.patents[3] = 2.0
    assert OFFERS[L.RD](a, sc).line[3] == pytest.approx(months * 0.1)


def test_ma_loan_only_for_acquisitions_and_only_ma_for_them() -> None:
    """Only acquisition applicants get an M&A loan, and they get no other product."""
    sc = load_scenario("baseline")
    a = _apps(purpose=np.array([NEED, WORKING_CAPITAL, ACQUISITION]), stage=np.full(3, S.GROWTH),
              revenue=np.full(3, 10.0), collateral=np.full(3, 3.0))
    ma = OFFERS[L.MA](a, sc)
    assert ma.line.tolist() == [0.0, 0.0, 10.0 * sc.products.ma_revenue_months]
    for code, rule in OFFERS.items():
        if code != L.MA:
            assert rule(a, sc).line[2] == 0.0


def test_ma_loans_go_to_established_firms_only() -> None:
    """An acquirer selling less than ``products.ma_min_revenue`` a month gets no M&A offer; one above it does."""
    sc = load_scenario("baseline", {"products.ma_min_revenue": 5.0})
    a = _apps(purpose=np.full(3, ACQUISITION), stage=np.full(3, S.MATURE), revenue=np.array([4.9, 5.0, 50.0]))
    months = sc.products.ma_revenue_months
    assert OFFERS[L.MA](a, sc).line.tolist() == [0.0, 5.0 * months, 50.0 * months]


def test_ma_loans_have_a_cap_of_their_own_and_stay_outside_the_tech_loan_plan() -> None:
    """M&A loans are capped by ``products.ma_max_loan``, not ``banks.max_loan``, and take no room from
    the tech-loan credit plan unless ``products.ma_in_credit_plan`` is on."""
    from ecosim.credit.lending import in_credit_plan, largest_loans

    sc = load_scenario("baseline", {"products.ma_max_loan": 200.0, "banks.max_loan": 30.0})
    caps = largest_loans(sc, [L.COLLATERAL, L.MA, L.RD])
    assert caps.tolist() == [30.0, 200.0, 30.0]
    assert in_credit_plan(sc, np.array([L.COLLATERAL, L.MA])).tolist() == [True, False]
    inside = load_scenario("baseline", {"products.ma_in_credit_plan": True})
    assert in_credit_plan(inside, np.array([L.COLLATERAL, L.MA])).tolist() == [True, True]


def test_an_ma_loan_outside_the_plan_leaves_the_banks_lending_room_unchanged() -> None:
    """Booking an M&A loan outside the plan does not lower the bank's tech-loan room; inside, it does."""
    from ecosim.credit.bank import lending_rooms
    from ecosim.model import EcosystemModel

    rooms = {}
    for inside in (False, True):
        m = EcosystemModel(scenario="baseline", rng=1, firms=200, months=12,
                           **{"products.ma_in_credit_plan": inside})
        before = lending_rooms(m).copy()
        bank = 0
        firm = int(np.flatnonzero(m.firms.status == S.ACTIVE)[0])
        from ecosim.credit.lending import disburse

        disburse(m, {"firm": np.array([firm]), "bank": np.array([bank]), "product": np.array([L.MA], np.int8),
                     "principal": np.array([5.0]), "rate": np.array([0.04]), "tenor": np.array([60]),
                     "collateral": np.zeros(1), "security": np.zeros(1), "guaranteed": np.zeros(1, bool),
                     "fee_rate": np.zeros(1), "relending_share": np.zeros(1), "exempt": np.zeros(1, bool),
                     "officer_pd": np.array([0.02]), "need_since": np.array([m.month], np.int32)})
        rooms[inside] = before[bank] - lending_rooms(m)[bank]
    assert rooms[False] == pytest.approx(0.0, abs=1e-9)
    assert rooms[True] == pytest.approx(5.0)


def test_invest_loan_sized_by_equity_raised() -> None:
    """The invest-loan linkage line is a share of equity raised, capped at 10 m."""
    sc = load_scenario("baseline")
    o = OFFERS[L.INVEST_LOAN](_apps(equity_raised=np.array([0.0, 10.0, 100.0])), sc)
    np.testing.assert_allclose(o.line, [0.0, 3.0, 10.0])


def test_switching_a_product_off_removes_it() -> None:
    """A product switched off in the scenario is never lent."""
    res = simulate(load_scenario("baseline", {"products.ip_enabled": False}, months=24, firms=400), 1)
    assert res.metrics["new_loans_ip_pledge"].sum() == 0
    assert res.metrics["new_loans"].sum() > 0


def test_several_products_are_used_in_a_baseline_run() -> None:
    """In the baseline several products are chosen, and volume by product adds up to all new loans."""
    m = simulate(load_scenario("baseline", months=36, firms=500), 2).metrics
    by_product = m[[f"new_loans_{p}" for p in L.PRODUCTS]]
    assert (by_product.sum() > 0).sum() >= 4
    np.testing.assert_allclose(by_product.sum(axis=1), m["new_loans"], rtol=1e-9, atol=1e-9)
