"""The lending phase: applications, officers' decisions, guarantees and disbursal.

Each month, firms that need money apply (with a chance that a partner team's
visit raises) to their relationship bank, or to a bank they find. The
officer forms a view, sizes the loan against what the bank can see
(collateral, revenue, social-insurance headcount, the platform's pre-approved
line), and decides (``ecosim.credit.officer.decide``). An application the
bank refuses on its own may go ahead with the guarantee chain's cover, if the
municipal guarantor accepts the firm and has room under its leverage limit.

Approved loans are paid out at once when the branch may approve them itself
(delegated approval), otherwise after the head office's approval lag; the
months from need to money are recorded as time-to-loan.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from scipy.special import ndtr

from ecosim.credit import loans as L
from ecosim.credit.officer import decide, lender_view, scorecard_pd
from ecosim.equity.signals import crowding_in
from ecosim.firms.state import ACTIVE

if TYPE_CHECKING:
    from ecosim.model import EcosystemModel

#: Credit a bank extends per social-insurance payer without other security (data-based small loan).
HEADCOUNT_LINE = 0.06
#: Guaranteed-loan line per employee and per patent (the guarantor scores social-insurance and IP data).
GUARANTEE_LINE_EMPLOYEE = 0.25
GUARANTEE_LINE_PATENT = 0.4
#: Smallest loan worth booking, million yuan.
MIN_LOAN = 0.05


def money_sought(model: EcosystemModel, rows: np.ndarray) -> np.ndarray:
    """What each firm asks for: the larger of its runway gap and its expansion need.

    The runway gap is ``need_months`` of net burn less the cash it has; ahead of a
    milestone a firm also seeks ``expansion_months`` of its burn.
    """
    f = model.firms
    p = model.params.firms
    cash = model.ledger.balance[f.acct_cash[rows]]
    net_burn = np.maximum(f.burn[rows] - f.revenue[rows], 0.0)
    gap = p.need_months * net_burn - cash
    expansion = np.where(f.progress[rows] >= p.milestone_lead, p.expansion_months * f.burn[rows], 0.0)
    return np.maximum(np.maximum(gap, expansion), MIN_LOAN)


def funding_cost(model: EcosystemModel) -> tuple[float, float]:
    """A bank's annual funding cost on a tech loan, and the share funded by re-lending."""
    inc = model.params.incentives
    b = model.params.banks
    share = inc.relending_share if inc.relending else 0.0
    cost = (1 - share) * b.funding_rate + share * inc.relending_rate - inc.ftp_rebate
    return cost, share


