"""The startup life cycle: firms cut costs and seek bridge money before they fail, shrink, shed staff,
fail more when their latent quality is weak, start from a steady state, and run to any allowed horizon."""

from __future__ import annotations

import numpy as np
import pytest

from ecosim.firms import economics as E
from ecosim.firms import state as S
from ecosim.firms.phases import (
    develop_startups,
    fail_startups,
    failure_hazard,
    revenue_drift,
    set_costs_and_staff,
    trade,
)
from ecosim.model import EcosystemModel
from ecosim.runner import simulate
from ecosim.scenario import load_scenario
from ecosim.validation.lifecycle import firm_table, shrinking_shares, survival_by_age


@pytest.fixture(scope="module")
def run():
    """A baseline run of 1,000 firms over 120 months (kept model)."""
    return simulate(load_scenario("baseline", months=120, firms=1000), 3, keep_model=True)


def _model(months: int = 24, firms: int = 300, seed: int = 5, **over) -> EcosystemModel:
    return EcosystemModel(load_scenario("baseline", over, months=months, firms=firms), rng=seed)


def _drain(model: EcosystemModel, row: int, leave: float) -> None:
    """Pay a firm's cash beyond ``leave`` out to the market (a booked transfer)."""
    led = model.ledger
    f = model.firms
    market = led.external_owner("market")
    cash = float(led.balance[f.acct_cash[row]])
    led.transfer("test_drain", f.acct_cash[[row]], f.acct_retained[[row]], market["cash"], market["net_flow"],
                 np.array([max(cash - leave, 0.0)]))


def test_firm_short_of_cash_hibernates_and_cuts_costs_before_it_fails():
    model = _model(**{"firms.first_sale_rate": 0.0})  # no first sale this month: the cut shows in fixed costs
    f = model.firms
    p = model.params.firms
    row = int(np.flatnonzero((f.status == S.ACTIVE) & (f.revenue == 0) & ~f.hibernating & ~S.struck(f.doomed_since))[0])
    full = float(E.operating_costs(p, f.fixed_costs[[row]], f.revenue[[row]], E.variable_cost_share(p, f.sector[[row]]),
                                   False)[0])
    _drain(model, row, leave=1.5 * full)  # under hibernation_runway months of net burn, still solvent
    f.progress[row] = 0.0  # no milestone this month (a new stage would raise its costs)
    model.month += 1
    develop_startups(model)
    assert f.hibernating[row]
    assert f.burn[row] < full * (1.0 - 0.5 * p.hibernation_cut)  # fixed costs cut (no revenue yet)
    trade(model)
    fail_startups(model)
    assert f.status[row] == S.ACTIVE and f.months_insolvent[row] == 0
    model.ledger.check(model.month)


def test_insiders_bridge_a_firm_that_cannot_pay_and_books_it_as_paid_in_equity():
    model = _model(**{"firms.bridge_probability": 1.0, "firms.bridge_quality_slope": 0.0})
    f = model.firms
    led = model.ledger
    row = int(np.flatnonzero(f.status == S.ACTIVE)[0])
    _drain(model, row, leave=0.0)
    f.revenue[row] = 0.0
    f.bridges[row] = 0
    f.doomed_since[row] = S.NOT_STRUCK
    paid_in = float(led.balance[f.acct_paid_in[row]])
    trade(model)
    assert f.bridges[row] == 1
    assert f.months_insolvent[row] == 0  # the bridge paid this month's costs
    assert led.balance[f.acct_paid_in[row]] < paid_in  # equity (a credit balance) grew
    led.check(model.month)


def test_firm_with_no_bridge_left_fails_only_after_months_insolvent():
    model = _model(**{"firms.insolvent_months": 3})
    f = model.firms
    row = int(np.flatnonzero(f.status == S.ACTIVE)[0])
    _drain(model, row, leave=0.0)
    f.revenue[row] = 0.0
    f.bridges[row] = model.params.firms.bridge_rounds
    f.doomed_since[row] = S.NOT_STRUCK  # not struck by a technical or market failure
    model.distressed[:] = False
    states = []
    for _ in range(3):
        trade(model)
        fail_startups(model)
        states.append(int(f.status[row]))
    assert states == [S.ACTIVE, S.ACTIVE, S.FAILED]
    assert f.exit_cause[row] == S.CAUSE_INSOLVENT
    model.ledger.check(model.month)


