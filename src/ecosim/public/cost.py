"""The public cost of the pilot zone, line by line (million yuan per month).

Public money leaves through many doors: the public guarantors' losses, the
risk-compensation pool's payouts, the government's share of guidance funds, grants
and grants-to-investment stakes, recapitalisations of the municipal guarantor, and
the subsidies hidden in banks' funding cost (PBoC tech re-lending below the deposit
rate, the FTP rebate and rediscount savings). :func:`public_cost_lines` reports each
as a monthly line; ``public_cost_total`` adds them up once:

* guarantors' net losses are the three public tiers' default losses (net of
  recoveries) less the guarantee fees firms paid; recapitalisations refill the same
  losses, so they are a memo line outside the total;
* fund stakes and grants-to-investment are counted when paid (money that comes back
  from exits is the separate ``public_recycled`` metric);
* re-lending is valued at the gap between the deposit rate and the re-lending rate on
  the re-lending outstanding; the FTP rebate and rediscount saving on the tech-loan
  balance they apply to.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from ecosim.model import EcosystemModel

PUBLIC_COST_METRICS: dict[str, str] = {
    "public_cost_guarantors": "public guarantors' default losses (net of recoveries) less guarantee fees received",
    "public_cost_pool": "risk-compensation pool payouts",
    "public_cost_fund_stakes": "government capital paid into guidance funds",
    "public_cost_grants": "start-up grants",
    "public_cost_grant_stakes": "grants-to-investment stakes paid",
    "public_cost_relending_subsidy": "PBoC tech re-lending below the deposit rate (rate gap × re-lending outstanding)",
    "public_cost_ftp_subsidy": "FTP rebate and rediscount saving on banks' tech loans",
    "public_cost_recapitalisation": "recapitalisation of the municipal guarantor (memo: refills guarantor losses, "
                                    "not in the total)",
    "public_cost_total": "public cost of the month: every line above except the recapitalisation memo",
}


def public_cost_lines(model: EcosystemModel, spend: dict[str, float]) -> dict[str, float]:
    """This month's public cost by line (see :data:`PUBLIC_COST_METRICS`).

    Args:
        model: The model, after the month's phases.
        spend: The government's spending of the month by purpose (``Government.close_month``).
    """
    t = model.tally
    p = model.params
    led = model.ledger
    ba = model.bank_accounts
    relending = float(np.maximum(-led.balance[ba["relending"]], 0.0).sum())
    gap = max(p.banks.funding_rate - p.incentives.relending_rate, 0.0)
    book = np.maximum(led.balance[ba["loans"]], 0.0)
    discount = np.array([b.funding_discount for b in model.banks]) if model.banks else np.zeros(0)
    ftp = float((book * (p.incentives.ftp_rebate + discount)).sum()) / 12.0
    out = {
        "public_cost_guarantors": t["loss_guarantors"] - t["guarantee_fees"],
        "public_cost_pool": spend.get("pool", 0.0),
        "public_cost_fund_stakes": spend.get("guidance_funds", 0.0),
        "public_cost_grants": spend.get("grants", 0.0),
        "public_cost_grant_stakes": spend.get("grants_to_investment", 0.0),
        "public_cost_relending_subsidy": relending * gap / 12.0,
        "public_cost_ftp_subsidy": ftp,
        "public_cost_recapitalisation": spend.get("recapitalisation", 0.0),
    }
    out["public_cost_total"] = sum(v for k, v in out.items() if k != "public_cost_recapitalisation")
    return out
