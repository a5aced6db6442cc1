"""Investors as Mesa agents: guidance mother funds, their sub-funds, private VC funds and AIC funds.

The "6+N" cluster: six industry mother funds, one per target sector, each
committing to N sub-funds. A sub-fund's capital is part public (the mother
fund's commitment, ``funds.gov_share``; ``funds.seed_gov_share`` for seed
sub-funds) and part private limited partners'. Capital is called deal by deal
in those proportions, so the government's share of every investment equals its
share of the sub-fund. Proceeds are distributed at once: the public part flows
back through the mother fund to the government budget (recycled), the private
part to the private partners, with an optional profit concession that hands
part of the government's profit to the private partners. Every distribution
is split into a return of capital (at most what the partner still has in the
fund, booked against its stake) and a gain (booked as income of the partner),
so no stake is ever credited below zero. A sub-fund invests
during its investment period, stops investing once its write-offs pass its
loss tolerance, keeps a local-reinvestment share, and must exit everything by
the end of its life.

A private VC fund invests its own capital and keeps its proceeds, so its
capital grows with its past returns; while its realised multiple is below its
return target it screens more strictly. An AIC fund (a bank's financial asset
investment company) is a VC-like investor that backs firms banking with it.

Every investor keeps its dated cash flows (``flows``: paid in negative, paid
out positive), from which :mod:`ecosim.equity.returns` computes TVPI, DPI and IRR.
"""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING

import mesa

from ecosim.firms.state import EARLY, GROWTH, SEED
from ecosim.ledger import FUND_CHART

if TYPE_CHECKING:
    from ecosim.model import EcosystemModel

#: Multiple at which a sub-fund's out-of-region investments are realised at the end of its life.
OUTSIDE_MULTIPLE = 1.2
#: Realised deals a VC needs before it compares its multiple with its target.
TARGET_MIN_DEALS = 5


def split_distribution(amount: float, outstanding: float) -> tuple[float, float]:
    """Split a distribution into the return of capital (at most the ``outstanding`` capital) and the gain.

    Returns:
        ``(capital, gain)``, both ≥ 0, summing to ``amount`` (for ``amount`` ≥ 0).
    """
    capital = min(max(amount, 0.0), max(outstanding, 0.0))
    return capital, max(amount - capital, 0.0)


class Investor(mesa.Agent):
    """Common ground of equity investors: accounts, capacity, screening, cash flows and records.

    Attributes:
        name: Ledger owner name. kind: ``subfund``, ``venture``, ``aic`` or ``grant_equity``.
        index: Position in ``model.investors`` (the holdings' ``investor`` column).
        invested, distributed, written_off: Money put in, proceeds received, cost written off.
        deals: Rounds joined. flows: Net cash flow with its partners by month.
    """

    guidance = False
    kind = "investor"

    def __init__(self, model: EcosystemModel, name: str) -> None:
        super().__init__(model)
        self.name = name
        self.accounts = model.ledger.open(name, FUND_CHART)
        self.index = len(model.investors)
        model.investors.append(self)
        self.invested = 0.0
        self.distributed = 0.0
        self.written_off = 0.0
        self.realised_cost = 0.0
        self.deals = 0
        self.opened = model.month
        self.closed = False
        self.flows: defaultdict[int, float] = defaultdict(float)

    @property
    def cash(self) -> float:
        return float(self.model.ledger.balance[self.accounts["cash"]])

    @property
    def committed(self) -> float:
        """Capital the investor can ever deploy (its cash for investors without commitments)."""
        return self.invested + self.cash

    def available(self) -> float:
        """Money it can still invest in a local deal now."""
        return self.cash

    def is_investing(self) -> bool:
        return not self.closed and self.available() > 0

    def stage_focus(self) -> tuple[int, ...]:
        return (SEED, EARLY, GROWTH)

    def sectors(self) -> tuple[int, ...] | None:
        return None

    def min_signal(self) -> float:
        """Screening threshold on the investor's view of a firm's quality."""
        return self.params.min_signal

    @property
    def params(self):
        return self.model.params.funds if self.guidance else self.model.params.venture

    def public_share(self) -> float:
        """Share of each investment that is government money."""
        return 0.0

    def fund(self, amount: float) -> None:
        """Make ``amount`` of cash available for a deal (capital calls for sub-funds)."""

    def record_investment(self, amount: float) -> None:
        """Count a deal of ``amount``: by source of money and in the investor's cash flows."""
        public = amount * self.public_share()
        t = self.model.tally
        t["equity_public"] += public
        t["equity_private"] += amount - public
        t[f"equity_{self.kind}"] += amount
        self.invested += amount
        self.deals += 1
        self.flows[self.model.month] -= amount

    def on_proceeds(self, proceeds: float, cost: float) -> None:
        self.distributed += proceeds
        self.realised_cost += cost
        self.flows[self.model.month] += proceeds

    def on_writeoff(self, cost: float) -> None:
        self.written_off += cost
        self.realised_cost += cost

    def nav(self) -> float:
        """Net asset value of the stakes still held, at each firm's last-round valuation."""
        h = self.model.holdings
        idx = h.of_investor(self.index)
        return float((h.stake[idx] * self.model.firms.valuation[h.firm[idx]]).sum())


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

    def pass_back(self, capital: float, gain: float = 0.0) -> None:
        """Return a sub-fund's public distribution to the government budget (recycled money).

        Args:
            capital: Return of the government's capital: reduces its stake in the mother fund.
            gain: Profit on top: the government's income.
        """
        gov = self.model.government
        led = self.model.ledger
        if capital > 0:
            led.transfer("mother_fund_distribution", self.accounts["cash"], self.accounts["lp_public"],
                         gov.accounts["cash"], gov.accounts["fund_stakes"], capital)
        if gain > 0:
            led.transfer("mother_fund_distribution", self.accounts["cash"], self.accounts["retained"],
                         gov.accounts["cash"], gov.accounts["net_position"], gain)
        gov.record_recycled(capital + gain)


