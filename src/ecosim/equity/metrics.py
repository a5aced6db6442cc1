"""Equity and capital-market metrics: monthly figures and end-of-run summary keys (money in million yuan).

:data:`EQUITY_METRICS` is merged into :data:`ecosim.outputs.metrics.METRICS`;
:func:`equity_summary` adds the equity keys to :func:`ecosim.runner.summarise`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ecosim.equity.boards import BOARDS, NEEQ, REGIONAL_SCI_TECH, REGIONAL_SPECIALISED
from ecosim.equity.funds import SubFund
from ecosim.equity.holdings import EXIT_CHANNELS
from ecosim.equity.returns import fund_returns, pooled_returns

if TYPE_CHECKING:
    from ecosim.model import EcosystemModel

EQUITY_METRICS: dict[str, str] = {
    "equity_guidance": "equity invested by guidance sub-funds this month",
    "equity_venture": "equity invested by private VC funds this month",
    "equity_aic": "equity invested by bank-affiliated AIC funds this month",
    "equity_grant": "equity bought with converted grants (grants-to-investment) this month",
    "equity_outside": "sub-fund money invested out of the region this month",
    "equity_crowded_in": "private equity invested this month in firms a guidance fund had backed",
    "equity_rounds": "equity rounds this month",
    "seed_rounds": "equity rounds in seed-stage firms this month",
    "fund_commitments": "capital committed to guidance sub-funds",
    "fund_uncalled": "capital committed to open guidance sub-funds and not yet called",
    "fund_calls_public": "sub-fund capital called from the government this month",
    "fund_calls_private": "sub-fund capital called from private partners this month",
    **{f"listings_{b}": f"firms listing on the {b.replace('_', ' ')} board this month" for b in BOARDS},
    "upgrades": "firms moving up to a higher market this month (to NEEQ or an exchange)",
    "upgrades_regional": "of which firms moving up out of the regional equity market",
    "regional_board_firms": "operating firms on the regional equity market's boards",
    "neeq_firms": "operating firms on NEEQ",
    **{f"exits_{c}": f"stakes ended this month by {c}" for c in EXIT_CHANNELS},
    "exit_proceeds": "investors' proceeds from exits this month",
    "grant_equity_stakes": "grants paid as equity stakes this month",
    "grant_equity_recycled": "grants-to-investment exit proceeds recycled this month",
}

_TALLIED = [k for k in EQUITY_METRICS
            if k not in ("fund_commitments", "fund_uncalled", "regional_board_firms", "neeq_firms")]


def equity_metrics(model: EcosystemModel, alive: np.ndarray | None = None) -> dict[str, float]:
    """This month's equity and board metrics.

    Args:
        model: The model.
        alive: Rows of the operating firms (found from the firms when not given).
    """
    t = model.tally
    out = {k: float(t[k]) for k in _TALLIED}
    subs = [inv for inv in model.investors if isinstance(inv, SubFund)]
    out["fund_commitments"] = float(sum(s.committed for s in subs))
    out["fund_uncalled"] = float(sum(s.uncalled() for s in subs if not s.closed))
    f = model.firms
    board = f.board[model.alive if alive is None else alive]
    out["regional_board_firms"] = float(((board == REGIONAL_SCI_TECH) | (board == REGIONAL_SPECIALISED)).sum())
    out["neeq_firms"] = float((board == NEEQ).sum())
    return out


def equity_summary(model: EcosystemModel, metrics: pd.DataFrame) -> dict[str, float]:
    """End-of-run equity keys.

    * ``regional_upgrade_rate``: yearly share of regional-board firms moving up out of the regional market;
    * ``deal_share_below_1x`` / ``deal_share_above_5x``: shares of ended venture stakes (guidance, VC, AIC)
      returning less than their cost / more than five times it;
    * ``firms_financed_seed``: firms that raised an investor round at seed stage;
    * ``private_per_public_yuan``: private money per public yuan of the guidance funds (private partners'
      capital plus private co-investment in fund-backed firms);
    * ``fund_tvpi``, ``fund_dpi`` (all sub-funds pooled), ``fund_irr_median``;
    * totals of listings by board, upgrades and exits by channel.
    """
    out: dict[str, float] = {}
    firm_months = float(metrics["regional_board_firms"].sum())
    out["regional_upgrade_rate"] = (12.0 * float(metrics["upgrades_regional"].sum()) / firm_months
                                    if firm_months > 0 else float("nan"))
    h = model.holdings
    venture = np.array([inv.kind in ("guidance", "venture", "aic") for inv in model.investors] or [False])
    n = len(h)
    done = ~h.active & (h.cost > 0) & venture[h.investor] if n else np.zeros(0, dtype=bool)
    mult = h.proceeds[done] / h.cost[done] if n else np.zeros(0)
    out["venture_deals_ended"] = float(len(mult))
    out["deal_share_below_1x"] = float((mult < 1.0).mean()) if len(mult) else float("nan")
    out["deal_share_above_5x"] = float((mult > 5.0).mean()) if len(mult) else float("nan")
    out["firms_financed_seed"] = float(model.firms.seed_financed.sum())
    public = float(metrics["fund_calls_public"].sum())
    private = float(metrics["fund_calls_private"].sum() + metrics["equity_crowded_in"].sum())
    out["private_per_public_yuan"] = private / public if public > 0 else float("nan")
    out.update(pooled_returns(model))
    irrs = [fund_returns(s)["irr"] for s in model.investors if isinstance(s, SubFund)]
    irrs = [x for x in irrs if np.isfinite(x)]
    out["fund_irr_median"] = float(np.median(irrs)) if irrs else float("nan")
    for k in ([f"listings_{b}" for b in BOARDS] + ["upgrades", "upgrades_regional"]
              + [f"exits_{c}" for c in EXIT_CHANNELS] + ["equity_guidance", "equity_venture", "equity_aic",
                                                         "equity_grant", "equity_crowded_in", "grant_equity_recycled"]):
        out[f"total_{k}"] = float(metrics[k].sum())
    return out
