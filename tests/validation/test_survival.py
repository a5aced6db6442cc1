"""Cohort survival by age: the estimator behind the survival targets (no simulation needed)."""

from __future__ import annotations

import numpy as np

from ecosim.validation.survival import share_not_failed


def test_complete_cohort_equals_empirical_share():
    """With one cohort observed from birth and no censoring, the share not failed is the plain share."""
    founded = np.zeros(10, dtype=int)
    exit_month = np.array([3, 5, 5, 8, 12, -1, -1, -1, -1, -1])
    failed = exit_month >= 0
    s = share_not_failed(founded, exit_month, failed, last_month=20, ages=[2, 3, 5, 10, 20])
    assert np.allclose(s, [1.0, 0.9, 0.7, 0.6, 0.5])


def test_acquired_firms_count_as_not_failed():
    """A firm that leaves by acquisition has not failed: it never lowers the share not failed."""
    founded = np.zeros(4, dtype=int)
    exit_month = np.array([2, 4, -1, -1])
    failed = np.array([False, True, False, False])  # the first was acquired
    s = share_not_failed(founded, exit_month, failed, last_month=10, ages=[1, 3, 10])
    # After the acquisition, 3 firms remain at risk and one of them fails: 1 - 1 × (3/4) × (1/3).
    assert np.allclose(s, [1.0, 1.0, 0.75])


def test_delayed_entry_uses_only_firms_observed_at_each_age():
    """Firms already operating at month 0 enter the risk set at their age then (left truncation)."""
    # Four entrants, one fails at age 2. Two firms aged 10 at month 0; one fails at month 2 (age 12).
    founded = np.array([0, 0, 0, 0, -10, -10])
    exit_month = np.array([2, -1, -1, -1, 2, -1])
    failed = exit_month >= 0
    s = share_not_failed(founded, exit_month, failed, last_month=30, ages=[2, 12, 35, 60])
    assert np.isclose(s[0], 0.75)  # only the entrants are observed at age 2
    assert np.isclose(s[1], 0.75 * 4 / 5)  # at age 12: three entrants and both older firms at risk
    assert np.isclose(s[2], 0.6)  # the older survivor is still operating at age 40
    assert np.isnan(s[3])  # nobody observed at age 60


def test_censoring_at_the_end_of_the_run():
    """Firms still operating at the end are censored, not counted as failures or as survivors beyond."""
    founded = np.array([0, 0, 5, 5])
    exit_month = np.array([4, -1, -1, -1])
    failed = exit_month >= 0
    s = share_not_failed(founded, exit_month, failed, last_month=10, ages=[4, 10])
    assert np.isclose(s[0], 0.75)
    assert np.isclose(s[1], 0.75)  # at age 10 only firm 2 is observed, and it is alive
