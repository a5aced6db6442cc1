"""The government: a budget account that pays for the public side of the ecosystem.

Each year the treasury (an external account) puts the sci-tech budget into the
government's account. Grants, the pool's endowment, guidance-fund capital calls
and guarantor recapitalisations are paid from it; if it runs short the treasury
tops it up, so public spending is never silently capped. Proceeds from public
equity stakes come back into the account and are spent again (recycled).
"""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING

import mesa

from ecosim.ledger import GOVERNMENT_CHART

if TYPE_CHECKING:
    from ecosim.model import EcosystemModel


class Government(mesa.Agent):
    """The municipal government's sci-tech finance budget.

    Attributes:
        spending: Public money spent this month, by purpose (reset monthly).
        spent_total: Public money spent since the start, by purpose.
        recycled_total: Proceeds returned from public equity stakes.
    """

    def __init__(self, model: EcosystemModel) -> None:
        super().__init__(model)
        self.accounts = model.ledger.open("government", GOVERNMENT_CHART)
        self.treasury = model.ledger.external_owner("treasury")
        self.spending: dict[str, float] = defaultdict(float)
        self.spent_total: dict[str, float] = defaultdict(float)
        self.recycled_total = 0.0
        self.recycled_month = 0.0

    @property
    def cash(self) -> float:
        return float(self.model.ledger.balance[self.accounts["cash"]])

    def receive_budget(self, amount: float) -> None:
        """The treasury pays the yearly sci-tech budget into the account."""
        if amount > 0:
            self.model.ledger.transfer("fiscal_budget", self.treasury["cash"], self.treasury["net_flow"],
                                       self.accounts["cash"], self.accounts["net_position"], amount)

    def ensure_cash(self, amount: float) -> None:
        """Top the account up from the treasury so that it can pay ``amount``."""
        short = amount - self.cash
        if short > 1e-12:
            self.model.ledger.transfer("fiscal_topup", self.treasury["cash"], self.treasury["net_flow"],
                                       self.accounts["cash"], self.accounts["net_position"], short)

    def record_spending(self, purpose: str, amount: float) -> None:
        """Count public money spent for one purpose."""
        self.spending[purpose] += float(amount)
        self.spent_total[purpose] += float(amount)

    def record_recycled(self, amount: float) -> None:
        """Count public money that came back from equity stakes."""
        self.recycled_total += float(amount)
        self.recycled_month += float(amount)

    def close_month(self) -> dict[str, float]:
        out = dict(self.spending)
        out["recycled"] = self.recycled_month
        self.spending = defaultdict(float)
        self.recycled_month = 0.0
        return out
