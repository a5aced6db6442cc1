"""The loan book's index of active loans follows new loans and status changes."""

from __future__ import annotations

import numpy as np
import pytest

from ecosim.credit.loans import ACTIVE, DEFAULTED, REPAID, LoanBook


def test_active_index_follows_new_loans_and_status_changes() -> None:
    """``active()`` lists exactly the loans whose status is ACTIVE after every add and status change,
    and cannot be changed in place by a caller."""
    book = LoanBook()
    book.add(5, firm=[0, 1, 2, 3, 4], principal=1.0, outstanding=1.0)
    np.testing.assert_array_equal(book.active(), np.arange(5))
    book.set_status([1, 3], REPAID)
    np.testing.assert_array_equal(book.active(), [0, 2, 4])
    book.add(2, firm=[5, 6])
    np.testing.assert_array_equal(book.active(), [0, 2, 4, 5, 6])
    book.set_status(np.array([0, 6]), DEFAULTED)
    np.testing.assert_array_equal(book.active(), np.flatnonzero(book.status == ACTIVE))
    np.testing.assert_array_equal(book.of_firms(np.array([2, 5, 6])), [2, 5])
    book.status = ACTIVE  # a whole-column assignment also renews the index
    np.testing.assert_array_equal(book.active(), np.arange(7))
    with pytest.raises(ValueError):
        book.active()[0] = 3
