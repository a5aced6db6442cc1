"""Equity phases: fund managers screen deal flow and invest; funds at the end of their life exit.

A manager sees the platform rating, its own due-diligence reading of the
firm, and (for private investors) the signal of a guidance fund already on the
cap table (crowding-in). It backs the best firms above its threshold, within
its deal capacity, stage focus and sectors. A round prices the firm from its
stage and the manager's view; earlier holders are diluted.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from ecosim.credit.officer import lender_view
from ecosim.equity.funds import SubFund
from ecosim.equity.holdings import sell_stake
from ecosim.firms.state import ACTIVE

if TYPE_CHECKING:
    from ecosim.equity.funds import Investor
    from ecosim.model import EcosystemModel

#: Ticket multiplier and pre-money valuation (million yuan) by stage: seed, early, growth, mature.
STAGE_TICKET = np.array([0.5, 1.0, 2.5, 5.0])
STAGE_PRE_MONEY = np.array([6.0, 20.0, 60.0, 150.0])
#: Precision of a manager's own due diligence on a firm's quality.
DUE_DILIGENCE_PRECISION = 1.0
#: Discount at which a fund at the end of its life sells a stake to a secondary (S) fund.
SECONDARY_DISCOUNT = 0.8


def invest(model: EcosystemModel) -> None:
    """Every investing fund picks its deals among firms seeking money this month."""
    f = model.firms
    rng = model.streams.equity
    n = len(f)
    dd_noise = rng.standard_normal(n)
    order = rng.permutation(max(len(model.investors), 1))
    deal_draws = rng.random(max(len(model.investors), 1))
    seeking = (f.status == ACTIVE) & (f.need_since >= 0) & (f.pending_until < 0)
    if not seeking.any():
        return
    funded = np.zeros(n, dtype=bool)
    dd_signal = f.quality + dd_noise / np.sqrt(DUE_DILIGENCE_PRECISION)
    for j in order.tolist():
        if j >= len(model.investors):
            continue
        inv = model.investors[j]
        if not inv.is_investing():
            continue
        p = model.params.funds if inv.guidance else model.params.venture
        k = int(p.deals_per_month) + int(deal_draws[j] < p.deals_per_month % 1)
        if k == 0:
            continue
        ok = seeking & ~funded & np.isin(f.stage, inv.stage_focus())
        sectors = inv.sectors()
        if sectors is not None:
            ok &= np.isin(f.sector, sectors)
        cand = np.flatnonzero(ok)
        if len(cand) == 0:
            continue
        bonus = 0.0 if inv.guidance else model.params.funds.crowding_in * f.fund_backed[cand]
        view = lender_view(f.rating[cand], f.rating_precision[cand], dd_signal[cand],
                           np.full(len(cand), DUE_DILIGENCE_PRECISION), bonus)
        good = view.mean >= p.min_signal
        cand, score = cand[good], view.mean[good]
        if len(cand) == 0:
            continue
        pick = cand[np.argsort(-score, kind="stable")[:k]]
        pick_score = np.sort(score)[::-1][:k]
        for row, s in zip(pick.tolist(), pick_score.tolist(), strict=True):
            amount = min(p.ticket * STAGE_TICKET[f.stage[row]], inv.available())
            if amount < 0.05:
                break
            make_round(model, inv, row, amount, STAGE_PRE_MONEY[f.stage[row]] * np.exp(0.4 * s))
            funded[row] = True


def make_round(model: EcosystemModel, inv: Investor, row: int, amount: float, pre_money: float) -> None:
    """One investor buys new shares of a firm: capital call, payment, dilution, holding, events."""
    f = model.firms
    led = model.ledger
    inv.fund(amount)
    led.transfer("equity_investment", inv.accounts["cash"], inv.accounts["investments"], f.acct_cash[row],
                 f.acct_paid_in[row], amount)
    post = pre_money + amount
    h = model.holdings
    earlier = h.of_firms(np.array([row]))
    h.stake[earlier] *= pre_money / post
    h.add(1, investor=inv.index, firm=row, stake=amount / post, cost=amount, month=model.month)
    inv.invested += amount
    inv.deals += 1
    f.equity_raised[row] += amount
    f.valuation[row] = post
    f.need_since[row] = -1
    if inv.guidance:
        f.fund_backed[row] = True
    model.graph.link([f.agent_id[row]], [inv.unique_id], "investment")
    model.events.record(model.month, "investment", firm_id=f.agent_id[row], counterparty_id=inv.unique_id,
                        amount=amount, detail=post)
    model.tally["equity_invested"] += amount


def manage_funds(model: EcosystemModel) -> None:
    """Sub-funds at the end of their life sell what they still hold to secondary funds and close."""
    life = model.params.funds.life_months
    f = model.firms
    buyers = model.ledger.external_owner("secondary_funds")
    for inv in model.investors:
        if not isinstance(inv, SubFund) or inv.closed or inv.age < life:
            continue
        for i in model.holdings.of_investor(inv.index).tolist():
            row = int(model.holdings.firm[i])
            value = SECONDARY_DISCOUNT * float(model.holdings.stake[i]) * float(f.valuation[row])
            sell_stake(model, i, value, buyers, "secondary")
        inv.closed = True
