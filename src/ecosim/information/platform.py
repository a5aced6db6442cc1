"""Data-credit platforms: three tiers that turn hidden quality into ratings lenders use.

Each platform is a Mesa agent with its own coverage (which firms it has data on),
its own accuracy and the banks that recognise its output:

* :class:`ProvincialPlatform` (科融信) rates young firms; the banks that take part
  recognise the rating for unsecured credit loans.
* :class:`MunicipalPlatform` (泉融通) is the city's data hub and product
  marketplace; every listed bank sees its rating (see
  :mod:`ecosim.information.market` for the marketplace's reach).
* :class:`DistrictPlatform` (园区通) scores innovation capability on five
  dimensions from many noisy indicators; co-building banks map its grades to
  pre-approved lines and limit uplifts (:func:`grade_line`, :func:`grade_uplift`).

A rating is stored as a *reading* of latent quality ``r = q + e`` with precision
``τ = ρ² / (1 - ρ²)``, where ``ρ`` is the rating's correlation with quality:
that is how a lender weighs it against other information
(:func:`ecosim.information.view.platform_view`). Coverage starts at a share of
the eligible firms and grows as firms onboard.

Randomness: each firm row gets its platform noise once, in creation order, from
a generator derived from the information stream, so a firm's readings are the
same in every scenario run with the same seed; onboarding uses a fixed number
of draws per firm row each month.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import mesa
import numpy as np
from scipy.special import ndtri

from ecosim.firms.state import ACTIVE

if TYPE_CHECKING:
    from ecosim.model import EcosystemModel

#: Highest correlation a rating may have with quality (keeps its precision finite).
MAX_ACCURACY = 0.995
#: The platform tiers, in the order of the per-firm noise columns.
TIERS: tuple[str, ...] = ("provincial", "municipal", "district")
#: Per-firm noise columns: one per rating tier, five for the district's dimensions, one park-location draw.
_NOISE_COLS = 8
_PARK = 7
#: Number of district grades (E, D, C, B, A as 0..4) and their cut-offs on the standardised score (quintiles).
GRADES: tuple[str, ...] = ("E", "D", "C", "B", "A")
GRADE_CUTS = ndtri(np.array([0.2, 0.4, 0.6, 0.8]))


def rating_precision(accuracy: float) -> float:
    """Precision of a rating as a reading of quality, from its correlation with quality."""
    rho = min(max(accuracy, 0.0), MAX_ACCURACY)
    return rho**2 / (1.0 - rho**2)


def grade_line(grade: np.ndarray, line_min: float, line_max: float) -> np.ndarray:
    """Pre-approved credit line of a district grade (Qilu Bank's mapping: 1–10 m).

    Grade E (0) gets no line; D..A (1..4) get lines spaced evenly from ``line_min``
    to ``line_max``. Ungraded firms (grade -1) get none.
    """
    g = np.asarray(grade)
    top = len(GRADES) - 1
    line = line_min + (line_max - line_min) * (g - 1) / (top - 1)
    return np.where(g >= 1, line, 0.0)


def grade_uplift(grade: np.ndarray, uplift_max: float) -> np.ndarray:
    """Uplift of a firm's credit limit by district grade (ABC's mapping: up to +25%).

    Rises linearly from 0 for grade E to ``uplift_max`` for grade A; 0 when ungraded.
    """
    g = np.asarray(grade)
    return np.where(g >= 0, uplift_max * np.maximum(g, 0) / (len(GRADES) - 1), 0.0)


class DataPlatform(mesa.Agent):
    """A data-credit platform: which firms it rates, how well, and which banks use its ratings.

    Attributes:
        tier: ``provincial``, ``municipal`` or ``district``.
        covered: Per firm row, whether the platform rates the firm.
        reading: Per firm row, the rating as a reading of quality (NaN where not rated).
        rated_month: Per firm row, the month the firm was first rated (-1 where not rated).
        recognised_by: Per bank, whether the bank uses this platform's output.
        rated: Firms rated so far.
    """

    tier = ""
    noise_col = 0

    def __init__(self, model: EcosystemModel, recognised_by: np.ndarray) -> None:
        super().__init__(model)
        self.covered = np.zeros(0, dtype=bool)
        self.reading = np.zeros(0, dtype=np.float64)
        self.rated_month = np.zeros(0, dtype=np.int32)
        self.recognised_by = np.asarray(recognised_by, dtype=bool)
        self.rated = 0
        model.graph.add_node(self.unique_id, "platform", tier=self.tier)

    @property
    def params(self):
        return self.model.params.platforms

    # ---------------------------------------------------------------- settings per tier

    @property
    def accuracy(self) -> float:
        """Correlation of the rating with latent quality."""
        raise NotImplementedError

    @property
    def coverage_start(self) -> float:
        raise NotImplementedError

    @property
    def onboarding_rate(self) -> float:
        raise NotImplementedError

    @property
    def precision(self) -> float:
        """Precision of the rating as a reading of quality."""
        return rating_precision(self.accuracy)

    def eligible(self) -> np.ndarray:
        """Per firm row: whether the platform can rate the firm (operating, and in its remit)."""
        return self.model.firms.status == ACTIVE

    # ---------------------------------------------------------------- rating

    def sync(self) -> None:
        """Extend the per-firm arrays to every firm row."""
        n = len(self.model.firms)
        k = len(self.covered)
        if n > k:
            self.covered = np.concatenate([self.covered, np.zeros(n - k, dtype=bool)])
            self.reading = np.concatenate([self.reading, np.full(n - k, np.nan)])
            self.rated_month = np.concatenate([self.rated_month, np.full(n - k, -1, dtype=np.int32)])

    def measure(self, rows: np.ndarray) -> np.ndarray:
        """The platform's reading of quality for firm rows: quality plus noise of its precision."""
        f = self.model.firms
        noise = platform_noise(self.model)[rows, self.noise_col]
        prec = self.precision
        return f.quality[rows].astype(float) + (noise / np.sqrt(prec) if prec > 0 else noise * 1e6)

    def rate(self, rows: np.ndarray) -> None:
        """Rate firms: store the reading, mark them covered, link them to the platform."""
        if len(rows) == 0:
            return
        self.sync()
        self.reading[rows] = self.measure(rows)
        self.covered[rows] = True
        self.rated_month[rows] = self.model.month
        self.rated += len(rows)
        f = self.model.firms
        self.model.graph.link(f.agent_id[rows], np.full(len(rows), self.unique_id), "platform")

    def onboard(self, draws: np.ndarray, share: float) -> np.ndarray:
        """Eligible firms not yet rated join with probability ``share`` (one draw per firm row); return them."""
        self.sync()
        new = np.flatnonzero(self.eligible() & ~self.covered & (draws[: len(self.covered)] < share))
        self.rate(new)
        return new

    def coverage(self) -> float:
        """Share of operating firms the platform rates."""
        self.sync()
        alive = self.model.firms.status == ACTIVE
        return float(self.covered[alive].mean()) if alive.any() else 0.0


