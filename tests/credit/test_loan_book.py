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


def test_indices_by_status_follow_every_change_and_new_loans_keep_their_status() -> None:
    """``on_books()`` (active and workout), ``in_workout()`` and ``guaranteed_loans()`` match a scan of
    the columns after every add and status change, including loans added with another status."""
    from ecosim.credit.loans import WORKOUT

    book = LoanBook()
    rng = np.random.default_rng(4)

    def check() -> None:
        status = book.status
        np.testing.assert_array_equal(book.active(), np.flatnonzero(status == ACTIVE))
        np.testing.assert_array_equal(book.on_books(), np.flatnonzero((status == ACTIVE) | (status == WORKOUT)))
        np.testing.assert_array_equal(book.in_workout(), np.flatnonzero(status == WORKOUT))
        np.testing.assert_array_equal(book.guaranteed_loans(), np.flatnonzero(book.guaranteed))

    for step in range(12):
        n = int(rng.integers(1, 6))
        book.add(n, firm=rng.integers(0, 8, n), guaranteed=rng.random(n) < 0.4,
                 status=rng.choice([ACTIVE, WORKOUT], n) if step % 3 == 2 else ACTIVE)
        check()
        picked = rng.choice(len(book), size=2, replace=False)
        book.set_status(picked, int(rng.choice([REPAID, WORKOUT, DEFAULTED, ACTIVE])))
        check()


def test_loans_of_firms_are_the_active_loans_of_exactly_those_firms() -> None:
    """``of_firms`` lists the active loans whose borrower is asked for, ascending, for any set of rows."""
    book = LoanBook()
    rng = np.random.default_rng(5)
    book.add(60, firm=rng.integers(0, 20, 60))
    book.set_status(rng.choice(60, 15, replace=False), REPAID)
    act = book.active()
    for rows in ([], [3], [19], [0, 0, 7], [25, 2], list(range(30)), [40]):
        want = act[np.isin(book.firm[act], rows)]
        np.testing.assert_array_equal(book.of_firms(np.array(rows, dtype=np.int64)), want)
