"""Guarantors and the bank-guarantee risk-sharing chain (银担分险).

Three tiers are Mesa agents: the national financing guarantee fund, the
provincial re-guarantor and the municipal guarantor (the Jinan financing
guarantee group). The municipal guarantor issues guarantees to banks for a fee,
pays the bank its covered share on a default, then claims the upper tiers'
shares. The national fund pays only while its payouts of the year stay under its
compensation cap, a share of its guaranteed balance that year (the mean of its
outstanding cover at each month's start); what it refuses stays with the
municipal guarantor, and a new year opens a new allowance. A guarantor whose
outstanding guarantees reach its leverage limit, or whose capital is
exhausted, stops issuing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import mesa

from ecosim.ledger import GUARANTOR_CHART

if TYPE_CHECKING:
    from ecosim.model import EcosystemModel

TIERS: tuple[str, ...] = ("national", "provincial", "municipal")


class Guarantor(mesa.Agent):
    """One tier of the guarantee chain.

    Attributes:
        tier: ``national``, ``provincial`` or ``municipal``.
        accounts: Ledger accounts (cash, capital, retained).
        outstanding: Principal currently covered (its share of each active loan).
        payouts: Cumulative payouts on defaults.
        year_payouts: Payouts since the current year began.
        refused: Cumulative claims refused at the compensation cap.
    """

    def __init__(self, model: EcosystemModel, tier: str, capital: float) -> None:
        super().__init__(model)
        self.tier = tier
        self.accounts = model.ledger.open(f"guarantor_{tier}", GUARANTOR_CHART)
        self.initial_capital = capital
        self.outstanding = 0.0
        self.payouts = 0.0
        self.year_payouts = 0.0
        self.refused = 0.0
        self._balance_sum = 0.0  # outstanding cover at each month start of the current year
        self._balance_months = 0
        ext = model.ledger.external_owner("public_shareholders")
        model.ledger.transfer("guarantor_capital", ext["cash"], ext["net_flow"],
                              self.accounts["cash"], self.accounts["capital"], capital)

    @property
    def net_assets(self) -> float:
        led = self.model.ledger
        return float(-(led.balance[self.accounts["capital"]] + led.balance[self.accounts["retained"]]))

    @property
    def cash(self) -> float:
        return float(self.model.ledger.balance[self.accounts["cash"]])

    @property
    def leverage(self) -> float:
        """Outstanding guarantees as a multiple of net assets (inf when capital is gone)."""
        na = self.net_assets
        return self.outstanding / na if na > 0 else float("inf")

    def room(self) -> float:
        """Principal it may still cover under its leverage limit."""
        limit = self.model.params.guarantee.leverage_limit
        return max(0.0, limit * max(self.net_assets, 0.0) - self.outstanding)

    def open_month(self, month: int) -> None:
        """Month start: a new year (month 1, 13, ...) clears the year's payouts; this month's cover joins
        the year's balance."""
        if month % 12 == 1:
            self.year_payouts = 0.0
            self._balance_sum = 0.0
            self._balance_months = 0
        self._balance_sum += self.outstanding
        self._balance_months += 1

    @property
    def year_balance(self) -> float:
        """Guaranteed balance of the year: mean outstanding cover at this year's month starts (now, before any)."""
        return self._balance_sum / self._balance_months if self._balance_months else self.outstanding

    def record_payout(self, amount: float) -> None:
        """Count a payout on defaults, in the year's and in the cumulative total."""
        self.payouts += amount
        self.year_payouts += amount

    def compensation_room(self) -> float:
        """National fund: payouts still allowed this year under its compensation cap (inf for other tiers).

        The cap is a share (``guarantee.national_cap``) of the year's guaranteed balance, less what
        the fund has paid since the year began.
        """
        if self.tier != "national":
            return float("inf")
        cap = self.model.params.guarantee.national_cap * self.year_balance
        return max(0.0, cap - self.year_payouts)
