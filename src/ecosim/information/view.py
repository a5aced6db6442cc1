"""What a lender sees from the platforms: one combined reading per applicant, and the district's terms.

A bank sees a platform's rating of a firm only where the platform covers the
firm and the bank recognises the platform (it takes part in the provincial
scheme, lists on the municipal marketplace, or co-builds the district
platform). Independent readings combine by precision weighting.

The credit side calls :func:`platform_view` inside the lender's view and
:func:`district_terms` when it sizes a loan.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from ecosim.information.platform import get_platform, grade_line, grade_uplift

if TYPE_CHECKING:
    from ecosim.model import EcosystemModel


@dataclass
class PlatformView:
    """What each applicant's bank can see from the platforms (arrays aligned with the applicants).

    Attributes:
        signal: Combined reading of quality; NaN where the bank sees no platform rating.
        precision: Its precision (0 where none).
        seen: Whether the bank sees at least one platform's rating of the firm.
    """

    signal: np.ndarray
    precision: np.ndarray
    seen: np.ndarray


def platform_view(model: EcosystemModel, rows: np.ndarray, banks: np.ndarray) -> PlatformView:
    """Combine the ratings that bank ``banks[i]`` can see of firm ``rows[i]``.

    Args:
        model: The model.
        rows: Firm rows.
        banks: Index of the bank looking at each firm (same length as ``rows``).

    Returns:
        The precision-weighted combination of the recognised platforms' readings.
    """
    rows = np.asarray(rows, dtype=np.int64)
    banks = np.asarray(banks, dtype=np.int64)
    prec = np.zeros(len(rows))
    num = np.zeros(len(rows))
    seen = np.zeros(len(rows), dtype=bool)
    for platform in model.platforms:
        platform.sync()
        use = platform.covered[rows] & platform.recognised_by[banks]
        reading = platform.reading[rows]
        tau = platform.precision
        seen |= use
        prec += use * tau
        num += tau * np.where(use & ~np.isnan(reading), reading, 0.0)
    signal = np.where(prec > 0, num / np.maximum(prec, 1e-12), np.nan)
    return PlatformView(signal=signal, precision=prec, seen=seen)


def rated_by(model: EcosystemModel, tier: str) -> np.ndarray:
    """Per firm row: whether the platform of ``tier`` rates the firm (all False when it is off)."""
    platform = get_platform(model, tier)
    n = len(model.firms)
    if platform is None:
        return np.zeros(n, dtype=bool)
    platform.sync()
    return platform.covered[:n].copy()


def district_terms(model: EcosystemModel, rows: np.ndarray, banks: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Pre-approved line and limit uplift that bank ``banks[i]`` grants firm ``rows[i]`` on its district grade.

    Only banks that co-build the district platform use its grades; elsewhere both are 0.

    Returns:
        ``(line, uplift)``: the pre-approved line in million yuan (1–10 m by grade)
        and the uplift of the firm's credit limit as a share (up to 25%).
    """
    rows = np.asarray(rows, dtype=np.int64)
    banks = np.asarray(banks, dtype=np.int64)
    platform = get_platform(model, "district")
    if platform is None or len(rows) == 0:
        return np.zeros(len(rows)), np.zeros(len(rows))
    platform.sync()
    p = model.params.platforms
    use = platform.covered[rows] & platform.recognised_by[banks]
    grade = np.where(use, platform.grade[rows], -1)
    return grade_line(grade, p.line_min, p.line_max), grade_uplift(grade, p.uplift_max)
