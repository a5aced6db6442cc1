"""What the credit side reports: monthly credit metrics and the run's credit summary.

:data:`CREDIT_METRICS` names the monthly metrics computed by
:func:`credit_metrics` (merged into ``ecosim.outputs.metrics``);
:func:`credit_summary` turns a run's monthly metrics and loan book into the
headline credit figures used by experiments and calibration (merged into
``ecosim.runner.summarise``). Money is in million yuan.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ecosim.credit import loans as L
from ecosim.credit.bank import nonperforming, npl_ratios
from ecosim.credit.lending import AGE_BANDS

if TYPE_CHECKING:
    from ecosim.model import EcosystemModel

#: One NaN object for undefined summary figures, so equal runs give equal summary dicts.
NAN = float("nan")

_AGE_TEXT = {"0_1": "under 1 year old", "1_3": "1 to 3 years old", "3_plus": "3 years or older"}

CREDIT_METRICS: dict[str, str] = {
    **{f"new_loans_{p}": f"new {p.replace('_', ' ')} loans (principal paid out this month)" for p in L.PRODUCTS},
    **{f"loans_made_{p}": f"number of {p.replace('_', ' ')} loans paid out this month" for p in L.PRODUCTS},
    **{f"applications_age_{b}": f"loan applications from firms {_AGE_TEXT[b]}" for b, _, _ in AGE_BANDS},
    **{f"approvals_age_{b}": f"loan approvals of firms {_AGE_TEXT[b]}" for b, _, _ in AGE_BANDS},
    **{f"approval_rate_age_{b}": f"approval rate of applicants {_AGE_TEXT[b]}" for b, _, _ in AGE_BANDS},
    "guarantee_payouts": "guarantee chain's payouts to banks on guaranteed defaults this month (gross)",
    "loss_guarantor_municipal": "default losses kept by the municipal guarantor this month (net of recoveries)",
    "loss_guarantor_provincial": "default losses borne by the provincial re-guarantor this month (net of recoveries)",
    "loss_guarantor_national": "default losses borne by the national guarantee fund this month (net of recoveries)",
    "national_refused": "claims the national fund refused at its compensation cap this month",
    "pool_payouts": "risk-compensation pool's reimbursements to banks this month",
    "guaranteed_loss": "loss on guaranteed defaults after collateral this month",
    "guaranteed_loss_bank": "of which kept by the banks",
    "guarantee_fees": "guarantee fees paid by firms this month",
    "guarantee_fee_rate": "principal-weighted guarantee fee rate of guaranteed loans made this month",
    "relending_balance": "banks' outstanding PBoC tech re-lending",
    "exempt_share": "share of this month's new loans approved under the due-diligence exemption",
    "banks_over_tolerance": "banks whose NPL ratio is over their tolerance (exemption lost)",
    "npl_balance": "non-performing principal on banks' books (in workout or 90+ days overdue)",
    "loans_overdue": "active loans with a missed instalment (in arrears) at month end",
    "written_off": "defaulted loans written off this month (workout ended, loss booked)",
    "months_to_writeoff": "mean months from first missed payment to write-off of the loans written off this month",
    "shocks": "adverse business shocks (setbacks) suffered by startups this month",
    "new_loan_rate": "principal-weighted interest rate of the loans paid out this month",
    "guarantee_rationed": "guaranteed principal the municipal guarantor turned away for lack of room under its "
                          "leverage limit (the firm falls back on other products)",
}


def credit_metrics(model: EcosystemModel) -> dict[str, float]:
    """This month's credit metrics (see :data:`CREDIT_METRICS`)."""
    t = model.tally
    out: dict[str, float] = {}
    for p in L.PRODUCTS:
        out[f"new_loans_{p}"] = t[f"new_loans_{p}"]
        out[f"loans_made_{p}"] = int(t[f"loans_made_{p}"])
    for b, _, _ in AGE_BANDS:
        apps, appr = t[f"applications_age_{b}"], t[f"approvals_age_{b}"]
        out[f"applications_age_{b}"] = int(apps)
        out[f"approvals_age_{b}"] = int(appr)
        out[f"approval_rate_age_{b}"] = appr / apps if apps else float("nan")
    for key in ("guarantee_payouts", "loss_guarantor_municipal", "loss_guarantor_provincial",
                "loss_guarantor_national", "national_refused", "pool_payouts", "guaranteed_loss",
                "guaranteed_loss_bank", "guarantee_fees"):
        out[key] = t[key]
    g_principal = t["new_loans_guaranteed"]
    out["guarantee_fee_rate"] = t["guarantee_fee_weighted"] / g_principal if g_principal > 0 else float("nan")
    out["relending_balance"] = float(-model.ledger.balance[model.bank_accounts["relending"]].sum())
    made = t["loans_made"]
    out["exempt_share"] = t["loans_exempt"] / made if made else float("nan")
    out["banks_over_tolerance"] = int((npl_ratios(model) > model.banks[0].npl_tolerance()).sum()) if model.banks else 0
    out["npl_balance"] = float(nonperforming(model).sum())
    loans = model.loans
    act = loans.active()
    out["loans_overdue"] = int((loans.overdue_months[act] > 0).sum())
    out["written_off"] = int(t["written_off"])
    out["months_to_writeoff"] = t["months_to_writeoff_sum"] / t["written_off"] if t["written_off"] else float("nan")
    out["shocks"] = int(t["shocks"])
    out["guarantee_rationed"] = t["guarantee_rationed"]
    out["new_loan_rate"] = t["new_loan_rate_weighted"] / t["new_loans"] if t["new_loans"] > 0 else float("nan")
    return out


