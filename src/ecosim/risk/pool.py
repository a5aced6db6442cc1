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
import numpy as np

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

    def eligible(self, principal, guaranteed):
        """Which loans the pool covers: tech loans within the size limit that carry no guarantee."""
        p = self.model.params.pool
        return p.enabled & (np.asarray(principal) <= p.max_loan) & ~np.asarray(guaranteed, dtype=bool)

    def expected_cover(self) -> float:
        """Share of a loss a lender expects the pool to bear (0 once the pool is empty)."""
        p = self.model.params.pool
        return p.share if (p.enabled and self.balance > 0) else 0.0

    def reimburse(self, loss: np.ndarray, other_cover: np.ndarray, bank_idx: np.ndarray) -> np.ndarray:
        """Reimburse losses in order until the pool is empty; returns the amounts paid (public spending)."""
        from ecosim.risk.defaults import first_come

        p = self.model.params.pool
        want = np.minimum(np.minimum(p.share * loss, np.maximum(loss - other_cover, 0.0)), p.per_loan_cap)
        paid = first_come(want, self.balance)
        ba = self.model.bank_accounts
        self.model.ledger.transfer("pool_payout", self.accounts["cash"], self.accounts["retained"],
                                   ba["cash"][bank_idx], ba["loans"][bank_idx], paid)
        self.payouts += float(paid.sum())
        return paid