def lend(model: EcosystemModel) -> None:
    """The monthly lending phase: pay out queued loans, then take and decide new applications."""
    disburse_queued(model)
    f = model.firms
    p = model.params
    rng = model.streams.credit
    month = model.month
    alive = f.status == ACTIVE
    in_need = alive & (f.need_since >= 0) & (f.pending_until < 0)
    draws = rng.random(len(f))  # one draw per firm row every month (common random numbers)
    chance = p.firms.apply_probability + p.brokers.apply_boost * (f.visits > 0)
    rows = np.flatnonzero(in_need & (draws < chance))
    if len(rows) == 0 or not model.banks:
        return
    f.applications[rows] += 1
    model.tally["applications"] += len(rows)
    bank_draw = rng.integers(0, len(model.banks), size=len(f))[rows]
    bank_idx = np.where(f.rel_bank[rows] >= 0, f.rel_bank[rows], bank_draw)

    # What the bank can see.
    own_soft = f.rel_bank[rows] == bank_idx
    signal_bonus = crowding_in(model, rows)  # guidance-fund signal (ecosim.equity.signals)
    view = lender_view(
        f.rating[rows], f.rating_precision[rows],
        f.soft_signal[rows], np.where(own_soft, f.soft_precision[rows], 0.0), signal_bonus,
    )
    age = month - f.founded[rows]
    coverage = f.revenue[rows] / np.maximum(f.burn[rows], 1e-9)
    pd = scorecard_pd(view.mean, coverage, age)
    sought = money_sought(model, rows)
    debt = -model.ledger.balance[f.acct_debt[rows]]

    # Limits by security.
    b = p.banks
    collateral_line = f.collateral[rows] * b.collateral_ltv
    revenue_line = f.revenue[rows] * b.revenue_multiple
    headcount_line = f.employees[rows] * HEADCOUNT_LINE
    rated = ~np.isnan(f.rating[rows])
    pl = p.platforms
    rating_line = np.where(rated, pl.line_min + (pl.line_max - pl.line_min) * ndtr(np.nan_to_num(view.mean)), 0.0)
    lines = np.stack([collateral_line, rating_line, headcount_line, revenue_line])
    product = np.array([L.COLLATERAL, L.CREDIT, L.DATA, L.DATA])[np.argmax(lines, axis=0)]
    limit = np.maximum(lines.max(axis=0) - debt, 0.0)
    amount = np.minimum(np.minimum(sought, limit), b.max_loan)

    # Loss given default after collateral.
    secured = np.minimum(f.collateral[rows] * (1 - b.collateral_haircut), np.maximum(amount, 1e-9))
    lgd = b.loss_given_default * (1 - secured / np.maximum(amount, 1e-9))
    cost, relend_share = funding_cost(model)
    pool_cover = model.pool.expected_cover() if model.pool is not None else 0.0
    pool_ok = amount <= p.pool.max_loan
    exempt_bank = np.array([bk.exemption_active() for bk in model.banks])[bank_idx]
    exempt = exempt_bank & (amount <= p.exemption.max_loan)
    common = dict(
        pd=pd, view_sd=view.sd, loss_given_default=lgd, funding_cost=cost,
        base_margin=b.base_margin, rate_cap=b.rate_cap, officer_penalty=b.officer_penalty,
        opacity_aversion=b.opacity_aversion,
    )
    dec = decide(cover=np.where(pool_ok, pool_cover, 0.0), exempt=exempt, **common)
    approve = dec.approve & (amount >= MIN_LOAN)
    guaranteed = np.zeros(len(rows), dtype=bool)

    # The guarantee chain for what the bank refuses on its own.
    chain = model.guarantee_chain
    if chain is not None and chain.open_for_business():
        g = p.guarantee
        g_line = np.minimum(
            f.employees[rows] * GUARANTEE_LINE_EMPLOYEE + f.patents[rows] * GUARANTEE_LINE_PATENT, g.max_guarantee
        )
        g_amount = np.minimum(np.minimum(sought, np.maximum(np.maximum(limit, g_line - debt), 0.0)), g.max_guarantee)
        guarantor_pd = pd
        try_g = ~approve & (guarantor_pd <= g.max_pd) & (g_amount >= MIN_LOAN)
        if try_g.any():
            g_exempt = exempt_bank & (g_amount <= p.exemption.max_loan)
            dec_g = decide(cover=chain.covered_share, exempt=g_exempt, **common)
            use = try_g & dec_g.approve
            # Capacity under the municipal guarantor's leverage limit, first come first served.
            room = chain.room()
            cum = np.cumsum(np.where(use, g_amount, 0.0))
            use &= cum <= room
            guaranteed = use
            amount = np.where(use, g_amount, amount)
            product = np.where(use, L.GUARANTEED, product)
            for field in ("rate", "pd", "officer_pd", "expected_loss"):
                getattr(dec, field)[use] = getattr(dec_g, field)[use]
            dec.exempt[use] = g_exempt[use]
            approve = approve | use

    # Capital constraint per bank, in application order.
    room = np.array([bk.lending_room() for bk in model.banks])
    for j in np.flatnonzero(approve):
        k = bank_idx[j]
        if amount[j] > room[k]:
            approve[j] = False
        else:
            room[k] -= amount[j]

    young = age < 36
    model.tally["applications_young"] += int(young.sum())
    model.tally["approvals_young"] += int((approve & young).sum())
    model.tally["applications_old"] += int((~young).sum())
    model.tally["approvals_old"] += int((approve & ~young).sum())
    model.tally["approvals"] += int(approve.sum())
    model.record_decisions(rows, approve)

    idx = np.flatnonzero(approve)
    if len(idx) == 0:
        return
    inc = p.incentives
    delegated = inc.delegated_approval & (amount[idx] <= inc.delegated_limit)
    lag = np.where(delegated, 0, b.approval_lag)
    terms = {
        "firm": rows[idx],
        "bank": bank_idx[idx],
        "product": product[idx],
        "principal": amount[idx],
        "rate": dec.rate[idx],
        "tenor": np.full(len(idx), b.tenor_months),
        "collateral": np.where(product[idx] == L.COLLATERAL, f.collateral[rows[idx]], 0.0),
        "guaranteed": guaranteed[idx],
        "fee_rate": np.where(guaranteed[idx], chain.fee_rate(amount[idx]) if chain is not None else 0.0, 0.0),
        "relending_share": np.full(len(idx), relend_share),
        "exempt": dec.exempt[idx],
        "officer_pd": dec.officer_pd[idx],
    }
    if chain is not None:
        for a in amount[idx][guaranteed[idx]]:
            chain.issue(float(a))
    now = lag == 0
    disburse(model, {k: v[now] for k, v in terms.items()})
    later = ~now
    if later.any():
        due = month + lag[later]
        f.pending_until[terms["firm"][later]] = due
        for d in np.unique(due):
            sel = later.copy()
            sel[later] = due == d
            model.loan_queue.setdefault(int(d), []).append({k: v[sel] for k, v in terms.items()})