class ProvincialPlatform(DataPlatform):
    """The provincial platform (科融信): a credit-enhancement rating of young firms for credit loans."""

    tier = "provincial"
    noise_col = 0

    @property
    def accuracy(self) -> float:
        return self.params.provincial_accuracy

    @property
    def coverage_start(self) -> float:
        return self.params.provincial_coverage_start

    @property
    def onboarding_rate(self) -> float:
        return self.params.provincial_onboarding_rate

    def eligible(self) -> np.ndarray:
        """Operating firms no older than the platform's age limit."""
        f = self.model.firms
        return (f.status == ACTIVE) & (self.model.month - f.founded <= self.params.provincial_max_age)


class MunicipalPlatform(DataPlatform):
    """The municipal platform (泉融通): data hub and product marketplace of every listed bank."""

    tier = "municipal"
    noise_col = 1

    @property
    def accuracy(self) -> float:
        return self.params.accuracy

    @property
    def coverage_start(self) -> float:
        return self.params.coverage_start

    @property
    def onboarding_rate(self) -> float:
        return self.params.onboarding_rate


class DistrictPlatform(DataPlatform):
    """The district platform (园区通): an innovation-capability score from many noisy indicators.

    The score averages ``indicators / 5`` indicators in each of the five quality
    dimensions, each indicator its dimension's latent quality plus noise of sd
    ``indicator_noise``, and weighs the dimensions equally. The mean of ``k``
    such indicators is the dimension plus noise of sd ``indicator_noise / √k``;
    the platform draws that mean directly (same distribution, far fewer draws).
    Its accuracy follows from the indicators, their noise and the mismatch
    between its equal weights and what really drives quality.

    Attributes:
        score: Per firm row, the standardised innovation-capability score.
        grade: Per firm row, the grade 0..4 (E..A); -1 where ungraded.
    """

    tier = "district"
    noise_col = 2
    #: Weights of the five dimensions in the score (equal).
    WEIGHTS = np.full(5, 0.2)

    def __init__(self, model: EcosystemModel, recognised_by: np.ndarray) -> None:
        super().__init__(model, recognised_by)
        self.score = np.zeros(0)
        self.grade = np.zeros(0, dtype=np.int8)

    def sync(self) -> None:
        n = len(self.model.firms)
        k = len(self.score)
        super().sync()
        if n > k:
            self.score = np.concatenate([self.score, np.full(n - k, np.nan)])
            self.grade = np.concatenate([self.grade, np.full(n - k, -1, dtype=np.int8)])

    def _structure(self) -> tuple[float, float]:
        """Standard deviation of the raw score and its correlation with composite quality."""
        from ecosim.firms.phases import QUALITY_WEIGHTS

        k = max(self.params.indicators / 5.0, 1.0)
        noise_var = self.params.indicator_noise**2 / k
        w = self.WEIGHTS
        sd = float(np.sqrt((w**2).sum() * (1.0 + noise_var)))
        cov = float((w * QUALITY_WEIGHTS).sum() / np.sqrt((QUALITY_WEIGHTS**2).sum()))
        return sd, min(cov / sd, MAX_ACCURACY)

    @property
    def accuracy(self) -> float:
        """Correlation of the score with composite quality, from the indicator design."""
        return self._structure()[1]

    @property
    def coverage_start(self) -> float:
        return self.params.district_coverage_start

    @property
    def onboarding_rate(self) -> float:
        return self.params.district_onboarding_rate

    def eligible(self) -> np.ndarray:
        """Operating firms located in the district's parks."""
        f = self.model.firms
        in_park = platform_noise(self.model)[: len(f), _PARK] < self.params.district_share
        return (f.status == ACTIVE) & in_park

    def measure(self, rows: np.ndarray) -> np.ndarray:
        f = self.model.firms
        dims = np.stack([f.q_technology[rows], f.q_team[rows], f.q_market[rows], f.q_ip[rows],
                         f.q_governance[rows]], axis=1).astype(float)
        k = max(self.params.indicators / 5.0, 1.0)
        noise = platform_noise(self.model)[rows, 2:7] * (self.params.indicator_noise / np.sqrt(k))
        sd, rho = self._structure()
        z = ((dims + noise) @ self.WEIGHTS) / sd
        self.score[rows] = z
        self.grade[rows] = np.searchsorted(GRADE_CUTS, z).astype(np.int8)
        # As a reading of quality with precision rho²/(1-rho²): E[q | z] = rho z.
        return z / rho if rho > 0 else z * 1e6


