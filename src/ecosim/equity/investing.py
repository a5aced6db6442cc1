"""Equity phases: fund managers screen deal flow and invest; funds at the end of their life exit.

A manager sees the platform rating, its own due-diligence reading of the firm
(sharper when a partner team referred the firm or the firm discloses on a
regional board), and, for private investors, the crowding-in signal of a
guidance fund already on the cap table. It backs the best firms above its
threshold, within its deal capacity, stage focus and sectors; its own
portfolio firms come first (follow-on rounds). A round prices the firm from
its stage, progress, revenue and the manager's view; earlier holders are
diluted. A private VC may join a guidance fund's round as co-investor.
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING

import numpy as np

from ecosim.common_random import firm_draws
from ecosim.credit.officer import lender_view
from ecosim.equity.funds import AicFund, SubFund, VentureFund
from ecosim.equity.holdings import sell_stake
from ecosim.equity.signals import crowding_in
from ecosim.firms.state import ACTIVE, SEED

if TYPE_CHECKING:
    from ecosim.equity.funds import Investor
    from ecosim.equity.holdings import Holdings
    from ecosim.model import EcosystemModel

#: Ticket multiplier and pre-money valuation (million yuan) by stage: seed, early, growth, mature.
STAGE_TICKET = np.array([0.5, 1.0, 2.5, 5.0])
STAGE_PRE_MONEY = np.array([10.0, 35.0, 90.0, 200.0])
#: Precision of a manager's own due diligence on a firm's quality.
DUE_DILIGENCE_PRECISION = 1.0
#: How much an existing investor's inside knowledge lifts a portfolio firm in its ranking (sd of quality).
FOLLOW_ON_EDGE = 0.5
#: Annual revenue multiple below which a round is never priced.
REVENUE_MULTIPLE = 4.0
#: Smallest deal, million yuan.
MIN_DEAL = 0.05


def round_price(model: EcosystemModel, row: int, view: float) -> float:
    """Pre-money valuation of a new round: stage, progress toward the next stage, the view, and revenue."""
    f = model.firms
    stage_value = STAGE_PRE_MONEY[f.stage[row]] * (1.0 + float(f.progress[row])) * np.exp(0.4 * view)
    return float(max(stage_value, REVENUE_MULTIPLE * 12.0 * float(f.revenue[row])))


def invest(model: EcosystemModel) -> None:
    """Every investing fund picks its deals among firms seeking money this month."""
    f = model.firms
    rng = model.streams.equity
    n = len(f)
    n_inv = max(len(model.investors), 1)
    dd_noise = firm_draws(model, rng, "standard_normal")
    co_draw = firm_draws(model, rng, "random")
    order = model.streams.funds.permutation(n_inv)  # per investor: their number depends on the policy
    deal_draws = model.streams.funds.random(n_inv)
    seeking = (f.status == ACTIVE) & (f.need_since >= 0) & (f.pending_until < 0)
    # Work on the firms seeking money this month only (a small share of all rows).
    seekers = np.flatnonzero(seeking)
    if len(seekers) == 0:
        return
    pf = model.params.funds
    pb = model.params.boards
    dd_precision = (DUE_DILIGENCE_PRECISION + pf.referral_precision * (f.visits[seekers] > 0)
                    + (pb.nurture_precision * (f.board[seekers] >= 0) if pb.enabled else 0.0))
    dd_signal = f.quality[seekers] + dd_noise[seekers] / np.sqrt(dd_precision)
    rating, rating_precision = f.rating[seekers], f.rating_precision[seekers]
    # Each manager's view of every seeker. A firm's crowding-in signal only changes when a guidance fund
    # backs it, and a firm backed this month is off the market, so the views hold for the whole month.
    views = {
        True: lender_view(rating, rating_precision, dd_signal, dd_precision, 0.0).mean,
        False: lender_view(rating, rating_precision, dd_signal, dd_precision, crowding_in(model, seekers)).mean,
    }
    position = np.full(n, -1, dtype=np.int64)
    position[seekers] = np.arange(len(seekers))
    # Only seekers viewed at least as well as the lowest threshold of this month's investors can be backed.
    # A fund not investing at the start of the phase does not start during it (only deals change its state).
    investing = {inv for inv in model.investors if isinstance(inv, (SubFund, VentureFund)) and inv.is_investing()}
    floor = min((inv.min_signal() for inv in investing), default=-np.inf)
    deal_flow = _DealFlow(views, f.stage[seekers], f.sector[seekers], f.rel_bank[seekers], floor)
    # Stakes only end outside this phase and new ones are in firms just funded, so portfolios hold all month.
    portfolios = _portfolios(model.holdings, position) if pf.follow_on else {}
    batch = RoundBatch()  # the month's rounds, each in a different firm
    deal_draw = deal_draws.tolist()
    for j in order.tolist():
        if j >= len(model.investors):
            continue
        inv = model.investors[j]
        if inv not in investing:
            continue
        p = inv.params
        k = int(p.deals_per_month) + int(deal_draw[j] < p.deals_per_month % 1)
        if k == 0 or not inv.is_investing():
            continue
        for at, s in deal_flow.best(inv, k, portfolios.get(inv.index, [])):
            row = int(seekers[at])
            amount = min(p.ticket * float(STAGE_TICKET[f.stage[row]]), inv.available())
            if amount < MIN_DEAL:
                break
            backers = [(inv, amount)]
            if inv.guidance and co_draw[row] < model.params.venture.co_invest:
                co = co_investor(model, row, amount)
                if co is not None:
                    backers.append((co, amount))
            make_round(model, backers, row, round_price(model, row, s), batch)
            deal_flow.funded.add(at)
    batch.record(model)


def _portfolios(h: Holdings, position: np.ndarray) -> dict[int, list[int]]:
    """For each investor, the positions among this month's seekers of the firms it holds stakes in.

    Args:
        h: The holdings.
        position: Position of each firm row among the seekers; -1 for firms not seeking.
    """
    stakes = np.flatnonzero(h.active)
    at = position[h.firm[stakes]]
    seeking = at >= 0
    portfolios: dict[int, list[int]] = {}
    for investor, firm_at in zip(h.investor[stakes][seeking].tolist(), at[seeking].tolist(), strict=True):
        portfolios.setdefault(investor, []).append(firm_at)
    return portfolios


class _DealFlow:
    """This month's seekers as managers see them, and the pick of each manager's best deals.

    Positions refer to the seekers (firms seeking money this month, in row order).

    Args:
        views: The view of every seeker's quality held by guidance-fund managers (key True) and by
            other managers (key False).
        stage, sector, rel_bank: The seekers' stage, sector and relationship bank.
        floor: The lowest screening threshold expected this month: seekers viewed below it are left out
            of the rankings until a manager's threshold falls below it.

    Attributes:
        funded: Positions of the seekers funded so far this month (off the market).
    """

    def __init__(self, views: dict[bool, np.ndarray], stage: np.ndarray, sector: np.ndarray,
                 rel_bank: np.ndarray, floor: float = -np.inf) -> None:
        self.views = views
        self.view = {guidance: mean.tolist() for guidance, mean in views.items()}
        self.stage = stage
        self.sector = sector
        self.rel_bank = rel_bank
        self.funded: set[int] = set()
        self._rank(floor)

    def _rank(self, floor: float) -> None:
        """Rank the seekers whose view is at least ``floor`` (the lowest threshold expected), best first."""
        self.floor = floor
        self._ranking = {}
        for guidance, mean in self.views.items():
            above = np.flatnonzero(mean >= floor)
            self._ranking[guidance] = above[np.argsort(-mean[above], kind="stable")]
        self._ranked: dict[tuple, list[int]] = {}

    def ranked(self, inv: Investor) -> list[int]:
        """Positions of the seekers within ``inv``'s stage focus, sectors and (AIC) bank, best view first.

        Ties keep seeker order. Computed once per kind of manager and screen each month.
        """
        key = (inv.guidance, inv.stage_focus(), inv.sectors(), inv.bank if isinstance(inv, AicFund) else None)
        out = self._ranked.get(key)
        if out is None:
            guidance, stages, sectors, bank = key
            within = _lookup(stages)[self.stage]
            if sectors is not None:
                within &= _lookup(sectors)[self.sector]
            if bank is not None:
                within &= self.rel_bank == bank
            ranking = self._ranking[guidance]
            out = self._ranked[key] = ranking[within[ranking]].tolist()
        return out

    def best(self, inv: Investor, k: int, portfolio: list[int]) -> list[tuple[int, float]]:
        """The ``k`` best firms still unfunded that ``inv`` would back, best first, as (position, view).

        Candidates are the firms within the manager's screen and, for follow-on rounds, the firms in its
        portfolio (``portfolio``: their positions), whatever the screen. A candidate's score is the
        manager's view, plus :data:`FOLLOW_ON_EDGE` for portfolio firms; only scores of at least the
        manager's threshold count, and ties go to the earlier position.
        """
        view = self.view[inv.guidance]
        threshold = inv.min_signal()
        if threshold < self.floor:
            self._rank(-np.inf)
        funded = self.funded
        held = {at for at in portfolio if at not in funded}
        scored = [(view[at] + FOLLOW_ON_EDGE, at) for at in held]
        scored = [(score, at) for score, at in scored if score >= threshold]
        fresh = 0
        for at in self.ranked(inv):  # best view first: stop at the k-th new candidate or below the threshold
            if view[at] < threshold or fresh == k:
                break
            if at not in funded and at not in held:
                scored.append((view[at], at))
                fresh += 1
        if len(scored) > 1:
            scored.sort(key=lambda c: (-c[0], c[1]))
        return [(at, view[at]) for _, at in scored[:k]]


@functools.lru_cache(maxsize=256)
def _lookup(codes: tuple[int, ...]) -> np.ndarray:
    """A table answering "is this code one of ``codes``?" by indexing (codes are small integers; read only)."""
    table = np.zeros(64, dtype=bool)
    table[list(codes)] = True
    table.flags.writeable = False
    return table


def co_investor(model: EcosystemModel, row: int, amount: float) -> Investor | None:
    """The private VC fund with the most cash that can match a guidance fund's ticket in this firm."""
    best = None
    best_cash = 0.0
    for inv in model.investors:
        if type(inv) is VentureFund:
            cash = inv.cash
            if cash >= amount and (best is None or cash > best_cash):
                best, best_cash = inv, cash
    return best


