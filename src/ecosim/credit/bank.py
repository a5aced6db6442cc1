"""Banks: Mesa agents with a balance sheet, a tech-loan book and a branch NPL record (stock and flow)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import mesa
import numpy as np

from ecosim.credit import loans as L
from ecosim.ledger import BANK_CHART

if TYPE_CHECKING:
    from ecosim.model import EcosystemModel


class Bank(mesa.Agent):
    """A bank lending to tech startups through its branch loan officers.

    Attributes:
        index: Position in ``model.banks`` (used in the loan book).
        accounts: Ledger accounts (cash, loans, deposits, relending, capital, retained).
        defaults_12m: Principal defaulted in each of the last twelve months.
        relending_quota: Share of the scenario's re-lending funding the bank may use (set by the evaluation).
        funding_discount: Annual funding-cost saving from rediscount access (set by the evaluation).
        accreditation: Tech-branch ladder step: 0 none, 1 reserve, 2 upgrading, 3 accredited.
        appetite: Extra annual rate headroom the bank accepts on tech loans (from accreditation).
        delegated_multiplier: Multiplier of the branch's delegated approval limit (from accreditation).
    """

    def __init__(self, model: EcosystemModel, index: int, capital: float) -> None:
        super().__init__(model)
        self.index = index
        self.accounts = model.ledger.open(f"bank{index}", BANK_CHART)
        self.defaults_12m = np.zeros(12)
        self.exemption_lost_months = 0
        # Incentives from the yearly evaluation (ecosim.information.evaluation); defaults change nothing.
        self.relending_quota = 1.0
        self.funding_discount = 0.0
        self.accreditation = 0
        self.appetite = 0.0
        self.delegated_multiplier = 1.0
        self.allotted_capital = capital
        ext = model.ledger.external_owner("bank_shareholders")
        model.ledger.transfer("bank_capital", ext["cash"], ext["net_flow"],
                              self.accounts["cash"], self.accounts["capital"], capital)

    # ---------------------------------------------------------------- state

    @property
    def loan_balance(self) -> float:
        return float(self.model.ledger.balance[self.accounts["loans"]])

    @property
    def equity(self) -> float:
        led = self.model.ledger
        return float(-(led.balance[self.accounts["capital"]] + led.balance[self.accounts["retained"]]))

    @property
    def npl_ratio(self) -> float:
        """Non-performing loans over the loan book, as banks report it (see :func:`npl_ratios`)."""
        return float(npl_ratios(self.model)[self.index])

    @property
    def default_rate_12m(self) -> float:
        """Principal defaulted over the last 12 months relative to the book plus it (a flow measure)."""
        lost = float(self.defaults_12m.sum())
        book = self.loan_balance + lost
        return lost / book if book > 0 else 0.0

    def npl_tolerance(self) -> float:
        """NPL ratio the branch may reach before it loses the due-diligence exemption."""
        p = self.model.params
        uplift = p.incentives.tolerance_uplift if p.incentives.differentiated_tolerance else 0.0
        return p.banks.npl_tolerance + uplift

    def exemption_active(self) -> bool:
        """Whether the branch's officers are currently shielded by the due-diligence exemption."""
        return self.model.params.exemption.enabled and self.npl_ratio <= self.npl_tolerance()

    def lending_room(self) -> float:
        """How much more the bank may lend from its tech-loan credit plan before its capital requirement binds."""
        return float(lending_rooms(self.model)[self.index])

    def roll_month(self) -> None:
        """Start a new month in the trailing default record."""
        d = self.defaults_12m
        d[1:] = d[:-1].copy()
        d[0] = 0.0


def bank_equities(model: EcosystemModel) -> np.ndarray:
    """Per bank in ``model.banks`` order: its equity (capital plus retained earnings), from the ledger."""
    bal = model.ledger.balance
    ba = model.bank_accounts
    return -(bal[ba["capital"]] + bal[ba["retained"]])


def lending_rooms(model: EcosystemModel) -> np.ndarray:
    """Per bank in ``model.banks`` order: :meth:`Bank.lending_room`, read from the ledger for all banks at once."""
    loans = model.ledger.balance[model.bank_accounts["loans"]]
    room = bank_equities(model) / model.params.banks.capital_ratio - (loans - outside_plan_balance(model))
    return np.where(room > 0.0, room, 0.0)