def disburse_queued(model: EcosystemModel) -> None:
    """Pay out loans whose head-office approval comes through this month (firms still alive)."""
    for terms in model.loan_queue.pop(model.month, []):
        alive = model.firms.status[terms["firm"]] == ACTIVE
        model.firms.pending_until[terms["firm"]] = -1
        if model.guarantee_chain is not None:
            dead_g = terms["guaranteed"] & ~alive
            for a in terms["principal"][dead_g]:
                model.guarantee_chain.issue(-float(a))
        disburse(model, {k: v[alive] for k, v in terms.items()})


def disburse(model: EcosystemModel, terms: dict[str, np.ndarray]) -> None:
    """Book new loans: the bank raises deposits (and re-lending), then pays the firm."""
    n = len(terms["firm"])
    if n == 0:
        return
    f = model.firms
    led = model.ledger
    rows = terms["firm"]
    banks = terms["bank"]
    principal = terms["principal"]
    ba = model.bank_accounts
    dep = led.external_owner("depositors")
    cb = led.external_owner("central_bank")
    rel = principal * terms["relending_share"]
    led.transfer("deposit_funding", dep["cash"], dep["net_flow"], ba["cash"][banks], ba["deposits"][banks],
                 principal - rel)
    led.transfer("relending_funding", cb["cash"], cb["net_flow"], ba["cash"][banks], ba["relending"][banks], rel)
    led.transfer("loan_disbursal", ba["cash"][banks], ba["loans"][banks], f.acct_cash[rows], f.acct_debt[rows],
                 principal)
    ttl = np.maximum(model.month - f.need_since[rows], 0)
    model.loans.add(
        n,
        firm=rows, bank=banks, product=terms["product"], start=model.month, principal=principal,
        outstanding=principal, rate=terms["rate"], tenor=terms["tenor"], months_left=terms["tenor"],
        collateral=terms["collateral"], guaranteed=terms["guaranteed"], fee_rate=terms["fee_rate"],
        relending_share=terms["relending_share"], exempt=terms["exempt"], officer_pd=terms["officer_pd"],
        time_to_loan=ttl,
    )
    f.debt_raised[rows] += principal
    f.rel_bank[rows] = banks
    f.need_since[rows] = -1
    bank_ids = model.bank_ids[banks]
    model.graph.link(f.agent_id[rows], bank_ids, "lending")
    if terms["guaranteed"].any() and model.guarantee_chain is not None:
        g_rows = rows[terms["guaranteed"]]
        model.graph.link(f.agent_id[g_rows], np.full(len(g_rows), model.guarantee_chain.municipal.unique_id),
                         "guarantee")
    model.events.record(model.month, "loan", firm_id=f.agent_id[rows], counterparty_id=bank_ids,
                        amount=principal, product=terms["product"], detail=terms["rate"])
    model.tally["new_loans"] += float(principal.sum())
    model.tally["loans_made"] += n
    model.tally["time_to_loan_sum"] += float(ttl.sum())
    for prod in np.unique(terms["product"]):
        model.tally[f"new_loans_{L.PRODUCTS[prod]}"] += float(principal[terms["product"] == prod].sum())