class RoundBatch:
    """The new stakes, investment events and investment relationships of a series of rounds.

    A phase that makes many rounds collects their records here and writes them with :meth:`record`,
    in the order of the rounds, as one block each to the holdings, the event log and the graph. The
    rounds of a batch must be in different firms (a round dilutes the stakes already in the holdings),
    and nothing else may record events or relationships before :meth:`record` is called.
    """

    def __init__(self) -> None:
        self.stakes: list[tuple] = []  # tuples of ecosim.equity.holdings.STAKE_FIELDS
        self.investments: list[tuple] = []  # (firm id, investor id, amount, post-money, round)

    def record(self, model: EcosystemModel) -> None:
        """Write the collected records and start an empty batch."""
        model.holdings.add_stakes(self.stakes)
        if self.investments:
            firm_id, investor_id, amount, post, rnd = (np.array(c) for c in zip(*self.investments, strict=True))
            model.graph.link(firm_id, investor_id, "investment")
            model.events.record(model.month, "investment", firm_id=firm_id, counterparty_id=investor_id,
                                amount=amount, detail=post, round=rnd)
        self.stakes, self.investments = [], []


def make_round(model: EcosystemModel, backers: list[tuple[Investor, float]], row: int, pre_money: float,
               batch: RoundBatch | None = None) -> None:
    """Investors buy new shares of a firm in one round: capital calls, payment, dilution, holdings, events.

    Args:
        model: The model.
        backers: (investor, amount) pairs joining the round.
        row: The firm's row.
        pre_money: Pre-money valuation of the round.
        batch: Where to collect the round's new stakes, events and relationships when the caller records
            a series of rounds at once (:class:`RoundBatch`); by default they are recorded at once.
    """
    f = model.firms
    led = model.ledger
    tally = model.tally
    month = model.month
    total = sum(a for _, a in backers)
    post = pre_money + total
    earlier = model.holdings.of_firm(row)
    if earlier:
        model.holdings.stake[earlier] *= pre_money / post
    rnd = int(f.rounds[row]) + 1
    f.rounds[row] = rnd
    if f.stage[row] == SEED and any(inv.kind != "grant" for inv, _ in backers):
        f.seed_financed[row] = True
        tally["seed_rounds"] += 1
    firm_cash, firm_paid_in, firm_id = int(f.acct_cash[row]), int(f.acct_paid_in[row]), int(f.agent_id[row])
    records = RoundBatch() if batch is None else batch
    fund_backed = bool(f.fund_backed[row])
    for inv, amount in backers:
        inv.fund(amount)
        accounts = inv.accounts
        led.transfer("equity_investment", accounts["cash"], accounts["investments"], firm_cash, firm_paid_in, amount)
        records.stakes.append((inv.index, row, amount / post, amount, month, rnd))
        records.investments.append((firm_id, inv.unique_id, amount, post, rnd))
        inv.record_investment(amount)
        if fund_backed and not inv.guidance:
            tally["equity_crowded_in"] += amount
        if inv.guidance and not fund_backed:
            fund_backed = True
            f.fund_backed[row] = True
            f.first_fund_month[row] = month
    if batch is None:
        records.record(model)
    f.equity_raised[row] += total
    f.valuation[row] = post
    f.need_since[row] = -1
    tally["equity_invested"] += total
    tally["equity_rounds"] += 1


def manage_funds(model: EcosystemModel) -> None:
    """Sub-funds at the end of their life sell what they still hold to S funds (secondaries) and close."""
    life = model.params.funds.life_months
    discount = model.params.funds.secondary_discount
    f = model.firms
    buyers = model.ledger.external_owner("secondary_funds")
    for inv in model.investors:
        if not isinstance(inv, SubFund) or inv.closed or inv.age < life:
            continue
        for i in model.holdings.of_investor(inv.index).tolist():
            row = int(model.holdings.firm[i])
            value = discount * float(model.holdings.stake[i]) * float(f.valuation[row])
            sell_stake(model, i, value, buyers, "secondary")
        inv.realise_outside()
        inv.closed = True
