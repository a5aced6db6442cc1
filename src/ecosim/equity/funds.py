"""Investors as Mesa agents: guidance mother funds, their sub-funds, and private VC funds.

The "6+N" cluster: six industry mother funds, one per target sector, each
committing to N sub-funds. A sub-fund's capital is part public (the mother
fund's commitment, ``funds.gov_share``; more for seed sub-funds) and part
private limited partners'. Capital is called deal by deal in those
proportions, so the government's share of every investment equals its share
of the sub-fund. Proceeds are distributed at once: the public part flows back
through the mother fund to the government budget (recycled), the private part
to the private partners. A sub-fund invests during its investment period and
must exit everything by the end of its life.

A private VC fund invests its own capital and keeps its proceeds, so its
capital grows with its past returns.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import mesa

from ecosim.firms.state import EARLY, GROWTH, SEED
from ecosim.ledger import FUND_CHART

if TYPE_CHECKING:
    from ecosim.model import EcosystemModel


class Investor(mesa.Agent):
    """Common ground of equity investors: accounts, deal capacity, screening threshold."""

    guidance = False

    def __init__(self, model: EcosystemModel, name: str) -> None:
        super().__init__(model)
        self.name = name
        self.accounts = model.ledger.open(name, FUND_CHART)
        self.index = len(model.investors)
        model.investors.append(self)
        self.invested = 0.0
        self.distributed = 0.0
        self.written_off = 0.0
        self.deals = 0

    @property
    def cash(self) -> float:
        return float(self.model.ledger.balance[self.accounts["cash"]])

    def available(self) -> float:
        """Money it can still invest now."""
        return self.cash

    def is_investing(self) -> bool:
        return self.available() > 0

    def stage_focus(self) -> tuple[int, ...]:
        return (SEED, EARLY, GROWTH)

    def sectors(self) -> tuple[int, ...] | None:
        return None

    def fund(self, amount: float) -> None:
        """Make ``amount`` of cash available for a deal (capital calls for sub-funds)."""

    def on_proceeds(self, proceeds: float) -> None:
        self.distributed += proceeds

    def on_writeoff(self, cost: float) -> None:
        self.written_off += cost


class MotherFund(mesa.Agent):
    """A government industry mother fund for one target sector."""

    def __init__(self, model: EcosystemModel, sector: int) -> None:
        super().__init__(model)
        self.sector = sector
        self.accounts = model.ledger.open(f"mother_fund{sector}", FUND_CHART)
        self.subfunds: list[SubFund] = []
        self.called = 0.0

    def call(self, amount: float) -> None:
        """Pass a sub-fund's public capital call on to the government budget."""
        gov = self.model.government
        gov.ensure_cash(amount)
        self.model.ledger.transfer("mother_fund_call", gov.accounts["cash"], gov.accounts["fund_stakes"],
                                   self.accounts["cash"], self.accounts["lp_public"], amount)
        gov.record_spending("guidance_funds", amount)
        self.called += amount

    def pass_back(self, amount: float) -> None:
        """Return a sub-fund's public distribution to the government budget (recycled money)."""
        gov = self.model.government
        self.model.ledger.transfer("mother_fund_distribution", self.accounts["cash"], self.accounts["lp_public"],
                                   gov.accounts["cash"], gov.accounts["fund_stakes"], amount)
        gov.record_recycled(amount)


class SubFund(Investor):
    """A guidance sub-fund: public and private partners, a manager, a stage focus and a life."""

    guidance = True

    def __init__(self, model: EcosystemModel, mother: MotherFund, number: int, stage: int, size: float,
                 gov_share: float) -> None:
        super().__init__(model, f"subfund{mother.sector}_{number}")
        self.mother = mother
        self.stage = stage
        self.committed = size
        self.gov_share = gov_share
        self.called = 0.0
        self.called_public = 0.0
        self.opened = model.month
        self.closed = False
        mother.subfunds.append(self)
        model.graph.add_node(self.unique_id, "subfund")
        model.graph.link([mother.unique_id], [self.unique_id], "fund_commitment")

    @property
    def age(self) -> int:
        return self.model.month - self.opened

    def uncalled(self) -> float:
        return max(0.0, self.committed - self.called)

    def available(self) -> float:
        return self.uncalled() if self.is_investing() else 0.0

    def is_investing(self) -> bool:
        return not self.closed and self.age < self.model.params.funds.investment_months and self.uncalled() > 0

    def stage_focus(self) -> tuple[int, ...]:
        return (self.stage,) if self.stage != GROWTH else (EARLY, GROWTH)

    def sectors(self) -> tuple[int, ...]:
        return (self.mother.sector,)

    def fund(self, amount: float) -> None:
        """Call ``amount`` from the partners pro rata: public via the mother fund, private from outside."""
        led = self.model.ledger
        public = amount * self.gov_share
        private = amount - public
        self.mother.call(public)
        led.transfer("subfund_call", self.mother.accounts["cash"], self.mother.accounts["investments"],
                     self.accounts["cash"], self.accounts["lp_public"], public)
        lps = led.external_owner("private_lps")
        led.transfer("subfund_call", lps["cash"], lps["net_flow"], self.accounts["cash"], self.accounts["lp_private"],
                     private)
        self.called += amount
        self.called_public += public
        self.model.tally["equity_public"] += public
        self.model.tally["equity_private"] += private

    def on_proceeds(self, proceeds: float) -> None:
        """Distribute proceeds at once: public share back to the budget, private share to the partners."""
        super().on_proceeds(proceeds)
        led = self.model.ledger
        public = proceeds * self.gov_share
        led.transfer("subfund_distribution", self.accounts["cash"], self.accounts["lp_public"],
                     self.mother.accounts["cash"], self.mother.accounts["investments"], public)
        self.mother.pass_back(public)
        lps = led.external_owner("private_lps")
        led.transfer("subfund_distribution", self.accounts["cash"], self.accounts["lp_private"], lps["cash"],
                     lps["net_flow"], proceeds - public)


class VentureFund(Investor):
    """A private VC fund investing its own capital, which grows with its returns."""

    def __init__(self, model: EcosystemModel, number: int, capital: float) -> None:
        super().__init__(model, f"vc{number}")
        lps = model.ledger.external_owner("private_lps")
        model.ledger.transfer("vc_capital", lps["cash"], lps["net_flow"], self.accounts["cash"],
                              self.accounts["lp_private"], capital)
        model.graph.add_node(self.unique_id, "venture_fund")

    def fund(self, amount: float) -> None:
        self.model.tally["equity_private"] += amount
