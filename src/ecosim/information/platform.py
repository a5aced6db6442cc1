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

import functools
from typing import TYPE_CHECKING

import mesa
import numpy as np
from scipy.special import ndtri

from ecosim.columns import Column, ColumnTable
from ecosim.common_random import firm_draws, interleave
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
#: Per firm row state every platform keeps.
RATING_COLUMNS: tuple[Column, ...] = (
    Column("covered", bool, False, "whether the platform rates the firm"),
    Column("reading", np.float64, np.nan, "the rating as a reading of quality; NaN where not rated"),
    Column("rated_month", np.int32, -1, "month the firm was first rated; -1 where not rated"),
)
#: Per firm row state the district platform keeps besides.
SCORE_COLUMNS: tuple[Column, ...] = (
    Column("score", np.float64, np.nan, "standardised innovation-capability score; NaN where not scored"),
    Column("grade", np.int8, -1, "grade 0..4 (E..A); -1 where ungraded"),
)


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
        table: Per firm row state (:attr:`columns`), read through the properties
            :attr:`covered`, :attr:`reading` and :attr:`rated_month`.
        recognised_by: Per bank, whether the bank uses this platform's output.
        rated: Firms rated so far.
    """

    tier = ""
    noise_col = 0
    #: The per firm row columns of :attr:`table`.
    columns: tuple[Column, ...] = RATING_COLUMNS

    def __init__(self, model: EcosystemModel, recognised_by: np.ndarray) -> None:
        super().__init__(model)
        self.table = ColumnTable(self.columns)
        self.recognised_by = np.asarray(recognised_by, dtype=bool)
        self.rated = 0
        model.graph.add_node(self.unique_id, "platform", tier=self.tier)

    @property
    def params(self):
        return self.model.params.platforms

    @property
    def covered(self) -> np.ndarray:
        """Per firm row, whether the platform rates the firm."""
        return self.table.covered

    @property
    def reading(self) -> np.ndarray:
        """Per firm row, the rating as a reading of quality (NaN where not rated)."""
        return self.table.reading

    @property
    def rated_month(self) -> np.ndarray:
        """Per firm row, the month the firm was first rated (-1 where not rated)."""
        return self.table.rated_month

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

    def eligible(self, rows: np.ndarray) -> np.ndarray:
        """Per firm in ``rows`` (operating firms): whether it is in the platform's remit."""
        return np.ones(len(rows), dtype=bool)

    # ---------------------------------------------------------------- rating

    def sync(self) -> None:
        """Extend the per-firm arrays to every firm row (new rows unrated)."""
        missing = len(self.model.firms) - len(self.table)
        if missing > 0:
            self.table.add(missing)

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

    def onboard(self, draws: np.ndarray, share: float, alive: np.ndarray | None = None) -> np.ndarray:
        """Operating firms in the remit not yet rated join with probability ``share``; return them.

        Args:
            draws: One uniform draw per firm row.
            share: Chance that an eligible unrated firm joins.
            alive: Rows of the operating firms, ascending (found from the firms when not given).

        Returns:
            The rows of the firms that joined and were rated, ascending.
        """
        self.sync()
        if alive is None:
            alive = np.flatnonzero(self.model.firms.status == ACTIVE)
        new = alive[draws[alive] < share]
        new = new[~self.covered[new]]
        new = new[self.eligible(new)]
        self.rate(new)
        return new

    def coverage(self, alive: np.ndarray | None = None) -> float:
        """Share of operating firms the platform rates.

        Args:
            alive: Rows of the operating firms (found from the firms when not given).
        """
        self.sync()
        if alive is None:
            alive = np.flatnonzero(self.model.firms.status == ACTIVE)
        return np.count_nonzero(self.covered[alive]) / len(alive) if len(alive) else 0.0


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

    def eligible(self, rows: np.ndarray) -> np.ndarray:
        """Firms no older than the platform's age limit."""
        return self.model.month - self.model.firms.founded[rows] <= self.params.provincial_max_age


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
    between its equal weights and what really drives quality. Besides the
    reading it keeps each firm's :attr:`score` and :attr:`grade`.
    """

    tier = "district"
    noise_col = 2
    columns = RATING_COLUMNS + SCORE_COLUMNS
    #: Weights of the five dimensions in the score (equal).
    WEIGHTS = np.full(5, 0.2)

    @property
    def score(self) -> np.ndarray:
        """Per firm row, the standardised innovation-capability score (NaN where not scored)."""
        return self.table.score

    @property
    def grade(self) -> np.ndarray:
        """Per firm row, the grade 0..4 (E..A); -1 where ungraded."""
        return self.table.grade

    def _structure(self) -> tuple[float, float]:
        """Standard deviation of the raw score and its correlation with composite quality."""
        return score_structure(tuple(self.WEIGHTS.tolist()), self.params.indicators, self.params.indicator_noise)

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

    def eligible(self, rows: np.ndarray) -> np.ndarray:
        """Firms located in the district's parks."""
        return platform_noise(self.model)[rows, _PARK] < self.params.district_share

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