class SubFund(Investor):
    """A guidance sub-fund: public and private partners, a manager, a stage focus and a life.

    Args:
        model: The model.
        mother: The mother fund committing the public share.
        number: Its number within the mother fund.
        stage: Stage focus (SEED, EARLY or GROWTH).
        size: Committed capital, million yuan.
        gov_share: Government share of the fund.
    """

    guidance = True
    kind = "guidance"

    def __init__(self, model: EcosystemModel, mother: MotherFund, number: int, stage: int, size: float,
                 gov_share: float) -> None:
        super().__init__(model, f"subfund{mother.sector}_{number}")
        p = model.params.funds
        self.mother = mother
        self.stage = stage
        self._committed = size
        self.gov_share = gov_share
        self.local_share = p.local_share
        self.loss_tolerance = p.seed_loss_tolerance if stage == SEED else p.loss_tolerance
        self.called = 0.0
        self.called_public = 0.0
        self.returned_public = 0.0
        self.returned_private = 0.0
        self.outside_cost = 0.0
        self.outside_proceeds = 0.0
        mother.subfunds.append(self)
        model.graph.add_node(self.unique_id, "subfund")
        model.graph.link([mother.unique_id], [self.unique_id], "fund_commitment")

    @property
    def committed(self) -> float:
        return self._committed

    @property
    def age(self) -> int:
        return self.model.month - self.opened

    def uncalled(self) -> float:
        return max(0.0, self.committed - self.called)

    def public_share(self) -> float:
        return self.gov_share

    def available(self) -> float:
        """Local deal money: the uncalled capital less what the out-of-region share will take along."""
        if not self.is_investing():
            return 0.0
        return self.uncalled() * self.local_share

    def within_tolerance(self) -> bool:
        """Whether write-offs are still within the fund's loss tolerance."""
        return self.written_off <= self.loss_tolerance * max(self.called, 1e-9) or self.called <= 0

    def is_investing(self) -> bool:
        return (not self.closed and self.age < self.model.params.funds.investment_months
                and self.uncalled() > 1e-9 and self.within_tolerance())

    def stage_focus(self) -> tuple[int, ...]:
        return (self.stage,) if self.stage != GROWTH else (EARLY, GROWTH)

    def sectors(self) -> tuple[int, ...]:
        return (self.mother.sector,)

    def fund(self, amount: float) -> None:
        """Call a local deal's ``amount`` from the partners pro rata, and invest the out-of-region share."""
        self._call(amount)
        if self.local_share < 1.0:
            outside = min(amount * (1.0 - self.local_share) / max(self.local_share, 1e-9), self.uncalled())
            if outside > 1e-9:
                self._call(outside)
                ext = self.model.ledger.external_owner("outside_firms")
                self.model.ledger.transfer("outside_investment", self.accounts["cash"], self.accounts["investments"],
                                           ext["cash"], ext["net_flow"], outside)
                self.outside_cost += outside
                self.invested += outside
                self.flows[self.model.month] -= outside
                self.model.tally["equity_outside"] += outside

    def _call(self, amount: float) -> None:
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
        self.model.tally["fund_calls_public"] += public
        self.model.tally["fund_calls_private"] += private

    def public_distribution(self, proceeds: float) -> float:
        """The government's part of a distribution, after any profit concession to the private partners."""
        public = proceeds * self.gov_share
        concession = self.model.params.funds.profit_concession
        if concession > 0:
            before = max(0.0, self.distributed - self.called)
            after = max(0.0, self.distributed + proceeds - self.called)
            public -= concession * self.gov_share * (after - before)
        return public

    def on_proceeds(self, proceeds: float, cost: float) -> None:
        """Distribute proceeds at once: public share back to the budget, private share to the partners.

        Each share returns the partner's capital first (its stake falls, never below zero), the
        rest is the partner's gain, paid out of the fund's retained earnings.
        """
        public = self.public_distribution(proceeds)
        super().on_proceeds(proceeds, cost)
        led = self.model.ledger
        mother = self.mother
        capital, gain = split_distribution(public, self.called_public - self.returned_public)
        if capital > 0:
            led.transfer("subfund_distribution", self.accounts["cash"], self.accounts["lp_public"],
                         mother.accounts["cash"], mother.accounts["investments"], capital)
        if gain > 0:
            led.transfer("subfund_distribution", self.accounts["cash"], self.accounts["retained"],
                         mother.accounts["cash"], mother.accounts["retained"], gain)
        self.returned_public += capital
        mother.pass_back(capital, gain)
        lps = led.external_owner("private_lps")
        private = proceeds - public
        capital, gain = split_distribution(private, self.called - self.called_public - self.returned_private)
        if capital > 0:
            led.transfer("subfund_distribution", self.accounts["cash"], self.accounts["lp_private"], lps["cash"],
                         lps["net_flow"], capital)
        if gain > 0:
            led.transfer("subfund_distribution", self.accounts["cash"], self.accounts["retained"], lps["cash"],
                         lps["net_flow"], gain)
        self.returned_private += capital

    def realise_outside(self) -> None:
        """At the end of its life the fund sells its out-of-region portfolio and distributes the proceeds."""
        if self.outside_cost <= 0:
            return
        led = self.model.ledger
        cost = self.outside_cost
        proceeds = cost * OUTSIDE_MULTIPLE
        ext = led.external_owner("outside_firms")
        led.transfer("outside_exit", ext["cash"], ext["net_flow"], self.accounts["cash"], self.accounts["investments"],
                     proceeds)
        led.post("exit_gain", self.accounts["investments"], self.accounts["retained"], proceeds - cost)
        self.outside_cost = 0.0
        self.outside_proceeds += proceeds
        self.on_proceeds(proceeds, cost)

    def nav(self) -> float:
        return super().nav() + self.outside_cost


