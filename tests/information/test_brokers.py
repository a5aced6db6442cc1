"""Brokers: whom each kind visits, and what a visit does to the lender's view (information, not money)."""

from __future__ import annotations

import numpy as np

from ecosim.credit.officer import lender_view
from ecosim.information.brokers import PartnerTeam, ServiceStation, TechAdviser, visit_firms
from ecosim.model import EcosystemModel
from ecosim.scenario import load_scenario


def _model(overrides=None, firms=400, seed=7) -> EcosystemModel:
    return EcosystemModel(load_scenario("baseline", overrides or {}, months=12, firms=firms), rng=seed)


def test_visited_firms_are_seen_more_accurately_by_their_lender() -> None:
    """After visits, the lender's view of visited firms is closer to their latent quality than of unvisited ones."""
    model = _model({"brokers.capacity": 20}, firms=500)
    f = model.firms
    model.month += 1
    visit_firms(model)
    n = len(f)
    visited = f.visits[:n] > 0
    assert 50 < visited.sum() < n - 50
    # The same platform information for everyone, so the only difference is the soft information.
    no_rating = np.full(n, np.nan)
    view = lender_view(no_rating, np.zeros(n), f.soft_signal[:n], f.soft_precision[:n])
    err = (view.mean - f.quality[:n]) ** 2
    # Unvisited firms' view is the prior: mean squared error = var(quality) ≈ 1; visited far less.
    assert err[visited].mean() < 0.7 * err[~visited].mean()
    assert (view.sd[visited] < view.sd[~visited].min()).all()


def test_each_kind_of_broker_exists_and_counts_visits() -> None:
    """Partner teams, service stations and tech advisers each make visits up to their capacity."""
    model = _model({"brokers.teams": 5, "brokers.stations": 2, "brokers.advisers": 4, "brokers.capacity": 3,
                    "brokers.station_capacity": 6, "brokers.adviser_capacity": 2})
    kinds = [type(b) for b in model.teams]
    assert kinds.count(PartnerTeam) == 5 and kinds.count(ServiceStation) == 2 and kinds.count(TechAdviser) == 4
    model.step()
    assert model.tally["visits_team"] == 15
    assert model.tally["visits_station"] == 12
    assert model.tally["visits_adviser"] == 8
    assert sum(b.visits for b in model.teams) == 35
    assert model.current["visits"] == 35


def test_service_stations_visit_new_firms_first() -> None:
    """Stations pick new firms (under a year old) before older ones."""
    model = _model({"brokers.teams": 0, "brokers.advisers": 0, "brokers.stations": 2, "brokers.station_capacity": 10})
    f = model.firms
    model.month += 1
    visit_firms(model)
    visited = np.flatnonzero(f.visits[: len(f)] > 0)
    age = model.month - f.founded[visited]
    assert len(visited) == 20
    assert (age < 12).mean() > 0.9


def test_a_visit_introduces_the_partner_bank_and_moves_no_money() -> None:
    """A visited firm without a bank gets the broker's partner bank; no ledger balance changes."""
    model = _model()
    f = model.firms
    before = model.ledger.balance.copy()
    banks_before = f.rel_bank[: len(f)].copy()
    model.month += 1
    visit_firms(model)
    introduced = (banks_before < 0) & (f.rel_bank[: len(f)] >= 0)
    assert introduced.any()
    partners = {b.partner_bank for b in model.teams}
    assert set(f.rel_bank[: len(f)][introduced].tolist()) <= partners
    assert np.array_equal(before, model.ledger.balance)


def test_visits_raise_applications() -> None:
    """Over a year, firms reach lenders more often with brokers than without (same seed)."""
    off = {"brokers.teams": 0, "brokers.stations": 0, "brokers.advisers": 0}
    apps = {}
    for name, over in (("with", {}), ("without", off)):
        model = _model(over, firms=400, seed=11)
        for _ in range(12):
            model.step()
        apps[name] = model.current["applications_per_firm"]
    assert apps["with"] > apps["without"]