def test_staff_fall_when_a_firm_hibernates_and_when_revenue_falls():
    model = _model()
    f = model.firms
    rows = np.flatnonzero(f.status == S.ACTIVE)[:50]
    f.hibernating[rows] = False
    for _ in range(200):  # staff close the gap to what the business needs part by part each month
        set_costs_and_staff(model, rows)
    before = f.employees[rows].copy()
    f.hibernating[rows] = True
    set_costs_and_staff(model, rows)
    assert (f.employees[rows] < before).all()
    selling = rows[f.revenue[rows] > 0]
    assert len(selling) > 0
    f.hibernating[selling] = False
    for _ in range(200):  # staff close the gap to what the business needs part by part each month
        set_costs_and_staff(model, selling)
    selling = selling[f.employees[selling] > 1.0]  # one person always stays: firms at that floor cannot shed staff
    assert len(selling) > 0
    before = f.employees[selling].copy()
    f.revenue[selling] *= 0.5
    set_costs_and_staff(model, selling)
    assert (f.employees[selling] < before).all()


def test_revenue_can_shrink_and_growth_turns_negative_above_the_market_size():
    model = _model()
    f = model.firms
    rows = np.flatnonzero((f.status == S.ACTIVE) & (f.revenue > 0))
    f.q_market[rows] = 0.0
    f.hibernating[rows] = False
    f.doomed_since[rows] = S.NOT_STRUCK
    f.revenue[rows] = 0.5 * f.market_size[rows]
    assert (revenue_drift(model, rows) > 0).all()
    f.revenue[rows] = 1.5 * f.market_size[rows]
    assert (revenue_drift(model, rows) < 0).all()


def test_run_shows_shrinking_firm_years_for_revenue_and_staff(run):
    falling_revenue, falling_staff = shrinking_shares(run.model.panel)
    assert falling_revenue >= 0.15
    assert falling_staff >= 0.10


def test_high_quality_firm_fails_less_often_than_a_low_quality_one_with_the_same_money():
    # The mechanism at a clear quality slope, whatever value the calibration gives it.
    model = _model(**{"firms.quality_hazard_slope": 1.2})
    f = model.firms
    rows = np.flatnonzero(f.status == S.ACTIVE)
    half = len(rows) // 2
    good, bad = rows[:half], rows[half:2 * half]
    for col in ("q_technology", "q_team", "q_market", "q_ip", "q_governance", "quality"):
        getattr(f, col)[good] = 1.5
        getattr(f, col)[bad] = -1.5
    f.stage[rows] = S.SEED
    assert (failure_hazard(model, good) < failure_hazard(model, bad)).all()
    # Simulated: both groups well funded (cash cannot be the reason), latent failures over a year.
    market = model.ledger.external_owner("founders")
    model.ledger.transfer("test_fund", market["cash"], market["net_flow"], f.acct_cash[rows],
                          f.acct_paid_in[rows], np.full(len(rows), 100.0))
    for _ in range(12):
        model.month += 1
        develop_startups(model)
        trade(model)
        fail_startups(model)
    failed_good = (f.status[good] == S.FAILED).mean()
    failed_bad = (f.status[bad] == S.FAILED).mean()
    assert failed_bad > 0.0, "well-funded weak firms never failed"
    assert failed_good < 0.5 * failed_bad
    assert (f.exit_cause[bad][f.status[bad] == S.FAILED] == S.CAUSE_QUALITY).all()
    model.ledger.check(model.month)


def test_first_sales_happen_at_every_stage_including_seed(run):
    f = run.model.firms
    seed_sellers = (f.stage == S.SEED) & (f.first_sale >= 0)
    assert seed_sellers.sum() > 0
    entrants = f.founded >= 1
    assert (f.first_sale[entrants] >= 0).mean() > 0.4


