"""The loan risk-compensation pool (风险补偿资金池).

A government-endowed pool that reimburses lenders a share of the principal lost
on non-performing tech loans, up to a per-loan cap, until it is empty. Cover
from the guarantee and the pool together never exceeds the loss. Banks know
the cover and price it in, which weakens their screening (the known side
effect): see ``ecosim.credit.officer``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import mesa

from ecosim.ledger import POOL_CHART

if TYPE_CHECKING:
    from ecosim.model import EcosystemModel


class RiskPool(mesa.Agent):
    """The government's risk-compensation pool."""

    def __init__(self, model: EcosystemModel, endowment: float) -> None:
        super().__init__(model)
        self.accounts = model.ledger.open("risk_pool", POOL_CHART)
        self.endowment = endowment
        self.payouts = 0.0
        gov = model.government
        if endowment > 0:
            gov.ensure_cash(endowment)
            model.ledger.transfer("pool_endowment", gov.accounts["cash"], gov.accounts["net_position"],
                                  self.accounts["cash"], self.accounts["endowment"], endowment)

    @property
    def balance(self) -> float:
        return float(self.model.ledger.balance[self.accounts["cash"]])

    def eligible(self, principal: float, guaranteed: bool) -> bool:
        """Whether a loan is covered by the pool."""
        p = self.model.params.pool
        return p.enabled and principal <= p.max_loan and not guaranteed

    def expected_cover(self) -> float:
        """Share of a loss a lender expects the pool to bear (0 once the pool is empty)."""
        p = self.model.params.pool
        return p.share if (p.enabled and self.balance > 0) else 0.0

    def reimburse(self, loss: float, other_cover: float, payee_cash: int, payee_contra: int) -> float:
        """Reimburse one loss; returns the amount paid (public spending)."""
        p = self.model.params.pool
        amount = min(p.share * loss, max(0.0, loss - other_cover), p.per_loan_cap, self.balance)
        if amount <= 0:
            return 0.0
        self.model.ledger.transfer("pool_payout", self.accounts["cash"], self.accounts["retained"],
                                   payee_cash, payee_contra, amount)
        self.payouts += amount
        return amount
