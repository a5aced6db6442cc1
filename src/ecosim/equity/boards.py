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
    # Only operating firms move. Joining a regional board, applying to NEEQ and listing each take a
    # draw below a small chance, so each step tests only the operating firms whose draw passes (every
    # set of rows is in row order). Which firms were on the regional boards is read at the month's start.
    active = f.status == S.ACTIVE
    joining = np.flatnonzero(active & (draws[:, 0] < p.regional_join))
    applying = np.flatnonzero(active & (draws[:, 1] < p.neeq_apply))
    listing = np.flatnonzero(active & (draws[:, 2] < p.ipo_probability))
    sci_tech = np.flatnonzero(active & (f.board == REGIONAL_SCI_TECH))
    applying_from_regional = _on_regional(f.board[applying])
    _admit_to_neeq(model, active)
    _join_regional(model, joining)
    _move_to_specialised(model, sci_tech)
    _apply_to_neeq(model, applying, applying_from_regional)
    _list_on_exchanges(model, listing)
    f.revenue_last[:] = f.revenue


def _on_regional(board: np.ndarray) -> np.ndarray:
    """Whether each board code is one of the regional equity market's boards."""
    return (board == REGIONAL_SCI_TECH) | (board == REGIONAL_SPECIALISED)


def _specialised_ok(model: EcosystemModel, rows: np.ndarray) -> np.ndarray:
    """Per firm in ``rows``: whether it qualifies for the specialised board (a growth firm with revenue)."""
    f = model.firms
    return (f.stage[rows] >= S.GROWTH) & (f.revenue[rows] >= model.params.boards.specialised_revenue)


def _admit_to_neeq(model: EcosystemModel, active: np.ndarray) -> None:
    """Pending NEEQ applications of operating firms (``active``: per firm row) admitted this month."""
    f = model.firms
    admit = f.admit_month
    due = np.flatnonzero(active & (admit >= 0) & (admit <= model.month))
    if len(due):
        _move(model, due, NEEQ)
        f.admit_month[due] = -1


def _join_regional(model: EcosystemModel, rows: np.ndarray) -> None:
    """Firms in ``rows`` (their draw passed) join the regional market if eligible.

    Early and growth firms off every board and not applying to NEEQ join, unless they already
    qualify for NEEQ (they go there directly); growth firms with revenue join the specialised board.
    """
    f = model.firms
    p = model.params.boards
    stage = f.stage[rows]
    eligible = ((f.board[rows] < 0) & (f.admit_month[rows] < 0) & (stage >= S.EARLY) & (stage <= S.GROWTH)
                & (f.revenue[rows] < p.neeq_revenue))
    join = rows[eligible]
    if len(join) == 0:
        return
    month = model.month
    t = model.tally
    spec = _specialised_ok(model, join)
    f.board[join] = np.where(spec, REGIONAL_SPECIALISED, REGIONAL_SCI_TECH)
    f.board_since[join] = month
    f.regional_since[join] = month
    t["listings_regional_sci_tech"] += int(np.count_nonzero(~spec))
    t["listings_regional_specialised"] += int(np.count_nonzero(spec))
    model.events.record(month, "listing", firm_id=f.agent_id[join], amount=np.zeros(len(join)),
                        channel=f.board[join])


def _move_to_specialised(model: EcosystemModel, rows: np.ndarray) -> None:
    """Firms still on the sci-tech board move to the specialised board once they qualify.

    A transfer within the regional market, not an upgrade. ``rows``: the operating firms on the
    sci-tech board at the month's start.
    """
    f = model.firms
    f.board[rows[(f.board[rows] == REGIONAL_SCI_TECH) & _specialised_ok(model, rows)]] = REGIONAL_SPECIALISED


def _apply_to_neeq(model: EcosystemModel, rows: np.ndarray, from_regional: np.ndarray) -> None:
    """Firms in ``rows`` (their draw passed) with enough growing revenue apply to NEEQ.

    From the regional board (``from_regional``: per firm in ``rows``, on it at the month's start) a
    firm applies after its minimum months there, on the green channel's terms when it is on; firms
    off every board apply directly once they are growth firms.
    """
    f = model.firms
    p = model.params.boards
    month = model.month
    min_months = p.green_min_months if p.four_to_three else p.neeq_min_months
    review = p.green_review_months if p.four_to_three else p.neeq_review_months
    meets = (f.revenue[rows] >= p.neeq_revenue) & (revenue_growth(model, rows) >= 0) & (f.admit_month[rows] < 0)
    regional = rows[from_regional & meets & (month - f.board_since[rows] >= min_months)]
    direct = rows[(f.board[rows] < 0) & (f.stage[rows] >= S.GROWTH) & meets]
    f.admit_month[regional] = month + max(review, 1)
    f.admit_month[direct] = month + max(p.neeq_review_months, 1)


def _list_on_exchanges(model: EcosystemModel, rows: np.ndarray) -> None:
    """Firms in ``rows`` (their draw passed) list on the first exchange whose criteria they meet."""
    f = model.firms
    p = model.params.boards
    stage, revenue, board = f.stage[rows], f.revenue[rows], f.board[rows]
    months_on = model.month - f.board_since[rows]
    profitable = revenue > f.burn[rows]
    growth = revenue_growth(model, rows)
    mature = stage == S.MATURE
    criteria = {
        STAR: mature & (revenue >= p.star_revenue) & (f.patents[rows] >= p.star_patents),
        CHINEXT: mature & profitable & (revenue >= p.chinext_revenue) & (growth >= p.chinext_growth),
        BSE: (board == NEEQ) & (months_on >= p.bse_min_months) & profitable & (revenue >= p.bse_revenue),
    }
    left = np.ones(len(rows), dtype=bool)
    for exchange, ok in criteria.items():
        lists = left & ok
        if lists.any():
            list_on_exchange(model, rows[lists], exchange)
            left &= ~lists


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
