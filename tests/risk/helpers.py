"""Helpers for risk tests: a small model and loans booked directly on it."""

from __future__ import annotations

import numpy as np

from ecosim.credit import loans as L
from ecosim.credit.lending import disburse
from ecosim.model import EcosystemModel
from ecosim.scenario import load_scenario


def small_model(overrides: dict | None = None, seed: int = 3, firms: int = 200) -> EcosystemModel:
    """A baseline model of ``firms`` startups, one month in."""
    model = EcosystemModel(load_scenario("baseline", overrides or {}, months=24, firms=firms), rng=seed)
    model.step()
    return model


def book_loans(model: EcosystemModel, n: int, *, principal: float = 2.0, guaranteed: bool = False,
               collateral: float = 0.0, security: float = 0.0) -> np.ndarray:
    """Pay out ``n`` loans to the first ``n`` operating firms (one each); return their loan indices."""
    rows = model.alive[:n]
    start = len(model.loans)
    chain = model.guarantee_chain
    p = np.full(n, principal)
    terms = {
        "firm": rows, "bank": np.arange(n) % len(model.banks),
        "product": np.full(n, L.GUARANTEED if guaranteed else L.CREDIT, dtype=np.int8),
        "principal": p, "rate": np.full(n, 0.04), "tenor": np.full(n, 24), "collateral": np.full(n, collateral),
        "security": np.full(n, security), "guaranteed": np.full(n, guaranteed),
        "fee_rate": np.full(n, chain.fee_rate(p)[0] if guaranteed else 0.0), "relending_share": np.zeros(n),
        "exempt": np.zeros(n, dtype=bool), "officer_pd": np.full(n, 0.05), "need_since": np.full(n, model.month),
    }
    disburse(model, terms)
    chain.refresh()
    return np.arange(start, start + n)