def outside_plan_balance(model: EcosystemModel) -> np.ndarray:
    """Per bank: principal on its books of loans that do not draw on the tech-loan credit plan.

    These are the M&A loans when ``products.ma_in_credit_plan`` is off (corporate loans booked against
    the bank's whole balance sheet); 0 otherwise.
    """
    loans = model.loans
    if model.params.products.ma_in_credit_plan or len(loans) == 0:
        return np.zeros(len(model.banks))
    held = loans.on_books()
    held = held[loans.product[held] == L.MA]
    return np.bincount(loans.bank[held], weights=loans.outstanding[held], minlength=len(model.banks))


def recapitalise_banks(model: EcosystemModel) -> None:
    """The head office restores the capital of a branch whose losses have used up its equity.

    A branch's tech-loan plan is a part of a larger bank: when defaults (a large loan's above all)
    leave the branch with negative equity, the bank's shareholders pay its allotted capital
    back in (booked from ``bank_shareholders``), so the branch keeps lending and paying its
    depositors. The sum is counted in ``model.tally["bank_recapitalisations"]``.
    """
    if not model.banks:
        return
    equity = bank_equities(model)
    short = np.flatnonzero(equity < 0.0)
    if len(short) == 0:
        return
    allotted = np.array([model.banks[k].allotted_capital for k in short.tolist()])
    amount = allotted - equity[short]
    ext = model.ledger.external_owner("bank_shareholders")
    ba = model.bank_accounts
    model.ledger.transfer("bank_recapitalisation", ext["cash"], ext["net_flow"], ba["cash"][short],
                          ba["capital"][short], amount)
    model.tally["bank_recapitalisations"] += float(amount.sum())


def bank_defaults_12m(model: EcosystemModel) -> np.ndarray:
    """Per bank in ``model.banks`` order: principal defaulted over the last twelve months."""
    banks = model.banks
    if not banks:
        return np.zeros(0)
    return np.concatenate([bk.defaults_12m for bk in banks]).reshape(len(banks), -1).sum(axis=1)


def _book(model: EcosystemModel) -> tuple[np.ndarray, np.ndarray]:
    """Per bank: (non-performing principal, principal on the books: active and workout loans)."""
    loans = model.loans
    on_books = loans.on_books()
    bad = on_books[(loans.status[on_books] == L.WORKOUT)
                   | (loans.overdue_months[on_books] >= model.params.banks.overdue_default_months)]
    k = len(model.banks)
    return (np.bincount(loans.bank[bad], weights=loans.outstanding[bad], minlength=k),
            np.bincount(loans.bank[on_books], weights=loans.outstanding[on_books], minlength=k))


def nonperforming(model: EcosystemModel) -> np.ndarray:
    """Per bank in ``model.banks`` order: non-performing principal on its books.

    Loans in workout (defaulted, loss not yet resolved) and loans ``banks.overdue_default_months``
    (90 days) or more in arrears.
    """
    return _book(model)[0]


def npl_ratios(model: EcosystemModel) -> np.ndarray:
    """Per bank in ``model.banks`` order: the NPL ratio as banks report it.

    Non-performing principal (:func:`nonperforming`) over the principal on the bank's books, which
    still carry the loans in workout until they are written off (the ledger's loan account).
    """
    bad, book = _book(model)
    return np.where(book > 0, bad / np.where(book > 0, book, 1.0), 0.0)


def default_rates_12m(model: EcosystemModel) -> np.ndarray:
    """Per bank: principal defaulted over the last 12 months / (loan book + that principal), a flow measure."""
    lost = bank_defaults_12m(model)
    book = model.ledger.balance[model.bank_accounts["loans"]] + lost
    return np.where(book > 0, lost / np.where(book > 0, book, 1.0), 0.0)


def exemptions_active(model: EcosystemModel) -> np.ndarray:
    """Per bank in ``model.banks`` order: :meth:`Bank.exemption_active`, for all banks at once."""
    banks = model.banks
    if not model.params.exemption.enabled or not banks:
        return np.zeros(len(banks), dtype=bool)
    return npl_ratios(model) <= banks[0].npl_tolerance()