class VentureFund(Investor):
    """A private VC fund investing its own capital, which grows with its returns."""

    kind = "venture"

    def __init__(self, model: EcosystemModel, number: int, capital: float, owner: str = "private_lps",
                 prefix: str = "vc") -> None:
        super().__init__(model, f"{prefix}{number}")
        ext = model.ledger.external_owner(owner)
        model.ledger.transfer("vc_capital", ext["cash"], ext["net_flow"], self.accounts["cash"],
                              self.accounts["lp_private"], capital)
        self.capital = capital
        model.graph.add_node(self.unique_id, f"{self.kind}_fund")

    def realised_multiple(self) -> float:
        """Proceeds over cost of the stakes it has exited or written off (NaN before any)."""
        return self.distributed / self.realised_cost if self.realised_cost > 0 else float("nan")

    def min_signal(self) -> float:
        """The base threshold, raised while the realised multiple falls short of the return target."""
        p = self.model.params.venture
        base = p.min_signal
        if self.deals < TARGET_MIN_DEALS or self.realised_cost <= 0 or p.return_target <= 0:
            return base
        shortfall = min(max((p.return_target - self.realised_multiple()) / p.return_target, 0.0), 1.0)
        return base + p.target_strictness * shortfall


class AicFund(VentureFund):
    """A bank-affiliated AIC equity fund: invests in early and growth firms that bank with its parent."""

    kind = "aic"

    def __init__(self, model: EcosystemModel, number: int, capital: float, bank: int) -> None:
        super().__init__(model, number, capital, owner="aic_parents", prefix="aic")
        self.bank = bank
        model.graph.link([model.bank_ids[bank]], [self.unique_id], "fund_commitment")

    def stage_focus(self) -> tuple[int, ...]:
        return (EARLY, GROWTH)


def build_funds(model: EcosystemModel, n_vc: int, n_aic: int, *, jinan_vc: int = 40, jinan_aic: int = 8) -> None:
    """Create the guidance-fund cluster, private VC funds and AIC funds at the model's scale.

    Args:
        model: The model (banks and government already built).
        n_vc: Private VC funds. n_aic: AIC funds.
        jinan_vc: VC funds at Jinan size (their total capital scales with the model).
        jinan_aic: AIC funds at Jinan size.
    """
    p = model.params
    s = p.scale
    model.mother_funds = []
    if p.funds.enabled:
        stages = (SEED, EARLY, GROWTH)
        for sector in range(p.funds.mothers):
            mother = MotherFund(model, sector)
            model.graph.add_node(mother.unique_id, "mother_fund")
            model.graph.link([model.government.unique_id], [mother.unique_id], "fund_commitment")
            for k in range(p.funds.subfunds_per_mother):
                stage = stages[k % 3]
                share = p.funds.seed_gov_share if stage == SEED else p.funds.gov_share
                size = p.funds.subfund_size
                if p.funds.public_commitment is not None:
                    size = p.funds.public_commitment / max(share, 1e-9) if share > 0 else p.funds.subfund_size
                SubFund(model, mother, k, stage, size * s, share)
            model.mother_funds.append(mother)
    for k in range(n_vc):
        VentureFund(model, k, p.venture.capital * s * jinan_vc / max(n_vc, 1))
    for k in range(n_aic):
        AicFund(model, k, p.venture.aic_capital * s * jinan_aic / max(n_aic, 1), k % len(model.banks))
