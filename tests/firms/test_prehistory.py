"""The pre-history that draws the initial population: what it returns, and its random stream."""

from __future__ import annotations

import numpy as np
import pytest

from ecosim.firms import state as S
from ecosim.firms.prehistory import PREHISTORY_MONTHS, steady_state_firms
from ecosim.scenario import load_scenario

FIRMS = 300


def _firms(seed: int = 4, **over) -> dict[str, np.ndarray]:
    sc = load_scenario("baseline", over, firms=FIRMS)
    return steady_state_firms(sc.firms, FIRMS, np.random.default_rng(seed), risk=sc.risk)


@pytest.fixture(scope="module")
def firms() -> dict[str, np.ndarray]:
    return _firms()


def test_the_initial_firms_are_operating_firms_of_the_pre_history(firms):
    sc = load_scenario("baseline", firms=FIRMS)
    assert all(len(v) == FIRMS for v in firms.values())
    assert firms["alive"].all()
    assert firms["age"].min() >= 0 and firms["age"].max() < PREHISTORY_MONTHS
    assert np.array_equal(firms["age"], -firms["founded"])
    assert firms["stage"].min() >= S.SEED and firms["stage"].max() <= S.MATURE
    assert (firms["insolvent"] < sc.firms.insolvent_months).all()
    assert ((firms["paid"] >= 0.0) & (firms["paid"] <= 1.0)).all()
    assert (firms["first_sale"][firms["revenue"] > 0] <= 0).all()
    assert (firms["progress"][firms["stage"] == S.MATURE] == 0.0).all()


def test_the_pre_history_returns_what_the_model_books_and_not_its_working_values(firms):
    wanted = {"q", "quality", "sector", "capital", "collateral", "rating_noise", "founded", "alive", "age",
              "stage", "progress", "fixed", "revenue", "market", "staff", "hib", "paid", "insolvent",
              "bridges", "doomed", "patents", "first_sale", "burn"}
    assert set(firms) == wanted


def test_the_same_seed_gives_the_same_initial_firms(firms):
    again = _firms()
    assert all(np.array_equal(firms[k], again[k]) for k in firms)


def test_setbacks_switched_off_give_the_firms_of_setbacks_that_never_happen():
    # The setback draws are taken whether or not setbacks are on, so the rest of the stream stays in step.
    off = _firms(**{"risk.shocks": False})
    never = _firms(**{"risk.shock_rate": 0.0})
    assert all(np.array_equal(off[k], never[k]) for k in off)


def test_latent_failures_in_the_pre_history_close_firms_and_carry_into_the_model(firms):
    # The pre-history's months are negative: a firm struck there must still count as struck, give
    # up within `failure_months`, and enter the model wound down rather than struck afresh.
    sc = load_scenario("baseline", firms=FIRMS)
    struck = S.struck(firms["doomed"])
    assert struck.any(), "some initial firms are winding down after a failure"
    assert (firms["doomed"][struck] <= 0).all()
    # A firm struck more than `failure_months` before month 0 has closed, so none is in the population.
    assert (-firms["doomed"][struck] < sc.firms.failure_months).all()
    # The share of struck firms is what the hazard gives over `failure_months`, not a pile-up of
    # firms struck long ago that never close.
    assert struck.mean() < 0.5
