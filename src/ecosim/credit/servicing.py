"""Loan servicing: interest, amortisation, guarantee fees, arrears and banks' funding costs.

Loans amortise in equal principal instalments. A firm that cannot pay what
falls due this month misses the instalment: its loans fall into arrears (the
missed interest is forgone, the tenor extends by a month). A firm that pays
again is current again. After ``banks.overdue_default_months`` consecutive
missed instalments (90 days) the bank pursues it: it is marked distressed, and
the failure phase defaults all its loans into workout (``ecosim.risk.defaults``),
whose losses are booked when the workout ends.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from ecosim.credit import loans as L
from ecosim.risk.defaults import repay_funding, write_off_due

if TYPE_CHECKING:
    from ecosim.model import EcosystemModel


def service_loans(model: EcosystemModel) -> None:
    """Write off loans whose workout ends; collect this month's instalments, interest and fees; track arrears."""
    write_off_due(model)
    loans = model.loans
    f = model.firms
    led = model.ledger
    act = loans.active()
    if len(act) > 0:
        firm = loans.firm[act]
        outstanding = loans.outstanding[act]
        interest = outstanding * loans.rate[act] / 12.0
        principal = outstanding / np.maximum(loans.months_left[act], 1)
        fee = outstanding * loans.fee_rate[act] / 12.0
        due = interest + principal + fee
        due_by_firm = np.bincount(firm, weights=due, minlength=len(f))
        pay = ~(due_by_firm[firm] > led.balance[f.acct_cash[firm]] + 1e-12)  # the borrower can pay all it owes
        mark_arrears(model, act, pay)
        idx = act
        if not pay.all():
            idx, firm, outstanding = act[pay], firm[pay], outstanding[pay]
            interest, principal = interest[pay], principal[pay]
        banks = loans.bank[idx]
        ba = model.bank_accounts
        led.transfer("interest", f.acct_cash[firm], f.acct_retained[firm], ba["cash"][banks],
                     ba["retained"][banks], interest)
        led.transfer("principal_repayment", f.acct_cash[firm], f.acct_debt[firm], ba["cash"][banks],
                     ba["loans"][banks], principal)
        g = loans.guaranteed[idx]
        if g.any() and model.guarantee_chain is not None:
            model.guarantee_chain.charge_fees(firm[g], outstanding[g], loans.fee_rate[idx][g])
        loans.outstanding[idx] -= principal
        loans.months_left[idx] -= 1
        model.tally["interest"] += float(interest.sum())
        # Banks return funding as principal comes back.
        repay_funding(model, banks, principal, loans.relending_share[idx])
        done = idx[loans.months_left[idx] <= 0]
        if len(done):
            loans.outstanding[done] = 0.0
            loans.set_status(done, L.REPAID)
            model.graph.unlink(f.agent_id[loans.firm[done]], model.bank_ids[loans.bank[done]], "lending")
            model.events.record(model.month, "repaid", firm_id=f.agent_id[loans.firm[done]],
                                counterparty_id=model.bank_ids[loans.bank[done]], amount=loans.principal[done])
    pay_funding_costs(model)


def mark_arrears(model: EcosystemModel, act: np.ndarray, pay: np.ndarray) -> None:
    """Loans ``act[~pay]`` miss this month's instalment; ``act[pay]`` are current again.

    Borrowers with a loan ``banks.overdue_default_months`` or more in arrears are marked distressed.
    """
    loans = model.loans
    missed = act[~pay]
    if len(missed):
        fresh = missed[loans.overdue_months[missed] == 0]
        loans.first_missed[fresh] = model.month
        loans.overdue_months[missed] += 1
        pursued = missed[loans.overdue_months[missed] >= model.params.banks.overdue_default_months]
        model.distressed[loans.firm[pursued]] = True
        model.tally["loans_missed"] += len(missed)
    paid = act[pay]
    if len(paid):
        cured = paid[loans.overdue_months[paid] > 0]
        loans.overdue_months[cured] = 0
        loans.first_missed[cured] = -1


def pay_funding_costs(model: EcosystemModel) -> None:
    """Banks pay interest on deposits and on re-lending."""
    led = model.ledger
    ba = model.bank_accounts
    p = model.params
    dep = led.external_owner("depositors")
    cb = led.external_owner("central_bank")
    deposits = -led.balance[ba["deposits"]]
    relending = -led.balance[ba["relending"]]
    led.transfer("deposit_interest", ba["cash"], ba["retained"], dep["cash"], dep["net_flow"],
                 np.maximum(deposits, 0) * p.banks.funding_rate / 12.0)
    led.transfer("relending_interest", ba["cash"], ba["retained"], cb["cash"], cb["net_flow"],
                 np.maximum(relending, 0) * p.incentives.relending_rate / 12.0)
