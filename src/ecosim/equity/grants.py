"""Grants-to-investment (拨改投): fiscal grants to firms become equity stakes held by the government.

When the switch is on, a share of the start-up grants is paid as equity: the
government's grants-to-investment vehicle buys new shares of the firm at a
fixed pre-money valuation instead of giving the money away. The vehicle is an
equity holder like any other, so its stakes are diluted, cashed out on exit
and written off on failure. Exit proceeds are public money recycled: with
``grant_equity.reinvest`` they stay in the vehicle and pay for new stakes
before any new budget money is drawn; otherwise they return to the budget,
split into the return of the budget's capital (its stake in the vehicle falls,
never below zero) and the gain (the government's income).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from ecosim.equity.funds import Investor, split_distribution

if TYPE_CHECKING:
    from ecosim.model import EcosystemModel


class GrantEquity(Investor):
    """The government's grants-to-investment vehicle.

    Attributes:
        recycled: Exit proceeds received back (public money recycled).
        reinvested: Recycled money spent again on new stakes.
        new_money: Budget money drawn for stakes.
    """

    kind = "grant"

    def __init__(self, model: EcosystemModel) -> None:
        super().__init__(model, "grant_equity")
        self.recycled = 0.0
        self.reinvested = 0.0
        self.new_money = 0.0
        self.returned_capital = 0.0
        model.graph.add_node(self.unique_id, "grant_equity")
        model.graph.link([model.government.unique_id], [self.unique_id], "fund_commitment")

    def public_share(self) -> float:
        return 1.0

    def is_investing(self) -> bool:
        return self.model.params.grant_equity.enabled

    def fund(self, amount: float) -> None:
        """Pay for a stake from recycled proceeds first, then from the government budget."""
        from_recycled = min(self.cash, amount)
        self.reinvested += from_recycled
        new = amount - from_recycled
        if new > 1e-12:
            gov = self.model.government
            gov.ensure_cash(new)
            self.model.ledger.transfer("grant_equity_funding", gov.accounts["cash"], gov.accounts["equity_stakes"],
                                       self.accounts["cash"], self.accounts["lp_public"], new)
            gov.record_spending("grants_to_investment", new)
            self.new_money += new

    def on_proceeds(self, proceeds: float, cost: float) -> None:
        """Proceeds are recycled public money: kept for new stakes, or returned to the budget."""
        super().on_proceeds(proceeds, cost)
        self.recycled += proceeds
        gov = self.model.government
        if self.model.params.grant_equity.reinvest:
            gov.record_recycled(proceeds)
            self.model.tally["grant_equity_recycled"] += proceeds
            return
        led = self.model.ledger
        capital, gain = split_distribution(proceeds, self.new_money - self.returned_capital)
        if capital > 0:
            led.transfer("grant_equity_return", self.accounts["cash"], self.accounts["lp_public"],
                         gov.accounts["cash"], gov.accounts["equity_stakes"], capital)
        if gain > 0:
            led.transfer("grant_equity_return", self.accounts["cash"], self.accounts["retained"],
                         gov.accounts["cash"], gov.accounts["net_position"], gain)
        self.returned_capital += capital
        gov.record_recycled(proceeds)
        self.model.tally["grant_equity_recycled"] += proceeds


def convert_grants(model: EcosystemModel, rows: np.ndarray, size: float) -> np.ndarray:
    """Pay a share of this month's start-up grants as equity stakes; return the rows still to get a grant.

    Args:
        model: The model.
        rows: Firms chosen for a start-up grant this month.
        size: The grant, million yuan.

    Returns:
        The rows that receive an ordinary grant (all of them when the switch is off).
    """
    from ecosim.equity.investing import RoundBatch, make_round

    g = model.params.grant_equity
    vehicle = getattr(model, "grant_equity", None)
    if not g.enabled or vehicle is None or len(rows) == 0 or g.share <= 0:
        return rows
    # Every grantee ranks by the same draw whatever the share, so converted firms nest as the share grows.
    n_convert = int(round(g.share * len(rows)))
    converted, kept = rows[:n_convert], rows[n_convert:]
    converted_rows = converted.tolist()
    # The rounds are recorded in one batch when every round is in a different firm.
    batch = RoundBatch() if len(set(converted_rows)) == len(converted_rows) else None
    for row in converted_rows:
        make_round(model, [(vehicle, size)], row, g.pre_money, batch)
    if batch is not None:
        batch.record(model)
    model.tally["grant_equity_stakes"] += len(converted)
    return kept
