"""Fund returns: TVPI, DPI and IRR of every investor, and the ``funds.csv`` table.

* paid-in: capital put to work (a sub-fund's called capital; other investors' deal money);
* DPI: distributions over paid-in; TVPI: (distributions + net asset value) over paid-in;
* IRR: the annual rate at which the investor's dated cash flows (paid in negative,
  distributions positive, the net asset value at the end positive) have zero
  present value; NaN when the flows never change sign.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from scipy.optimize import brentq

from ecosim.equity.funds import SubFund
from ecosim.scenario import SECTORS

if TYPE_CHECKING:
    from ecosim.equity.funds import Investor
    from ecosim.model import EcosystemModel

STAGE_NAMES = ("seed", "early", "growth")


def irr(flows: dict[int, float], end_month: int, terminal: float = 0.0) -> float:
    """Annual internal rate of return of monthly cash flows.

    Args:
        flows: Net cash flow by month (negative: paid in; positive: paid out).
        end_month: Month of the terminal value.
        terminal: Value still held at ``end_month`` (net asset value).
    """
    cf = dict(flows)
    cf[end_month] = cf.get(end_month, 0.0) + terminal
    months = np.array(sorted(cf), dtype=float)
    amounts = np.array([cf[int(m)] for m in months])
    if not ((amounts < 0).any() and (amounts > 0).any()):
        return float("nan")
    t = months - months[0]

    def npv(r: float) -> float:
        return float((amounts / (1.0 + r) ** t).sum())

    # Monthly rates from -50% (an annual loss of 99.98%) to +100%: the discount factors stay finite
    # for every allowed horizon (2**600 is far below the float limit; 0.01**160 was not).
    lo, hi = -0.5, 1.0
    if npv(lo) * npv(hi) > 0:
        return float("nan")
    monthly = brentq(npv, lo, hi, xtol=1e-10)
    return float((1.0 + monthly) ** 12 - 1.0)


def fund_returns(inv: Investor) -> dict[str, float]:
    """Paid-in, distributions, net asset value, DPI, TVPI and IRR of one investor."""
    paid_in = inv.called if isinstance(inv, SubFund) else inv.invested
    nav = inv.nav()
    out = {"paid_in": paid_in, "distributed": inv.distributed, "nav": nav,
           "dpi": inv.distributed / paid_in if paid_in > 0 else float("nan"),
           "tvpi": (inv.distributed + nav) / paid_in if paid_in > 0 else float("nan"),
           "irr": irr(inv.flows, inv.model.month, nav)}
    return out


def funds_frame(model: EcosystemModel) -> pd.DataFrame:
    """One row per investor: who it is, its capital, deals and returns (written to ``funds.csv``)."""
    rows = []
    for inv in model.investors:
        sub = isinstance(inv, SubFund)
        r = fund_returns(inv)
        rows.append({
            "investor_id": inv.unique_id,
            "name": inv.name,
            "kind": inv.kind,
            "sector": SECTORS[inv.mother.sector] if sub else "",
            "stage": STAGE_NAMES[inv.stage] if sub else "",
            "gov_share": inv.gov_share if sub else inv.public_share(),
            "committed": inv.committed,
            "uncalled": inv.uncalled() if sub else float("nan"),
            "invested": inv.invested,
            "deals": inv.deals,
            "written_off": inv.written_off,
            **r,
            "closed": inv.closed,
        })
    return pd.DataFrame(rows)


def pooled_returns(model: EcosystemModel) -> dict[str, float]:
    """TVPI and DPI of all guidance sub-funds taken together (NaN without any)."""
    subs = [inv for inv in model.investors if isinstance(inv, SubFund)]
    paid = sum(s.called for s in subs)
    if paid <= 0:
        return {"fund_tvpi": float("nan"), "fund_dpi": float("nan")}
    dist = sum(s.distributed for s in subs)
    nav = sum(s.nav() for s in subs)
    return {"fund_tvpi": (dist + nav) / paid, "fund_dpi": dist / paid}
