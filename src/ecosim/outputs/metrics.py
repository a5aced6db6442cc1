"""Monthly metrics: what the model reports after every month (money in million yuan).

The list :data:`METRICS` names each metric with its meaning; ``metrics.csv``
has one column per metric in this order.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from ecosim.credit.bank import lending_rooms, nonperforming
from ecosim.credit.report import CREDIT_METRICS, credit_metrics
from ecosim.equity.metrics import EQUITY_METRICS, equity_metrics
from ecosim.firms import state as S
from ecosim.information.metrics import INFO_METRICS, information_metrics
from ecosim.public.cost import PUBLIC_COST_METRICS, public_cost_lines

if TYPE_CHECKING:
    from ecosim.model import EcosystemModel

METRICS: dict[str, str] = {
    "month": "month number (1 = first simulated month)",
    "firms_alive": "startups operating at month end",
    "firms_entered": "startups that entered this month",
    "firms_failed": "startups that failed this month",
    "firms_with_loan": "operating startups with an outstanding bank loan",
    "credit_access_rate": "share of operating startups with an outstanding bank loan",
    "loan_balance": "outstanding loans to startups",
    "new_loans": "loans paid out this month",
    "npl_ratio": "NPL ratio as banks report it: loans in workout and 90+ days overdue / banks' loan book",
    "default_flow_ratio": "principal defaulted over the last 12 months / (loan balance + that principal)",
    "defaults": "loans that defaulted this month",
    "loss_bank": "default losses kept by banks this month",
    "loss_guarantors": "default losses borne by the guarantee chain this month (net of recoveries)",
    "loss_government": "default losses borne by the risk-compensation pool this month",
    "public_spending": "public money spent this month (grants, pool payouts, fund calls, recapitalisations)",
    "public_recycled": "public money returned from guidance-fund exits this month",
    "equity_invested": "equity invested in startups this month",
    "equity_public": "of which public money (guidance-fund government share, grants-to-investment stakes)",
    "equity_private": "of which private money",
    "patents": "patents held by operating startups",
    "patents_new": "patents filed this month",
    "listings": "startups that listed this month",
    "acquisitions": "startups acquired this month",
    "firms_seed": "operating startups at seed stage",
    "firms_early": "operating startups at early stage",
    "firms_growth": "operating startups at growth stage",
    "firms_mature": "operating startups at mature stage",
    "employees": "social-insurance payers in operating startups",
    "applications": "loan applications this month",
    "approvals": "loan approvals this month",
    "approval_rate_young": "approval rate of applicants under 3 years old",
    "approval_rate_old": "approval rate of applicants 3 years or older",
    "time_to_loan": "mean months from need to money for loans paid out this month",
    "guaranteed_balance": "outstanding guaranteed loans",
    "guarantor_leverage": "municipal guarantor's outstanding cover / net assets",
    "guarantor_net_assets": "municipal guarantor's net assets",
    "guarantor_room": "principal the municipal guarantor may still cover under its leverage limit (0 = exhausted)",
    "national_cap_room": "payouts the national fund may still make under its compensation cap",
    "bank_lending_room": "banks' lending room left under their capital requirement",
    "pool_balance": "money left in the risk-compensation pool",
    "rated_share": "share of operating startups rated by a platform",
    "visits": "partner-team visits this month",
    "allocation_auc": "AUC of this month's loan approvals against applicants' latent quality",
    **CREDIT_METRICS,
    **PUBLIC_COST_METRICS,
    **EQUITY_METRICS,
    **INFO_METRICS,
}
METRIC_NAMES: tuple[str, ...] = tuple(METRICS)


def auc(score: np.ndarray, label: np.ndarray) -> float:
    """Area under the ROC curve of ``score`` for binary ``label`` (NaN when one class is empty).

    Computed as the Mann-Whitney statistic with average ranks for ties.
    """
    label = np.asarray(label, dtype=bool)
    n1, n0 = int(label.sum()), int((~label).sum())
    if n1 == 0 or n0 == 0:
        return float("nan")
    score = np.asarray(score, dtype=float)
    order = np.argsort(score, kind="stable")
    _, first, inverse, counts = np.unique(score[order], return_index=True, return_inverse=True, return_counts=True)
    ranks = np.empty(len(score))
    ranks[order] = (first + (counts + 1) / 2.0)[inverse]
    return float((ranks[label].sum() - n1 * (n1 + 1) / 2) / (n1 * n0))


def monthly_metrics(model: EcosystemModel) -> dict[str, float]:
    """Compute this month's metrics from the model's state and the month's tally."""
    f = model.firms
    t = model.tally
    alive = model.alive
    n_alive = len(alive)
    loans = model.loans
    act = loans.active()
    firms_with_loan = int(model.has_loan()[alive].sum())
    balance = float(loans.outstanding[act].sum())
    defaulted_12m = float(sum(b.defaults_12m.sum() for b in model.banks))
    spend = model.government.close_month()
    book = float(np.maximum(model.ledger.balance[model.bank_accounts["loans"]], 0.0).sum())
    stage_counts = np.bincount(f.stage[alive], minlength=4)
    apps_y, apps_o = t["applications_young"], t["applications_old"]
    chain = model.guarantee_chain
    if model.decisions:
        rows = np.concatenate([r for r, _ in model.decisions])
        appr = np.concatenate([a for _, a in model.decisions])
        alloc = auc(f.quality[rows], appr)
    else:
        alloc = float("nan")
    out = {
        "month": model.month,
        "firms_alive": n_alive,
        "firms_entered": int(t["entered"]),
        "firms_failed": int(t["failed"]),
        "firms_with_loan": firms_with_loan,
        "credit_access_rate": firms_with_loan / n_alive if n_alive else 0.0,
        "loan_balance": balance,
        "new_loans": t["new_loans"],
        "npl_ratio": float(nonperforming(model).sum()) / book if book > 0 else 0.0,
        "default_flow_ratio": defaulted_12m / (balance + defaulted_12m) if balance + defaulted_12m > 0 else 0.0,
        "defaults": int(t["defaults"]),
        "loss_bank": t["loss_bank"],
        "loss_guarantors": t["loss_guarantors"],
        "loss_government": t["loss_government"],
        "public_spending": float(sum(v for k, v in spend.items() if k != "recycled")),
        "public_recycled": spend.get("recycled", 0.0),
        "equity_invested": t["equity_invested"],
        "equity_public": t["equity_public"],
        "equity_private": t["equity_private"],
        "patents": int(f.patents[alive].sum()),
        "patents_new": int(t["patents_new"]),
        "listings": int(t["listings"]),
        "acquisitions": int(t["acquisitions"]),
        "firms_seed": int(stage_counts[S.SEED]),
        "firms_early": int(stage_counts[S.EARLY]),
        "firms_growth": int(stage_counts[S.GROWTH]),
        "firms_mature": int(stage_counts[S.MATURE]),
        "employees": float(f.employees[alive].sum()),
        "applications": int(t["applications"]),
        "approvals": int(t["approvals"]),
        "approval_rate_young": t["approvals_young"] / apps_y if apps_y else float("nan"),
        "approval_rate_old": t["approvals_old"] / apps_o if apps_o else float("nan"),
        "time_to_loan": t["time_to_loan_sum"] / t["loans_made"] if t["loans_made"] else float("nan"),
        "guaranteed_balance": float(loans.outstanding[act][loans.guaranteed[act]].sum()),
        "guarantor_leverage": chain.municipal.leverage if chain.municipal.net_assets > 0 else float("nan"),
        "guarantor_net_assets": chain.municipal.net_assets,
        "guarantor_room": chain.room() if chain.params.enabled else 0.0,
        "national_cap_room": chain.national.compensation_room(),
        "bank_lending_room": float(lending_rooms(model).sum()),
        "pool_balance": model.pool.balance,
        "rated_share": float((~np.isnan(f.rating[alive])).mean()) if n_alive else 0.0,
        "visits": int(t["visits"]),
        "allocation_auc": alloc,
    }
    out.update(credit_metrics(model))
    out.update(public_cost_lines(model, spend))
    out.update(equity_metrics(model, alive))
    out.update(information_metrics(model, alive))
    return {k: out[k] for k in METRIC_NAMES}