PLATFORM_CLASSES = {"provincial": ProvincialPlatform, "municipal": MunicipalPlatform, "district": DistrictPlatform}


def platform_noise(model: EcosystemModel) -> np.ndarray:
    """Per firm row, the fixed platform noise draws (extended to new rows in creation order)."""
    noise = model.platform_noise
    n = len(model.firms)
    if len(noise) < n:
        rng = model.platform_noise_rng
        u = rng.standard_normal((n - len(noise), _NOISE_COLS))
        u[:, _PARK] = rng.random(n - len(noise))
        noise = np.concatenate([noise, u])
        model.platform_noise = noise
    return noise


def build_platforms(model: EcosystemModel) -> list[DataPlatform]:
    """Create the platforms the scenario switches on (draws are the same whichever are on)."""
    p = model.params.platforms
    n_banks = len(model.banks)
    model.platform_noise = np.zeros((0, _NOISE_COLS))
    model.platform_noise_rng = np.random.default_rng(int(model.streams.info.integers(2**63)))
    draws = {tier: model.streams.info.random(n_banks) for tier in TIERS}
    shares = {"provincial": p.provincial_bank_share, "municipal": 1.0, "district": p.district_bank_share}
    switches = {"provincial": p.provincial, "municipal": p.municipal, "district": p.district}
    out: list[DataPlatform] = []
    if not p.enabled:
        return out
    for tier in TIERS:
        if switches[tier]:
            recognised = draws[tier] < shares[tier]
            if shares[tier] > 0 and not recognised.any():
                recognised[int(np.argmin(draws[tier]))] = True  # at least one bank when the share is positive
            out.append(PLATFORM_CLASSES[tier](model, recognised))
    return out


def get_platform(model: EcosystemModel, tier: str) -> DataPlatform | None:
    """The platform of a tier, or None when it is switched off."""
    for platform in model.platforms:
        if platform.tier == tier:
            return platform
    return None


def publish_ratings(model: EcosystemModel) -> None:
    """Write the combination of all platforms' readings into ``firms.rating`` (what investors see)."""
    f = model.firms
    n = len(f)
    prec = np.zeros(n)
    num = np.zeros(n)
    for platform in model.platforms:
        platform.sync()
        tau = platform.precision
        cov = platform.covered[:n]
        prec += cov * tau
        num += np.where(cov, tau * np.nan_to_num(platform.reading[:n]), 0.0)
    covered = np.zeros(n, dtype=bool)
    for platform in model.platforms:
        covered |= platform.covered[:n]
    f.rating[:] = np.where(covered, num / np.maximum(prec, 1e-12), np.nan)
    f.rating_precision[:] = prec


def rate_firms(model: EcosystemModel) -> None:
    """Monthly platform phase: eligible firms onboard to each platform and are rated.

    In the first month each platform covers its starting share of eligible firms;
    afterwards unrated eligible firms join at its onboarding rate.
    """
    draws = model.streams.info.random((len(model.firms), len(TIERS)))  # fixed draws per row (CRN)
    platform_noise(model)
    for platform in model.platforms:
        share = platform.coverage_start if model.month == 1 else platform.onboarding_rate
        platform.onboard(draws[:, TIERS.index(platform.tier)], share)
    if model.platforms:
        publish_ratings(model)
