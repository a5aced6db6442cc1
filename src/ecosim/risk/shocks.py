"""Adverse business shocks: the setbacks behind credit losses, more frequent for weak firms.

Each month every operating startup may suffer a setback — a lost customer, a failed
trial, a key team member leaving — with monthly probability
``risk.shock_rate × exp(-risk.shock_quality_slope × quality)``, raised during a
downturn (:func:`ecosim.macro.failure_multiplier`). A setback costs
``shock_loss_months`` of the firm's monthly costs plus ``shock_cash_loss`` of its cash
(paid out, within the cash it has) and cuts its revenue by ``shock_revenue_cut`` for good. A
setback is never fatal by itself: the fatal failures (the firm's market or key technology gone)
are the latent technical and market hazard of :func:`ecosim.firms.phases.fail_startups`, so the
two mechanisms do not count the same failures twice. A firm that cannot absorb a setback misses
its instalments and, after ``banks.overdue_default_months``, defaults
(:mod:`ecosim.credit.servicing`).

A borrower's chance of default therefore rises with low latent quality and with
setbacks, not only with a short runway. Lenders never see quality or the shock
draws: they see revenue, cash, age, collateral, ratings and soft information, so the
accuracy of what they see decides how many of their borrowers default.

Draws: one uniform per firm row per month from the ``firms`` stream (common random
numbers: the same firms are hit in every scenario while they operate in both).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from ecosim import macro
from ecosim.common_random import firm_draws
from ecosim.firms import state as S

if TYPE_CHECKING:
    from ecosim.model import EcosystemModel
    from ecosim.scenario import RiskSection


def setback_probability(r: RiskSection, quality: np.ndarray, multiplier: float = 1.0) -> np.ndarray:
    """Monthly probability of a setback for firms of latent ``quality`` (``multiplier``: a downturn's)."""
    return np.minimum(r.shock_rate * np.exp(-r.shock_quality_slope * quality) * multiplier, 1.0)


def setback_loss(r: RiskSection, burn: np.ndarray, cash: np.ndarray) -> np.ndarray:
    """Cash a setback costs: ``shock_loss_months`` of costs plus ``shock_cash_loss`` of the cash, within the cash."""
    cash = np.maximum(cash, 0.0)
    return np.minimum(r.shock_loss_months * burn + r.shock_cash_loss * cash, cash)


def shock_probability(model: EcosystemModel, quality: np.ndarray) -> np.ndarray:
    """Monthly probability of a setback for firms of latent ``quality`` this month."""
    return setback_probability(model.params.risk, quality, macro.failure_multiplier(model))


def adverse_shocks(model: EcosystemModel) -> None:
    """The month's setbacks: hit firms lose cash (booked to the market) and part of their revenue."""
    f = model.firms
    r = model.params.risk
    draws = firm_draws(model, model.streams.firms, "random")  # one per row, whatever the policy
    if not r.shocks:
        return
    alive = np.flatnonzero(f.status == S.ACTIVE)
    prob = shock_probability(model, f.quality[alive].astype(float))
    u = draws[alive]
    hit = alive[u < prob]
    if len(hit) == 0:
        return
    led = model.ledger
    loss = setback_loss(r, f.burn[hit], led.balance[f.acct_cash[hit]])
    market = led.external_owner("market")
    led.transfer("setback_loss", f.acct_cash[hit], f.acct_retained[hit], market["cash"], market["net_flow"], loss)
    f.revenue[hit] *= 1.0 - r.shock_revenue_cut
    model.tally["shocks"] += len(hit)
    model.tally["shock_losses"] += float(loss.sum())