@functools.lru_cache(maxsize=64)
def score_structure(weights: tuple[float, ...], indicators: float, indicator_noise: float) -> tuple[float, float]:
    """Standard deviation of the district's raw score and its correlation with composite quality.

    Args:
        weights: Weights of the five quality dimensions in the score.
        indicators: Number of indicators, spread evenly over the five dimensions.
        indicator_noise: Standard deviation of an indicator's noise.
    """
    from ecosim.firms.phases import QUALITY_WEIGHTS

    k = max(indicators / 5.0, 1.0)
    noise_var = indicator_noise**2 / k
    w = np.array(weights)
    sd = float(np.sqrt((w**2).sum() * (1.0 + noise_var)))
    cov = float((w * QUALITY_WEIGHTS).sum() / np.sqrt((QUALITY_WEIGHTS**2).sum()))
    return sd, min(cov / sd, MAX_ACCURACY)


PLATFORM_CLASSES = {"provincial": ProvincialPlatform, "municipal": MunicipalPlatform, "district": DistrictPlatform}


def platform_noise(model: EcosystemModel) -> np.ndarray:
    """Per firm row, the fixed platform noise draws (extended to new rows in creation order).

    The draws live in ``model.platform_noise_store``, which grows by doubling;
    ``model.platform_noise`` is the view of its rows in use. New spin-offs of
    the tech brokerage take theirs from the ``spinoffs`` stream, so the other
    firms' noise is the same with the brokerage on or off.
    """
    noise = model.platform_noise
    n = len(model.firms)
    k = len(noise)
    if k < n:
        store = model.platform_noise_store
        if len(store) < n:
            grown = np.zeros((max(n, 2 * len(store)), _NOISE_COLS))
            grown[:k] = store[:k]
            model.platform_noise_store = store = grown
        spin = model.spinoff_rows[model.spinoff_rows >= k]
        u = _noise_draws(model.platform_noise_rng, n - k - len(spin))
        if len(spin):
            u = interleave(u, spin, _noise_draws(model.streams.spinoffs, len(spin)), offset=k)
        store[k:n] = u
        noise = store[:n]
        model.platform_noise = noise
    return noise


def _noise_draws(rng: np.random.Generator, rows: int) -> np.ndarray:
    """Platform noise for ``rows`` new firms: standard normals, and a uniform in the parking column."""
    u = rng.standard_normal((rows, _NOISE_COLS))
    u[:, _PARK] = rng.random(rows)
    return u


def build_platforms(model: EcosystemModel) -> list[DataPlatform]:
    """Create the platforms the scenario switches on (draws are the same whichever are on)."""
    p = model.params.platforms
    n_banks = len(model.banks)
    model.platform_noise_store = np.zeros((1024, _NOISE_COLS))
    model.platform_noise = model.platform_noise_store[:0]
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


def publish_ratings(model: EcosystemModel, rows: np.ndarray | None = None) -> None:
    """Write the combination of all platforms' readings into ``firms.rating`` (what investors see).

    Args:
        model: The model.
        rows: The firm rows to publish (default: all). A platform's reading of a
            firm is fixed once made, so only newly rated firms need publishing.
    """
    f = model.firms
    if rows is None:
        rows = np.arange(len(f))
    n = len(rows)
    prec = np.zeros(n)
    num = np.zeros(n)
    covered = np.zeros(n, dtype=bool)
    for platform in model.platforms:
        platform.sync()
        tau = platform.precision
        cov = platform.covered[rows]
        reading = platform.reading[rows]
        prec += cov * tau
        num += tau * np.where(cov & ~np.isnan(reading), reading, 0.0)
        covered |= cov
    f.rating[rows] = np.where(covered, num / np.maximum(prec, 1e-12), np.nan)
    f.rating_precision[rows] = prec


def rate_firms(model: EcosystemModel) -> None:
    """Monthly platform phase: eligible firms onboard to each platform and are rated.

    In the first month each platform covers its starting share of eligible firms;
    afterwards unrated eligible firms join at its onboarding rate. The combined
    rating of every firm rated this month is then published.
    """
    # One draw per firm row and tier every month, used or not (common random numbers).
    draws = firm_draws(model, model.streams.info, "random", len(TIERS))
    platform_noise(model)
    if not model.platforms:
        return
    alive = np.flatnonzero(model.firms.status == ACTIVE)
    rated = []
    for platform in model.platforms:
        share = platform.coverage_start if model.month == 1 else platform.onboarding_rate
        rated.append(platform.onboard(draws[:, TIERS.index(platform.tier)], share, alive))
    publish_ratings(model, np.unique(np.concatenate(rated)))
