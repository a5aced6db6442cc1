"""Cohort survival by firm age, from each firm's founding and exit months.

A run observes firms of different ages: the initial population was founded
before month 0 and is observed only from then on (left truncation, or
delayed entry); later entrants are observed from their first month; firms
still operating at the end are censored. Firms leave in three ways: failure,
acquisition and listing. "Survival" in the published figures means the firm
still exists, so an acquired or listed firm has not died.

:func:`share_not_failed` is therefore one minus the cumulative incidence of
failure (the Aalen–Johansen estimator with delayed entry): at each age ``t``,
``n_t`` firms are at risk (observed alive at the start of age ``t``), ``d_t``
fail and ``e_t`` leave by any route; the all-cause survival ``S`` is the
Kaplan–Meier product of ``1 - e_t / n_t`` and the probability of having
failed by age ``a`` is the sum over ``t ≤ a`` of ``S(t-1) · d_t / n_t``.
With no acquisitions or listings this is the ordinary Kaplan–Meier curve.
"""

from __future__ import annotations

import numpy as np


def share_not_failed(
    founded: np.ndarray,
    exit_month: np.ndarray,
    failed: np.ndarray,
    last_month: int,
    ages: np.ndarray | list[int],
    first_month: int = 0,
) -> np.ndarray:
    """Share of a cohort not failed by each age, in months (NaN where no firm was observed at that age).

    Args:
        founded: Month each firm was founded (negative for firms founded before the run).
        exit_month: Month each firm left; -1 while still operating.
        failed: Whether each firm's exit was a failure (False for acquisitions, listings, or still operating).
        last_month: Last simulated month (firms still operating are censored then).
        ages: Ages in months at which to report the share.
        first_month: Month from which firms are observed (firms founded earlier enter at
            their age in that month; the initial population is observed from month 0).

    Returns:
        One value per age in ``ages``.
    """
    founded = np.asarray(founded, dtype=np.int64)
    exit_month = np.asarray(exit_month, dtype=np.int64)
    failed = np.asarray(failed, dtype=bool)
    ages = np.asarray(ages, dtype=np.int64)
    gone = exit_month >= 0
    # First age at which a firm is at risk: 0 for entrants; one past its age at the observation
    # start for firms already operating then (they are known to have survived to that month).
    start_age = np.where(founded >= first_month, 0, first_month - founded + 1)
    end_age = np.where(gone, exit_month - founded, last_month - founded)
    keep = end_age >= start_age
    start_age, end_age, gone, failed = start_age[keep], end_age[keep], gone[keep], failed[keep] & gone[keep]
    top = int(max(ages.max(initial=0), end_age.max(initial=0))) + 2
    entering = np.bincount(start_age, minlength=top)[:top]
    leaving_after = np.bincount(end_age + 1, minlength=top + 1)[:top]
    at_risk = np.cumsum(entering) - np.cumsum(leaving_after)
    exits = np.bincount(end_age[gone], minlength=top)[:top]
    failures = np.bincount(end_age[failed], minlength=top)[:top]
    with np.errstate(divide="ignore", invalid="ignore"):
        exit_hazard = np.where(at_risk > 0, exits / at_risk, 0.0)
        fail_hazard = np.where(at_risk > 0, failures / at_risk, 0.0)
    all_cause = np.cumprod(1.0 - exit_hazard)
    before = np.concatenate([[1.0], all_cause[:-1]])
    failed_by = np.cumsum(before * fail_hazard)
    out = 1.0 - failed_by[np.minimum(ages, top - 1)]
    observed = at_risk[np.minimum(ages, top - 1)] > 0
    return np.where(observed, out, np.nan)
