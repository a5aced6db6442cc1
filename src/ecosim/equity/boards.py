"""The capital-market ladder: firms climb from the regional equity market to NEEQ and the exchanges.

Boards, in order (codes in :data:`BOARDS`, stored in the firm column ``board``):

* the regional equity market (Qilu Equity Exchange): its sci-tech board
  (科创板) for early-stage tech firms and its "specialised and sophisticated"
  board (专精特新板) for growth firms with revenue. Listing there nurtures a
  firm: its disclosure tells investors more about it (``boards.nurture_precision``);
* NEEQ (the New Third Board): firms with enough growing revenue apply and are
  admitted after a review. From the regional board a firm may apply after
  ``neeq_min_months``; the "four-to-three" green channel (四板转三板) lets it
  apply sooner and shortens the review;
* the exchanges: STAR Market (mature, revenue and patents, profit not
  required), ChiNext (mature, profitable, growing) and the Beijing Stock
  Exchange (from NEEQ, profitable). An exchange listing is an exit: holders
  are cashed out and the firm leaves the model as listed.

A move to a higher market counts as an upgrade; moves out of the regional
market are also counted apart, for the regional board's upgrade rate.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from ecosim.common_random import firm_draws
from ecosim.firms import state as S

if TYPE_CHECKING:
    from ecosim.model import EcosystemModel

#: Board codes (index into this tuple); -1 in the firm column means no board.
BOARDS: tuple[str, ...] = ("regional_sci_tech", "regional_specialised", "neeq", "star", "chinext", "bse")
REGIONAL_SCI_TECH, REGIONAL_SPECIALISED, NEEQ, STAR, CHINEXT, BSE = range(6)
REGIONAL = (REGIONAL_SCI_TECH, REGIONAL_SPECIALISED)
#: Exit value as a multiple of annual revenue, by exchange.
EXCHANGE_MULTIPLE = {STAR: 5.0, CHINEXT: 4.0, BSE: 3.0}


def revenue_growth(model: EcosystemModel, rows: np.ndarray | None = None) -> np.ndarray:
    """Last month's revenue growth (log change; 0 where there was no revenue) of the given rows (default all)."""
    f = model.firms
    revenue = f.revenue if rows is None else f.revenue[rows]
    last = f.revenue_last if rows is None else f.revenue_last[rows]
    ok = (revenue > 0) & (last > 0)
    out = np.zeros(len(revenue))
    out[ok] = np.log(revenue[ok] / last[ok])
    return out