def credit_summary(model: EcosystemModel, metrics: pd.DataFrame) -> dict[str, float]:
    """Headline credit figures of a finished run (summary keys).

    ``mean_loan_size_<product>`` (million yuan), ``mean_guarantee_fee_rate``, ``bank_share_of_guaranteed_losses``,
    ``mean_npl_ratio_after_year_2`` (the NPL ratio once the initial population has settled),
    ``approval_rate_age_<band>`` over the run, ``mean_time_to_loan`` (months), ``total_<party losses>``.
    """
    out: dict[str, float] = {}
    for p in L.PRODUCTS:
        n = metrics[f"loans_made_{p}"].sum()
        out[f"mean_loan_size_{p}"] = float(metrics[f"new_loans_{p}"].sum() / n) if n else NAN
        out[f"total_new_loans_{p}"] = float(metrics[f"new_loans_{p}"].sum())
    g = metrics["new_loans_guaranteed"]
    fee = (metrics["guarantee_fee_rate"].fillna(0.0) * g).sum()
    out["mean_guarantee_fee_rate"] = float(fee / g.sum()) if g.sum() > 0 else NAN
    gl = metrics["guaranteed_loss"].sum()
    out["bank_share_of_guaranteed_losses"] = float(metrics["guaranteed_loss_bank"].sum() / gl) if gl > 0 else NAN
    late = metrics[metrics["month"] > 24]
    out["mean_npl_ratio_after_year_2"] = float(late["npl_ratio"].mean()) if len(late) else NAN
    for b, _, _ in AGE_BANDS:
        apps = metrics[f"applications_age_{b}"].sum()
        out[f"approval_rate_age_{b}"] = float(metrics[f"approvals_age_{b}"].sum() / apps) if apps else NAN
    apps_young = metrics["applications_age_0_1"].sum() + metrics["applications_age_1_3"].sum()
    appr_young = metrics["approvals_age_0_1"].sum() + metrics["approvals_age_1_3"].sum()
    out["approval_rate_young"] = float(appr_young / apps_young) if apps_young else NAN
    loans = model.loans
    n = len(loans)
    out["mean_time_to_loan"] = float(loans.time_to_loan[:n].mean()) if n else NAN
    out.update(loan_outcomes(model))
    month = metrics["month"]
    for key, lo, hi in (("npl_years_3_4", 24, 48), ("npl_years_9_10", 96, 120)):
        sel = metrics.loc[(month > lo) & (month <= hi), "npl_ratio"]
        out[key] = float(sel.mean()) if len(sel) else NAN
    out["npl_persistence"] = (out["npl_years_9_10"] / out["npl_years_3_4"]
                              if out["npl_years_3_4"] and out["npl_years_3_4"] > 0 else NAN)
    written = metrics["written_off"].sum()
    out["mean_months_to_writeoff"] = float((metrics["months_to_writeoff"].fillna(0.0) * metrics["written_off"]).sum()
                                           / written) if written else NAN
    losses = metrics["loss_bank"] + metrics["loss_guarantors"] + metrics["loss_government"]
    late = metrics["month"] > 24
    balance = metrics.loc[late, "loan_balance"].mean()
    out["losses_per_year_over_balance"] = float(12 * losses[late].mean() / balance) if balance and balance > 0 else NAN
    for key in ("guarantee_payouts", "loss_guarantor_municipal", "loss_guarantor_provincial",
                "loss_guarantor_national", "national_refused", "pool_payouts", "public_cost_guarantors",
                "public_cost_pool", "public_cost_fund_stakes", "public_cost_grants", "public_cost_grant_stakes",
                "public_cost_relending_subsidy", "public_cost_ftp_subsidy", "public_cost_recapitalisation",
                "public_cost_total"):
        out[f"total_{key}"] = float(metrics[key].sum())
    # The guarantor is exhausted in a month in which it turned guaranteed loans away for lack of room.
    rationed = metrics["guarantee_rationed"] > 0
    out["guarantor_exhausted_month"] = float(metrics.loc[rationed, "month"].iloc[0]) if rationed.any() else NAN
    out["guarantor_months_exhausted"] = float(rationed.sum())
    out["total_guarantee_rationed"] = float(metrics["guarantee_rationed"].sum())
    out["exempt_share"] = float(np.nanmean(metrics["exempt_share"])) if metrics["exempt_share"].notna().any() \
        else NAN
    return out


