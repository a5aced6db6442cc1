"""The capital-market ladder: regional boards, the four-to-three channel to NEEQ, exchange listings."""

from __future__ import annotations

import numpy as np
import pytest

from ecosim.equity.boards import BOARDS, NEEQ, REGIONAL
from ecosim.firms import state as S
from ecosim.model import EcosystemModel
from ecosim.runner import simulate
from ecosim.scenario import load_scenario

#: Busy boards so that small runs have enough moves to compare.
BUSY = ["boards.regional_join=0.06", "boards.neeq_apply=0.15", "boards.neeq_revenue=0.4"]


def run(overrides, months=48, firms=500, seed=1) -> EcosystemModel:
    model = EcosystemModel(load_scenario("baseline", overrides, months=months, firms=firms), rng=seed)
    for _ in range(months):
        model.step()
    return model


def months_to_neeq(model: EcosystemModel) -> dict[int, int]:
    """Months from joining the regional board to NEEQ admission, by firm id, for firms that made the move."""
    ev = model.events.frame()
    neeq = ev[(ev["kind"] == "listing") & (ev["channel"] == NEEQ)]
    row_of = {int(a): r for r, a in enumerate(model.firms.agent_id)}
    out = {}
    for firm_id, month in zip(neeq["firm_id"], neeq["month"], strict=True):
        since = int(model.firms.regional_since[row_of[int(firm_id)]])
        if since >= 0:
            out[int(firm_id)] = int(month) - since
    return out


@pytest.mark.parametrize("seed", [1, 2])
def test_four_to_three_channel_shortens_time_to_neeq(seed: int) -> None:
    """The same firms (common random numbers) reach NEEQ from the regional board sooner with the green channel,
    more of them make the move, and without it none does so before the standard wait plus review."""
    on = months_to_neeq(run(BUSY + ["boards.four_to_three=true"], months=72, seed=seed))
    off_model = run(BUSY + ["boards.four_to_three=false"], months=72, seed=seed)
    off = months_to_neeq(off_model)
    p = off_model.params.boards
    assert len(on) > len(off) >= 5
    assert min(off.values()) >= p.neeq_min_months + p.neeq_review_months
    assert min(on.values()) >= p.green_min_months + p.green_review_months
    both = sorted(set(on) & set(off))
    assert len(both) >= 5
    saved = np.array([off[k] - on[k] for k in both])
    assert (saved > 0).mean() >= 0.8
    assert saved.mean() >= p.neeq_review_months - p.green_review_months - 1


def test_boards_are_climbed_in_order_and_counted() -> None:
    """Board metrics match the listing events; exchange listings leave the model as listed; NEEQ firms
    stay operating; the regional upgrade rate is upgrades out of the regional board per regional firm-year."""
    res = simulate(load_scenario("baseline", BUSY, months=48, firms=500), 3, keep_model=True)
    model, m = res.model, res.metrics
    ev = model.events.frame()
    lst = ev[ev["kind"] == "listing"]
    for code, board in enumerate(BOARDS):
        assert m[f"listings_{board}"].sum() == (lst["channel"] == code).sum()
    assert m["listings_neeq"].sum() > 0 and m["listings_regional_sci_tech"].sum() > 0
    exchange = lst[lst["channel"] > NEEQ]
    assert m["listings"].sum() == len(exchange)
    f = model.firms
    listed = f.status == S.LISTED
    assert (f.board[listed] > NEEQ).all()
    assert (f.status[f.board == NEEQ] != S.LISTED).all()
    assert (m["upgrades_regional"] <= m["upgrades"]).all()
    alive = f.status == S.ACTIVE
    assert m["regional_board_firms"].iloc[-1] == (alive & np.isin(f.board, REGIONAL)).sum()
    rate = 12 * m["upgrades_regional"].sum() / m["regional_board_firms"].sum()
    assert res.summary["regional_upgrade_rate"] == pytest.approx(rate)


def test_listing_pays_every_holder_and_books_balance() -> None:
    """An exchange listing cashes out every stake in the firm at the listing value (exit channel 'listing')."""
    easy = ["boards.ipo_probability=0.5", "boards.star_patents=0", "boards.star_revenue=0.1"]
    for seed in (5, 6, 7, 8):  # the first seed whose listed firms had investors
        model = run(easy, months=36, firms=500, seed=seed)
        f, h = model.firms, model.holdings
        listed = np.flatnonzero(f.status == S.LISTED)
        stakes = np.flatnonzero(np.isin(h.firm[: len(h)], listed))
        if len(stakes):
            break
    assert len(listed) > 0 and len(stakes) > 0
    assert not h.active[stakes].any()
    assert (h.channel[stakes] == 2).all() and (h.proceeds[stakes] > 0).all()


def test_ladder_off_falls_back_to_a_single_listing_step() -> None:
    """With the ladder off nobody joins a board and listings follow the firms' single listing rule."""
    model = run(["boards.enabled=false", "firms.listing_probability=0.5", "firms.listing_revenue=0.1"],
                months=36, firms=500, seed=1)
    m = model.metrics_frame()
    assert (model.firms.board == -1).all()
    assert m["regional_board_firms"].sum() == 0 and m["upgrades"].sum() == 0
    assert m["listings"].sum() > 0