def climb_boards(model: EcosystemModel) -> None:
    """Firms join the regional boards, apply to and enter NEEQ, and list on the exchanges."""
    f = model.firms
    p = model.params.boards
    draws = firm_draws(model, model.streams.firms, "random", 3)  # one block per row every month, whatever the policy
    if not p.enabled:
        f.revenue_last[:] = f.revenue
        return
    month = model.month
    t = model.tally
    # Only operating firms move: every mask below is over their rows (``alive``), in row order. Their
    # board, board month and pending admission are gathered once and kept up to date with the columns.
    alive = np.flatnonzero(f.status == S.ACTIVE)
    draws = np.take(draws, alive, axis=0)
    stage, revenue = f.stage[alive], f.revenue[alive]
    # Revenue growth only counts for firms with the revenue NEEQ or ChiNext asks for (0 for the others).
    growth = np.zeros(len(alive))
    large = revenue >= min(p.neeq_revenue, p.chinext_revenue)
    growth[large] = revenue_growth(model, alive[large])
    profitable = revenue > f.burn[alive]
    board, board_since, admit = f.board[alive], f.board_since[alive], f.admit_month[alive]
    on_regional = (board == REGIONAL_SCI_TECH) | (board == REGIONAL_SPECIALISED)

    # Pending NEEQ applications that are admitted this month.
    is_due = (admit >= 0) & (admit <= month)
    due = alive[is_due]
    if len(due):
        _move(model, due, NEEQ)
        f.admit_month[due] = -1
        board[is_due], board_since[is_due], admit[is_due] = NEEQ, month, -1

    # Regional equity market: eligible firms join; growth firms with revenue go to the specialised board.
    specialised_ok = (stage >= S.GROWTH) & (revenue >= p.specialised_revenue)
    # Firms that already qualify for NEEQ go there directly; the regional boards take the smaller ones.
    joining = ((board < 0) & (admit < 0) & (stage >= S.EARLY) & (stage <= S.GROWTH)
               & (revenue < p.neeq_revenue) & (draws[:, 0] < p.regional_join))
    join = alive[joining]
    if len(join):
        spec = specialised_ok[joining]
        f.board[join] = board[joining] = np.where(spec, REGIONAL_SPECIALISED, REGIONAL_SCI_TECH)
        f.board_since[join] = board_since[joining] = month
        f.regional_since[join] = month
        t["listings_regional_sci_tech"] += int(np.count_nonzero(~spec))
        t["listings_regional_specialised"] += int(np.count_nonzero(spec))
        model.events.record(month, "listing", firm_id=f.agent_id[join], amount=np.zeros(len(join)),
                            channel=f.board[join])
    moving = on_regional & (board == REGIONAL_SCI_TECH) & specialised_ok
    f.board[alive[moving]] = board[moving] = REGIONAL_SPECIALISED  # a transfer within the regional market

    # NEEQ applications: from the regional board (green channel when on) or directly.
    months_on = month - board_since
    min_months = p.green_min_months if p.four_to_three else p.neeq_min_months
    review = p.green_review_months if p.four_to_three else p.neeq_review_months
    meets = (revenue >= p.neeq_revenue) & (growth >= 0) & (admit < 0) & (draws[:, 1] < p.neeq_apply)
    from_regional = alive[on_regional & meets & (months_on >= min_months)]
    direct = alive[(board < 0) & (stage >= S.GROWTH) & meets]
    f.admit_month[from_regional] = month + max(review, 1)
    f.admit_month[direct] = month + max(p.neeq_review_months, 1)

    # Exchanges: the first whose criteria a firm meets, with a monthly chance of listing.
    mature = stage == S.MATURE
    criteria = {
        STAR: mature & (revenue >= p.star_revenue) & (f.patents[alive] >= p.star_patents),
        CHINEXT: mature & profitable & (revenue >= p.chinext_revenue) & (growth >= p.chinext_growth),
        BSE: (board == NEEQ) & (months_on >= p.bse_min_months) & profitable & (revenue >= p.bse_revenue),
    }
    lists = draws[:, 2] < p.ipo_probability
    for exchange, ok in criteria.items():
        listing = lists & ok
        rows = alive[listing]
        if len(rows):
            list_on_exchange(model, rows, exchange)
            lists[listing] = False
    f.revenue_last[:] = f.revenue


def _move(model: EcosystemModel, rows: np.ndarray, board: int, value: np.ndarray | float = 0.0) -> None:
    """Firms move up to ``board``: counts listings on it, upgrades, and upgrades out of the regional market."""
    f = model.firms
    t = model.tally
    was = f.board[rows]
    t["upgrades"] += int(np.count_nonzero(was >= 0))
    t["upgrades_regional"] += int(np.count_nonzero((was == REGIONAL_SCI_TECH) | (was == REGIONAL_SPECIALISED)))
    t[f"listings_{BOARDS[board]}"] += len(rows)
    f.board[rows] = board
    f.board_since[rows] = model.month
    model.events.record(model.month, "listing", firm_id=f.agent_id[rows],
                        amount=np.broadcast_to(value, rows.shape).astype(float), channel=board)


def list_on_exchange(model: EcosystemModel, rows: np.ndarray, board: int) -> None:
    """An IPO: loans are repaid, every holder is cashed out at the listing value, and the firm leaves as listed."""
    from ecosim.equity.holdings import cash_out
    from ecosim.firms.phases import exit_valuation, settle_loans

    f = model.firms
    led = model.ledger
    value = exit_valuation(model, rows, EXCHANGE_MULTIPLE[board])
    settle_loans(model, rows)
    cash_out(model, rows, value, "listing")
    founders = led.external_owner("founders")
    cash = led.balance[f.acct_cash[rows]]
    led.transfer("exit_distribution", f.acct_cash[rows], f.acct_paid_in[rows], founders["cash"],
                 founders["net_flow"], np.maximum(cash, 0.0))
    _move(model, rows, board, value)
    f.status[rows] = S.LISTED
    f.exit_month[rows] = model.month
    f.admit_month[rows] = -1
    model.graph.remove_nodes(f.agent_id[rows])
    model.tally["listings"] += len(rows)