def loan_outcomes(model: EcosystemModel) -> dict[str, float]:
    """What became of the loans of a run: default shares and the rates of good and bad loans.

    ``loan_default_share`` (loans that defaulted, written off or in workout, over loans made),
    ``default_share_pool_eligible`` (the same among loans the pool's rules cover: not guaranteed,
    within its size limit, whether or not the pool is switched on), ``default_share_guaranteed``,
    ``loan_rate_weighted`` (principal-weighted rate of all loans), ``rate_defaulted`` and
    ``rate_repaid`` (principal-weighted rates of loans that later defaulted and that were repaid)
    and their gap ``rate_gap_defaulted``.
    """
    loans = model.loans
    n = len(loans)
    if n == 0:
        return {k: NAN for k in ("loan_default_share", "default_share_pool_eligible", "default_share_guaranteed",
                                 "loan_rate_weighted", "rate_defaulted", "rate_repaid", "rate_gap_defaulted")}
    status = loans.status[:n]
    bad = (status == L.DEFAULTED) | (status == L.WORKOUT)
    repaid = status == L.REPAID
    principal, rate, guaranteed = loans.principal[:n], loans.rate[:n], loans.guaranteed[:n]
    eligible = ~guaranteed & (principal <= model.params.pool.max_loan)

    def share(mask: np.ndarray) -> float:
        return float(bad[mask].mean()) if mask.any() else NAN

    def weighted(mask: np.ndarray) -> float:
        return float(np.average(rate[mask], weights=principal[mask])) if mask.any() and principal[mask].sum() > 0 \
            else NAN

    out = {
        "loan_default_share": share(np.ones(n, dtype=bool)),
        "default_share_pool_eligible": share(eligible),
        "default_share_guaranteed": share(guaranteed),
        "loan_rate_weighted": weighted(np.ones(n, dtype=bool)),
        "rate_defaulted": weighted(bad),
        "rate_repaid": weighted(repaid),
    }
    out["rate_gap_defaulted"] = out["rate_defaulted"] - out["rate_repaid"]
    return out