def test_milestones_are_stochastic_and_slow_when_less_is_spent():
    p = load_scenario("baseline").firms
    z = np.random.default_rng(0).standard_normal(1000)
    q = np.zeros(1000)
    full = E.milestone_progress(p, q, np.ones(1000), z)
    assert full.std() > 0.3 * full.mean()
    half = E.milestone_progress(p, q, np.full(1000, 0.5), z)
    assert np.all(half < full)


def test_books_balance_through_hibernation_bridges_failures_and_payouts():
    model = _model(months=48, firms=300, **{"firms.founder_capital": 0.4})
    for _ in range(48):
        model.step()  # the ledger checks every owner's books at the end of each month
    f = model.firms
    assert model.ledger.totals["insider_bridge"] > 0
    assert model.ledger.totals["payout"] > 0
    assert (f.exit_cause == S.CAUSE_INSOLVENT).any() and (f.exit_cause == S.CAUSE_QUALITY).any()
    assert f.hibernating[f.status == S.ACTIVE].any()


def test_initial_population_is_in_steady_state(run):
    alive = run.metrics["firms_alive"].to_numpy(dtype=float)
    assert np.max(np.abs(alive[11:120] / alive[11] - 1.0)) <= 0.15
    firms = firm_table(run.model)
    initial = survival_by_age(firms, 120, (1, 3), entrants=False)
    entrants = survival_by_age(firms, 120, (1, 3), entrants=True)
    assert abs(initial[1] - entrants[1]) < 0.08 and abs(initial[3] - entrants[3]) < 0.12
    f = run.model.firms
    ages = -f.founded[f.founded <= 0]
    assert ages.max() >= 120 and np.median(ages) > 24  # old firms exist: ages drawn from the steady state


def test_a_run_at_the_top_of_the_horizon_range_completes():
    from ecosim.scenario import RunSection

    top = RunSection.model_fields["months"].metadata
    le = next(m.le for m in top if hasattr(m, "le"))
    result = simulate(load_scenario("baseline", months=le, firms=10), 1)
    assert len(result.metrics) == le


def test_a_struck_firm_spends_on_loses_revenue_gets_no_bridge_and_closes_after_failure_months():
    # Small revenue shocks, so that the decay of a struck firm's revenue shows in a few months.
    model = _model(**{"firms.failure_months": 3, "firms.bridge_probability": 1.0, "firms.revenue_noise": 0.05})
    f = model.firms
    p = model.params.firms
    rows = np.flatnonzero((f.status == S.ACTIVE) & (f.revenue > 0))[:20]
    founders = model.ledger.external_owner("founders")
    model.ledger.transfer("test_fund", founders["cash"], founders["net_flow"], f.acct_cash[rows],
                          f.acct_paid_in[rows], np.full(len(rows), 50.0))  # well funded
    f.doomed_since[rows] = model.month
    f.hibernating[rows] = True
    bridges = f.bridges[rows].copy()
    revenue = f.revenue[rows].copy()
    for month in range(p.failure_months):
        assert (f.status[rows] == S.ACTIVE).all(), f"closed after {month} months"
        model.month += 1
        develop_startups(model)
        assert not f.hibernating[rows].any()
        trade(model)
        fail_startups(model)
    assert (f.status[rows] == S.FAILED).all()
    assert (f.exit_cause[rows] == S.CAUSE_QUALITY).all()
    assert (f.revenue[rows] < revenue).mean() > 0.8  # revenue decays (shocks aside)
    assert (f.bridges[rows] == bridges).all()
    model.ledger.check(model.month)


def test_closing_firm_pays_severance_before_its_lenders():
    model = _model()
    f = model.firms
    rows = np.flatnonzero(f.status == S.ACTIVE)[:10]
    before = model.ledger.totals["severance"]
    from ecosim.firms.phases import close_firms

    close_firms(model, rows, S.FAILED)
    assert model.ledger.totals["severance"] > before
    model.ledger.check(model.month)
