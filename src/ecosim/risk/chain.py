"""The guarantee chain as a whole: issuing cover, charging fees, paying and sharing defaults.

The split national:provincial:municipal:bank (default 2:2:4:2) is a lever;
any split that sums to one is allowed. The municipal guarantor carries the
whole covered share towards the bank and is then reimbursed by the upper tiers
for theirs, so the bank's loss on a guaranteed default is exactly
``share_bank × loss``, whatever the upper tiers pay.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from ecosim.credit import loans as L
from ecosim.risk.guarantor import Guarantor

if TYPE_CHECKING:
    from ecosim.model import EcosystemModel


class GuaranteeChain:
    """The three guarantor tiers and the rules that bind them."""

    def __init__(self, model: EcosystemModel) -> None:
        self.model = model
        g = model.params.guarantee
        s = model.params.scale
        self.municipal = Guarantor(model, "municipal", g.municipal_capital * s)
        self.provincial = Guarantor(model, "provincial", g.upper_tier_capital * s)
        self.national = Guarantor(model, "national", g.upper_tier_capital * s)
        self.tiers = (self.national, self.provincial, self.municipal)

    @property
    def params(self):
        return self.model.params.guarantee

    @property
    def covered_share(self) -> float:
        """Share of a guaranteed loss that the bank does not bear."""
        return 1.0 - self.params.share_bank

    def fee_rate(self, principal: np.ndarray) -> np.ndarray:
        """Direct guarantee fee per loan: the average rate, within the caps by loan size."""
        g = self.params
        cap = np.where(principal <= 5.0, g.fee_cap_small, g.fee_cap_large)
        return np.minimum(g.fee_rate, cap)

    def committed(self) -> float:
        """Guaranteed principal the chain stands behind: outstanding on the loan book plus approved loans awaiting payout.

        Loans in workout (defaulted, not yet resolved) stay covered until the chain has paid on them.
        """
        loans = self.model.loans
        guaranteed = loans.guaranteed_loans()
        live = guaranteed[(loans.status[guaranteed] != L.REPAID) & (loans.outstanding[guaranteed] > 0)]
        covered = float(loans.outstanding[live].sum())
        for batches in self.model.loan_queue.values():
            for terms in batches:
                covered += float(terms["principal"][terms["guaranteed"]].sum())
        return covered

    def refresh(self) -> None:
        """Recompute each tier's outstanding cover from the loan book and the approval queue (never incrementally)."""
        covered = self.committed()
        g = self.params
        self.municipal.outstanding = covered * self.covered_share
        self.provincial.outstanding = covered * g.share_provincial
        self.national.outstanding = covered * g.share_national

    def open_month(self) -> None:
        """Month start, after :meth:`refresh`: each tier enters its cover in the year's balance (a new year
        opens the national fund's allowance afresh)."""
        for tier in self.tiers:
            tier.open_month(self.model.month)

    def open_for_business(self) -> bool:
        """The municipal guarantor issues only with capital left and room under its leverage limit."""
        return self.params.enabled and self.municipal.net_assets > 0 and self.municipal.room() > 0

    def room(self) -> float:
        """Largest principal the municipal guarantor may still cover."""
        share = self.covered_share
        return self.municipal.room() / share if share > 0 else float("inf")

    def charge_fees(self, firm_rows: np.ndarray, outstanding: np.ndarray, fee_rate: np.ndarray) -> None:
        """Monthly: firms pay the direct fee; the municipal guarantor pays re-guarantee fees upward."""
        if len(firm_rows) == 0:
            return
        led = self.model.ledger
        firms = self.model.firms
        m = self.municipal.accounts
        fees = outstanding * fee_rate / 12.0
        self.model.tally["guarantee_fees"] += float(fees.sum())
        led.transfer("guarantee_fee", firms.acct_cash[firm_rows], firms.acct_retained[firm_rows],
                     m["cash"], m["retained"], fees)
        g = self.params
        total = float(outstanding.sum())
        for tier, share in ((self.provincial, g.share_provincial), (self.national, g.share_national)):
            fee = total * (share > 0) * g.reguarantee_fee_rate / 12.0
            if fee > 0:
                led.transfer("reguarantee_fee", m["cash"], m["retained"], tier.accounts["cash"],
                             tier.accounts["retained"], fee)

    def pay_defaults(self, loss: np.ndarray, bank_idx: np.ndarray) -> tuple[np.ndarray, dict[str, np.ndarray]]:
        """Pay guaranteed defaults in order; return (cover paid to each bank, net loss of each tier).

        The municipal guarantor pays the bank ``(1 - share_bank) × loss`` (topped up by the
        government first when the recapitalisation switch is on), then claims each upper
        tier's share. The national fund pays only within its compensation cap. Each tier
        recovers ``recovery_rate`` of what it bore.
        """
        from ecosim.risk.defaults import first_come

        g = self.params
        led = self.model.ledger
        m = self.municipal
        ba = self.model.bank_accounts
        covered = loss * self.covered_share
        if covered.sum() > m.cash and g.recapitalise:
            self.recapitalise(float(covered.sum()) - m.cash)
        paid = first_come(covered, max(m.cash, 0.0))
        led.transfer("guarantee_payout", m.accounts["cash"], m.accounts["retained"], ba["cash"][bank_idx],
                     ba["loans"][bank_idx], paid)
        m.record_payout(float(paid.sum()))
        net = {"municipal": paid.copy(), "provincial": np.zeros(len(loss)), "national": np.zeros(len(loss))}
        for tier, share in ((self.provincial, g.share_provincial), (self.national, g.share_national)):
            claim = np.minimum(loss * share, paid)
            got = first_come(claim, min(tier.compensation_room(), max(tier.cash, 0.0)))
            led.transfer("reguarantee_claim", tier.accounts["cash"], tier.accounts["retained"], m.accounts["cash"],
                         m.accounts["retained"], float(got.sum()))
            tier.record_payout(float(got.sum()))
            tier.refused += float((claim - got).sum())
            if tier is self.national:
                self.model.tally["national_refused"] += float((claim - got).sum())
            net[tier.tier] += got
            net["municipal"] -= got
        recoveries = led.external_owner("liquidation_buyers")
        for tier in self.tiers:
            back = net[tier.tier] * g.recovery_rate
            led.transfer("guarantee_recovery", recoveries["cash"], recoveries["net_flow"], tier.accounts["cash"],
                         tier.accounts["retained"], float(back.sum()))
            net[tier.tier] -= back
        return paid, net

    def recapitalise(self, amount: float | None = None) -> float:
        """The government tops the municipal guarantor back up to its initial capital (public spending)."""
        m = self.municipal
        need = amount if amount is not None else m.initial_capital - m.net_assets
        if need <= 0:
            return 0.0
        gov = self.model.government
        gov.ensure_cash(need)
        self.model.ledger.transfer("recapitalisation", gov.accounts["cash"], gov.accounts["net_position"],
                                   m.accounts["cash"], m.accounts["capital"], need)
        gov.record_spending("recapitalisation", need)
        self.model.events.record(self.model.month, "recapitalisation", counterparty_id=m.unique_id, amount=need)
        return need

    def monthly_check(self) -> None:
        """Recapitalise an exhausted municipal guarantor when the switch is on."""
        m = self.municipal
        if self.params.recapitalise and m.net_assets < 0.1 * m.initial_capital:
            self.recapitalise()
