"""Resolving defaults: who bears a defaulted loan's loss, booked in the ledger.

For each defaulted loan, in order:

1. The bank realises pledged collateral (after a haircut) from an outside buyer.
2. The rest is the *loss*. If the loan is guaranteed, the municipal guarantor
   pays the bank ``(1 - share_bank) × loss`` and claims the provincial and
   national shares; the national fund pays only within its compensation cap,
   and what it refuses stays with the municipal guarantor. Each tier later
   recovers part of what it paid (``guarantee.recovery_rate``).
3. The risk-compensation pool reimburses eligible loans, never beyond the
   loss still uncovered.
4. The bank writes off what remains; the failed firm's debt is extinguished.

Every step is a ledger posting; the split is recorded on the ``default`` event.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from ecosim.credit import loans as L

if TYPE_CHECKING:
    from ecosim.model import EcosystemModel


def repay_funding(model: EcosystemModel, bank, amount: float, relending_share: float) -> None:
    """A bank returns funding (deposits and re-lending) as principal comes back."""
    if amount <= 0:
        return
    led = model.ledger
    dep = model.ledger.external_owner("depositors")
    cb = model.ledger.external_owner("central_bank")
    rel = amount * relending_share
    led.transfer("deposit_repayment", bank.accounts["cash"], bank.accounts["deposits"],
                 dep["cash"], dep["net_flow"], amount - rel)
    if rel > 0:
        led.transfer("relending_repayment", bank.accounts["cash"], bank.accounts["relending"],
                     cb["cash"], cb["net_flow"], rel)


def resolve_defaults(model: EcosystemModel, loan_idx: np.ndarray) -> None:
    """Book the loss on each defaulted loan and split it among the parties."""
    if len(loan_idx) == 0:
        return
    p = model.params
    led = model.ledger
    loans = model.loans
    firms = model.firms
    liquidation = led.external_owner("liquidation_buyers")
    chain = model.guarantee_chain
    for i in loan_idx.tolist():
        bank = model.banks[int(loans.bank[i])]
        firm = int(loans.firm[i])
        owed = float(loans.outstanding[i])
        recovered = min(owed, float(loans.collateral[i]) * (1.0 - p.banks.collateral_haircut))
        if recovered > 0:
            led.transfer("collateral_recovery", liquidation["cash"], liquidation["net_flow"],
                         bank.accounts["cash"], bank.accounts["loans"], recovered)
        loss = owed - recovered
        split = {"municipal": 0.0, "provincial": 0.0, "national": 0.0}
        covered = 0.0
        if loans.guaranteed[i] and chain is not None:
            covered, split = chain.pay_default(loss, bank)
        pool_paid = 0.0
        if model.pool is not None and model.pool.eligible(float(loans.principal[i]), bool(loans.guaranteed[i])):
            pool_paid = model.pool.reimburse(loss, covered, bank.accounts["cash"], bank.accounts["loans"])
            model.government.record_spending("pool", pool_paid)
        written_off = owed - recovered - covered - pool_paid
        led.post("loan_writeoff", bank.accounts["retained"], bank.accounts["loans"], written_off)
        led.post("debt_extinguished", firms.acct_debt[firm], firms.acct_retained[firm], owed)
        repay_funding(model, bank, recovered + covered + pool_paid, float(loans.relending_share[i]))
        bank.defaults_12m[0] += owed
        loans.outstanding[i] = 0.0
        loans.months_left[i] = 0
        loans.status[i] = L.DEFAULTED
        model.graph.unlink([firms.agent_id[firm]], [bank.unique_id], "lending")
        model.events.record(
            model.month,
            "default",
            firm_id=firms.agent_id[firm],
            counterparty_id=bank.unique_id,
            amount=loss,
            loss_bank=written_off,
            loss_guarantor_municipal=split["municipal"],
            loss_guarantor_provincial=split["provincial"],
            loss_guarantor_national=split["national"],
            loss_pool=pool_paid,
            product=int(loans.product[i]),
        )
        model.tally["loss_bank"] += written_off
        model.tally["loss_guarantors"] += sum(split.values())
        model.tally["loss_government"] += pool_paid
        model.tally["defaults"] += 1
        model.tally["defaulted_principal"] += owed
