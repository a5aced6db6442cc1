"""The loan book: every loan ever made, one row each, and the product codes."""

from __future__ import annotations

import numpy as np

from ecosim.columns import Column, ColumnTable

#: Loan products: a code here plus its rules in :mod:`ecosim.credit.products`.
COLLATERAL, CREDIT, DATA, GUARANTEED, RD, IP_PLEDGE, EQUITY_PLEDGE, INVEST_LOAN, MA = range(9)
PRODUCTS: tuple[str, ...] = (
    "collateral",  # standard loan against fixed assets
    "rating_credit",  # credit loan on a platform rating's pre-approved line
    "data_credit",  # small credit loan from government-service data
    "guaranteed",  # tech loan guaranteed through the guarantee chain
    "rd",  # R&D loan (科研贷), long tenor, for R&D costs
    "ip_pledge",  # loan against pledged patents valued by the IP platform
    "equity_pledge",  # loan against pledged unlisted equity (科股贷)
    "invest_loan",  # invest-loan linkage line for VC-backed firms (联投易贷)
    "ma",  # M&A loan for tech firms
)

#: Loan status: ACTIVE (performing or overdue), REPAID, DEFAULTED (written off), WORKOUT (defaulted, the
#: loss not yet resolved: still on the bank's books and counted as non-performing).
ACTIVE, REPAID, DEFAULTED, WORKOUT = 0, 1, 2, 3

LOAN_COLUMNS: tuple[Column, ...] = (
    Column("firm", np.int64, -1, "row of the borrower in the firm table"),
    Column("bank", np.int32, -1, "index of the lending bank"),
    Column("product", np.int8, COLLATERAL, "product code (PRODUCTS)"),
    Column("status", np.int8, ACTIVE, "ACTIVE, REPAID, DEFAULTED or WORKOUT"),
    Column("start", np.int32, 0, "month of disbursal"),
    Column("principal", np.float64, 0.0, "amount lent, million yuan"),
    Column("outstanding", np.float64, 0.0, "principal still owed"),
    Column("rate", np.float64, 0.0, "annual interest rate"),
    Column("tenor", np.int32, 0, "tenor in months"),
    Column("months_left", np.int32, 0, "instalments left"),
    Column("collateral", np.float64, 0.0, "value of pledged collateral"),
    Column("security", np.float64, 0.0, "what the bank expects to realise from pledged security on default"),
    Column("guaranteed", np.bool_, False, "covered by the guarantee chain"),
    Column("fee_rate", np.float64, 0.0, "annual guarantee fee paid by the firm"),
    Column("relending_share", np.float64, 0.0, "share of principal funded by tech re-lending"),
    Column("exempt", np.bool_, False, "approved under the due-diligence exemption"),
    Column("officer_pd", np.float64, 0.0, "officer's estimate of annual default risk at approval"),
    Column("time_to_loan", np.int32, 0, "months from the firm's need to the money"),
    Column("overdue_months", np.int16, 0, "consecutive instalments missed (0 = current)"),
    Column("first_missed", np.int32, -1, "month of the first missed instalment of the current arrears; -1 when none"),
    Column("default_month", np.int32, -1, "month the loan defaulted (entered workout); -1 when it has not"),
    Column("writeoff_month", np.int32, -1, "month the loss was booked and the loan written off; -1 before"),
)


class LoanBook(ColumnTable):
    """All loans; phases select active ones with :meth:`active`.

    Change a loan's status with :meth:`set_status`: the indices of loans by status
    (:meth:`active`, :meth:`on_books`, :meth:`in_workout`) are kept from one status
    change to the next, and new loans are appended to them. Whether a loan is
    guaranteed is set when it is made and never changes (:meth:`guaranteed_loans`).
    """

    def __init__(self) -> None:
        super().__init__(LOAN_COLUMNS, capacity=4096)
        object.__setattr__(self, "_by_status", {})
        object.__setattr__(self, "_guaranteed", None)

    def add(self, count: int, **values) -> np.ndarray:
        rows = super().add(count, **values)
        # New loans go at the end, so each kept index stays ascending with theirs appended.
        for statuses, idx in list(self._by_status.items()):
            self._by_status[statuses] = _readonly(np.concatenate([idx, rows[_status_in(self.status[rows], statuses)]]))
        if self._guaranteed is not None:
            object.__setattr__(self, "_guaranteed",
                               _readonly(np.concatenate([self._guaranteed, rows[self.guaranteed[rows]]])))
        return rows

    def __setattr__(self, name: str, value) -> None:
        super().__setattr__(name, value)
        if name == "status":
            self._by_status.clear()

    def set_status(self, idx: np.ndarray, status: int) -> None:
        """Set the status of loans ``idx`` (REPAID, WORKOUT or DEFAULTED ends their servicing)."""
        self.status[idx] = status
        self._by_status.clear()

    def _with_status(self, statuses: tuple[int, ...]) -> np.ndarray:
        """Indices of loans whose status is one of ``statuses``, ascending (read-only, kept until a status changes)."""
        idx = self._by_status.get(statuses)
        if idx is None:
            idx = _readonly(np.flatnonzero(_status_in(self.status, statuses)))
            self._by_status[statuses] = idx
        return idx

    def active(self) -> np.ndarray:
        """Indices of loans still outstanding, ascending (read-only)."""
        return self._with_status((ACTIVE,))

    def on_books(self) -> np.ndarray:
        """Indices of loans on the banks' books: active and in workout, ascending (read-only)."""
        return self._with_status((ACTIVE, WORKOUT))

    def in_workout(self) -> np.ndarray:
        """Indices of defaulted loans whose loss is not yet resolved, ascending (read-only)."""
        return self._with_status((WORKOUT,))

    def guaranteed_loans(self) -> np.ndarray:
        """Indices of the loans covered by the guarantee chain, whatever their status, ascending (read-only)."""
        if self._guaranteed is None:
            object.__setattr__(self, "_guaranteed", _readonly(np.flatnonzero(self.guaranteed)))
        return self._guaranteed

    def of_firms(self, rows: np.ndarray) -> np.ndarray:
        """Indices of active loans whose borrower is one of ``rows``."""
        act = self.active()
        rows = np.asarray(rows)
        if rows.size == 1:  # the common case: one firm
            return act[self.firm[act] == rows.ravel()[0]]
        if rows.size == 0:
            return np.zeros(0, dtype=act.dtype)
        # A lookup table over firm rows up to the largest asked for, plus one slot that is never asked for.
        asked = np.zeros(int(rows.max()) + 2, dtype=bool)
        asked[rows] = True
        return act[asked[np.minimum(self.firm[act], len(asked) - 1)]]


def _status_in(status: np.ndarray, statuses: tuple[int, ...]) -> np.ndarray:
    """Whether each status is one of ``statuses``."""
    inside = status == statuses[0]
    for other in statuses[1:]:
        inside |= status == other
    return inside


def _readonly(idx: np.ndarray) -> np.ndarray:
    """``idx`` marked read-only (kept indices are shared with every caller)."""
    idx.flags.writeable = False
    return idx
