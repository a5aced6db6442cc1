"""Core mechanisms of the month: failure and its loss, the lending rule, brokers' visits."""

from __future__ import annotations

import numpy as np
import pytest

from ecosim.credit.loans import ACTIVE as LOAN_ACTIVE
from ecosim.credit.loans import DEFAULTED, WORKOUT
from ecosim.credit.officer import decide
from ecosim.firms import state as S
from ecosim.firms.phases import fail_startups, trade
from ecosim.information.brokers import visit_firms
from ecosim.model import EcosystemModel
from ecosim.risk.defaults import write_off
from ecosim.scenario import load_scenario


def _model_with_loans(seed: int = 2) -> EcosystemModel:
    model = EcosystemModel(load_scenario("baseline", months=24, firms=400), rng=seed)
    for _ in range(12):
        model.step()
    assert len(model.loans.active()) > 0, "no loans were made in 12 months"
    return model


def test_firm_without_cash_or_finance_fails_and_lender_books_loss() -> None:
    """A borrower whose cash is gone, and who raises nothing (no bridge left), fails once it has been unable
    to pay its costs for ``firms.insolvent_months``; its bank writes off what is unrecovered."""
    model = _model_with_loans()
    loans = model.loans
    act = loans.active()
    firm = int(loans.firm[act[0]])
    f = model.firms
    led = model.ledger
    mine = np.flatnonzero((loans.firm[: len(loans)] == firm) & (loans.status[: len(loans)] == LOAN_ACTIVE))
    bank_idx = int(loans.bank[mine[0]])
    bank = model.banks[bank_idx]
    owed = float(loans.outstanding[mine].sum())
    # No collateral to recover, no guarantee or pool: the bank bears the whole loss.
    loans.collateral[mine] = 0.0
    loans.guaranteed[mine] = False
    model.pool = None
    # The firm's cash is gone (paid out to the market), it has costs and no revenue.
    market = led.external_owner("market")
    cash = float(led.balance[f.acct_cash[firm]])
    led.transfer("test_drain", f.acct_cash[[firm]], f.acct_retained[[firm]], market["cash"], market["net_flow"],
                 np.array([cash]))
    f.revenue[firm] = 0.0
    f.burn[firm] = max(float(f.burn[firm]), 0.05)
    f.bridges[firm] = model.params.firms.bridge_rounds  # insiders have nothing more to give
    f.doomed_since[firm] = S.NOT_STRUCK  # and it is not winding down after a technical or market failure
    equity_before = bank.equity
    for month in range(model.params.firms.insolvent_months):
        assert f.status[firm] == S.ACTIVE, f"failed after {month} insolvent months"
        trade(model)
        fail_startups(model)
    assert f.status[firm] == S.FAILED
    assert f.exit_cause[firm] == S.CAUSE_INSOLVENT
    assert (loans.status[mine] == WORKOUT).all()  # non-performing until the workout ends
    assert bank.equity == pytest.approx(equity_before, rel=1e-9, abs=1e-9)
    write_off(model, mine)  # the workout ends: the loss is booked
    assert (loans.status[mine] == DEFAULTED).all()
    assert bank.equity == pytest.approx(equity_before - owed, rel=1e-9, abs=1e-9)
    ev = model.events.frame()
    d = ev[(ev["kind"] == "default") & (ev["firm_id"] == f.agent_id[firm])]
    assert d["loss_bank"].sum() == pytest.approx(owed)
    led.check(model.month)


def test_bank_never_lends_where_expected_loss_exceeds_margin() -> None:
    """Approved ⇒ funding cost + margin + expected loss (+ officer's penalty) fits under the rate cap."""
    rng = np.random.default_rng(0)
    n = 5_000
    pd_ = rng.uniform(0, 0.6, n)
    cover = rng.uniform(0, 1, n)
    d = decide(pd=pd_, view_sd=rng.uniform(0, 1, n), loss_given_default=0.6, cover=cover, funding_cost=0.025,
               base_margin=0.015, rate_cap=0.12, officer_penalty=0.0, opacity_aversion=0.0, exempt=True)
    margin = 0.12 - 0.025 - 0.015
    el = pd_ * 0.6 * (1 - cover)
    assert not d.approve[el > margin + 1e-12].any()
    assert d.approve[el < margin - 1e-12].all()
    assert d.approve.any() and (~d.approve).any()


def test_officer_penalty_and_exemption() -> None:
    """The officer's personal penalty refuses loans the bank alone would make; the exemption lifts it."""
    kw = dict(pd=np.full(3, 0.08), view_sd=np.full(3, 0.8), loss_given_default=0.6, cover=0.0,
              funding_cost=0.025, base_margin=0.015, rate_cap=0.12, officer_penalty=1.5, opacity_aversion=1.0)
    shielded = decide(**kw, exempt=True)
    exposed = decide(**kw, exempt=False)
    assert shielded.approve.all()
    assert not exposed.approve.any()


def test_broker_visit_adds_edge_and_soft_information() -> None:
    """A partner team's visit links the firm to the team in the graph and gives its bank soft information."""
    model = EcosystemModel(load_scenario("baseline", months=12, firms=200), rng=4)
    f = model.firms
    before = model.graph.edges_of_kind("brokerage")
    prec_before = f.soft_precision[: len(f)].copy()
    model.month += 1
    visit_firms(model)
    after = model.graph.edges_of_kind("brokerage")
    visited = np.flatnonzero(f.visits[: len(f)] > 0)
    assert len(visited) > 0
    assert after > before
    assert (f.soft_precision[visited] > prec_before[visited]).all()
    team_ids = {t.unique_id for t in model.teams}
    g = model.graph.G
    for row in visited[:10]:
        assert any(nb in team_ids for nb in g.neighbors(int(f.agent_id[row])))


def test_no_broker_teams_means_no_visits() -> None:
    """With every kind of broker switched off, nobody is visited."""
    off = ["brokers.teams=0", "brokers.stations=0", "brokers.advisers=0"]
    model = EcosystemModel(load_scenario("baseline", off, months=6, firms=200), rng=4)
    for _ in range(3):
        model.step()
    assert model.graph.edges_of_kind("brokerage") == 0 or not model.teams
    assert (model.firms.visits[: len(model.firms)] == 0).all()


def test_relationships_are_counted_by_kind() -> None:
    """Linking the same pair twice counts the relationship twice; unlinking once keeps the edge."""
    from ecosim.network import RelationGraph

    g = RelationGraph()
    g.add_nodes([1, 2, 3], "firm")
    g.link([1, 1, 2], [2, 2, 3], "lending")
    assert g.G[1][2]["count"] == 2
    g.link([2], [1], "brokerage")
    assert g.G[1][2]["kind"] == "lending+brokerage"
    g.unlink([1], [2], "lending")
    assert g.G.has_edge(1, 2)
    assert g.edges_of_kind("lending") == 2
    g.unlink([2, 2], [3, 3], "lending")
    assert not g.G.has_edge(2, 3)
