"""Resolving defaults: who bears a defaulted loan's loss, booked in the ledger.

A loan defaults when its borrower fails (after ``banks.overdue_default_months`` of
missed instalments, or when it closes for any other reason). It then enters
*workout* (:func:`resolve_defaults`): it stays on the bank's books as a
non-performing loan while the bank collects, sells the security and claims on the
guarantee chain and the pool; ``banks.workout_months`` later the loss is booked and
the loan written off (:func:`write_off_due`, :func:`write_off`). The NPL ratio banks
report is the stock of such loans (and of loans 90+ days overdue) over the book.

At write-off, for each loan (all of a month's write-offs at once, in loan order):

1. The bank realises pledged security (collateral or patents, after their haircut, as
   valued at origination) from an outside buyer.
2. The rest is the *loss*. If the loan is guaranteed, the municipal guarantor
   pays the bank ``(1 - share_bank) × loss`` and claims the provincial and
   national shares; the national fund pays only within its compensation cap,
   and what it refuses stays with the municipal guarantor. Each tier later
   recovers part of what it paid (``guarantee.recovery_rate``).
3. The risk-compensation pool reimburses eligible loans, never beyond the
   loss still uncovered, until it is empty.
4. The bank writes off what remains; the failed firm's debt is extinguished.

Every step is a ledger posting; the split is recorded on the ``default`` event.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from ecosim.credit import loans as L

if TYPE_CHECKING:
    from ecosim.model import EcosystemModel


def first_come(want: np.ndarray, available: float) -> np.ndarray:
    """Pay each claim in order until ``available`` runs out (the one at the boundary in part)."""
    want = np.maximum(want, 0.0)
    before = np.cumsum(want) - want
    return np.clip(available - before, 0.0, want)


def repay_funding(model: EcosystemModel, bank_idx, amount, relending_share) -> None:
    """Banks return funding (deposits and re-lending) as principal comes back."""
    bank_idx = np.atleast_1d(bank_idx)
    amount = np.atleast_1d(np.asarray(amount, dtype=float))
    if amount.sum() <= 0:
        return
    led = model.ledger
    ba = model.bank_accounts
    dep = led.external_owner("depositors")
    cb = led.external_owner("central_bank")
    rel = amount * relending_share
    led.transfer("deposit_repayment", ba["cash"][bank_idx], ba["deposits"][bank_idx], dep["cash"], dep["net_flow"],
                 amount - rel)
    led.transfer("relending_repayment", ba["cash"][bank_idx], ba["relending"][bank_idx], cb["cash"],
                 cb["net_flow"], rel)


def resolve_defaults(model: EcosystemModel, idx: np.ndarray) -> None:
    """Loans ``idx`` default: they enter workout (written off at once when ``banks.workout_months`` is 0).

    The bank counts the defaulted principal in its trailing default record and ends the
    lending relationship; the loss is booked at write-off.
    """
    if len(idx) == 0:
        return
    loans = model.loans
    f = model.firms
    bank = loans.bank[idx]
    owed = loans.outstanding[idx]
    by_bank = np.bincount(bank, weights=owed, minlength=len(model.banks))
    for k in np.flatnonzero(by_bank):
        model.banks[k].defaults_12m[0] += by_bank[k]
    loans.default_month[idx] = model.month
    loans.set_status(idx, L.WORKOUT)
    model.graph.unlink(f.agent_id[loans.firm[idx]], model.bank_ids[bank], "lending")
    model.tally["defaults"] += len(idx)
    model.tally["defaulted_principal"] += float(owed.sum())
    if model.params.banks.workout_months == 0:
        write_off(model, idx)


def write_off_due(model: EcosystemModel) -> None:
    """Write off the loans whose workout ends this month (``banks.workout_months`` after their default)."""
    idx = model.loans.in_workout()
    if len(idx):
        due = idx[model.loans.default_month[idx] + model.params.banks.workout_months <= model.month]
        write_off(model, due)


def write_off(model: EcosystemModel, idx: np.ndarray) -> None:
    """Book the loss on each defaulted loan, split it among the parties and write the loan off."""
    if len(idx) == 0:
        return
    led = model.ledger
    loans = model.loans
    f = model.firms
    ba = model.bank_accounts
    bank = loans.bank[idx]
    firm = loans.firm[idx]
    owed = loans.outstanding[idx].copy()
    recovered = np.minimum(owed, np.minimum(loans.security[idx], loans.collateral[idx]))
    liquidation = led.external_owner("liquidation_buyers")
    led.transfer("collateral_recovery", liquidation["cash"], liquidation["net_flow"], ba["cash"][bank],
                 ba["loans"][bank], recovered)
    loss = owed - recovered
    guaranteed = loans.guaranteed[idx]
    covered = np.zeros(len(idx))
    split = {tier: np.zeros(len(idx)) for tier in ("municipal", "provincial", "national")}
    if guaranteed.any():
        c, s = model.guarantee_chain.pay_defaults(loss[guaranteed], bank[guaranteed])
        covered[guaranteed] = c
        for tier in split:
            split[tier][guaranteed] = s[tier]
    pool_paid = np.zeros(len(idx))
    pool = model.pool
    if pool is not None:
        eligible = pool.eligible(loans.principal[idx], guaranteed)
        if eligible.any():
            pool_paid[eligible] = pool.reimburse(loss[eligible], covered[eligible], bank[eligible])
            model.government.record_spending("pool", float(pool_paid.sum()))
    written_off = owed - recovered - covered - pool_paid
    led.post("loan_writeoff", ba["retained"][bank], ba["loans"][bank], written_off)
    led.post("debt_extinguished", f.acct_debt[firm], f.acct_retained[firm], owed)
    repay_funding(model, bank, recovered + covered + pool_paid, loans.relending_share[idx])
    loans.outstanding[idx] = 0.0
    loans.months_left[idx] = 0
    loans.writeoff_month[idx] = model.month
    loans.set_status(idx, L.DEFAULTED)
    model.events.record(
        model.month,
        "default",
        firm_id=f.agent_id[firm],
        counterparty_id=model.bank_ids[bank],
        amount=loss,
        loss_bank=written_off,
        loss_guarantor_municipal=split["municipal"],
        loss_guarantor_provincial=split["provincial"],
        loss_guarantor_national=split["national"],
        loss_pool=pool_paid,
        product=loans.product[idx],
    )
    t = model.tally
    for tier, loss_tier in split.items():
        t[f"loss_guarantor_{tier}"] += float(loss_tier.sum())
    t["guarantee_payouts"] += float(covered.sum())
    t["pool_payouts"] += float(pool_paid.sum())
    t["guaranteed_loss"] += float(loss[guaranteed].sum())
    t["guaranteed_loss_bank"] += float(written_off[guaranteed].sum())
    model.tally["loss_bank"] += float(written_off.sum())
    model.tally["loss_guarantors"] += float(sum(v.sum() for v in split.values()))
    model.tally["loss_government"] += float(pool_paid.sum())
    model.tally["written_off"] += len(idx)
    model.tally["written_off_principal"] += float(owed.sum())
    missed = np.where(loans.first_missed[idx] >= 0, loans.first_missed[idx], loans.default_month[idx])
    model.tally["months_to_writeoff_sum"] += float((model.month - missed).sum())
