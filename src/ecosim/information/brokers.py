"""Financial-partner teams: they visit firms, introduce banks and carry soft information.

Each team has a monthly capacity of visits and a partner bank. Teams visit
firms in need without a bank first, then new firms, then promising ones. A
visit (1) raises the firm's chance to apply for money, (2) introduces a firm
without a bank to the team's partner bank, and (3) passes soft information to
that bank: the bank's view of the firm becomes more precise. Teams carry
information, not risk.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import mesa
import numpy as np

from ecosim.firms.state import ACTIVE

if TYPE_CHECKING:
    from ecosim.model import EcosystemModel


class PartnerTeam(mesa.Agent):
    """A financial-partner team with a partner bank."""

    def __init__(self, model: EcosystemModel, partner_bank: int) -> None:
        super().__init__(model)
        self.partner_bank = partner_bank
        self.visits = 0
        model.graph.add_node(self.unique_id, "partner_team")


def visit_firms(model: EcosystemModel) -> None:
    """All teams make their visits for the month (vectorised over firms)."""
    teams = model.teams
    f = model.firms
    rng = model.streams.info
    noise = rng.random(len(f))
    soft_draw = rng.standard_normal(len(f))  # fixed-size draws every month (common random numbers)
    capacity = model.params.brokers.capacity
    if not teams or capacity == 0:
        return
    alive = f.status == ACTIVE
    age = model.month - f.founded
    rated_good = np.nan_to_num(f.rating, nan=-9.0) > 0.5
    score = (
        2.0 * ((f.need_since >= 0) & (f.rel_bank < 0))
        + 1.0 * (age < 12)
        + 0.5 * rated_good
        - 1.0 * (f.visits > 0)
        + noise
    )
    score[~alive] = -np.inf
    total = min(len(teams) * capacity, int(alive.sum()))
    if total == 0:
        return
    chosen = np.argpartition(-score, total - 1)[:total]
    chosen = chosen[np.argsort(-score[chosen], kind="stable")]
    team_of = np.arange(total) % len(teams)
    partner = np.array([t.partner_bank for t in teams])[team_of]
    soft_prec = model.params.banks.soft_info_precision
    # Soft information: a new reading of quality, combined with what the bank already knew.
    reading = f.quality[chosen] + soft_draw[chosen] / np.sqrt(max(soft_prec, 1e-9))
    new_bank = f.rel_bank[chosen] < 0
    f.rel_bank[chosen[new_bank]] = partner[new_bank]
    old_p = f.soft_precision[chosen]
    f.soft_signal[chosen] = (old_p * f.soft_signal[chosen] + soft_prec * reading) / (old_p + soft_prec)
    f.soft_precision[chosen] = old_p + soft_prec
    f.visits[chosen] += 1
    team_ids = np.array([t.unique_id for t in teams])[team_of]
    model.graph.link(f.agent_id[chosen], team_ids, "brokerage")
    for t, c in zip(*np.unique(team_of, return_counts=True), strict=True):
        teams[t].visits += int(c)
    model.events.record(model.month, "visit", firm_id=f.agent_id[chosen], counterparty_id=team_ids)
    model.tally["visits"] += total
