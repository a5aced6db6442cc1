"""Data-credit platforms: ratings that are noisy readings of latent quality.

A platform rates the firms it covers. Its accuracy ``rho`` is the correlation
between rating and latent quality; the rating is stored as a reading of quality
with precision ``rho² / (1 - rho²)``, which is how lenders weigh it
(``ecosim.credit.officer.lender_view``). Coverage starts at a share of firms
and grows as unrated firms onboard.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import mesa
import numpy as np

from ecosim.firms.state import ACTIVE

if TYPE_CHECKING:
    from ecosim.model import EcosystemModel

MAX_ACCURACY = 0.995


def rating_precision(accuracy: float) -> float:
    """Precision of a rating as a reading of quality, from its correlation with quality."""
    rho = min(max(accuracy, 0.0), MAX_ACCURACY)
    return rho**2 / (1.0 - rho**2)


class DataPlatform(mesa.Agent):
    """A data-credit platform rating startups (the municipal platform in the core model)."""

    def __init__(self, model: EcosystemModel, name: str) -> None:
        super().__init__(model)
        self.name = name
        self.rated = 0
        model.graph.add_node(self.unique_id, "platform")

    @property
    def params(self):
        return self.model.params.platforms

    def rate(self, rows: np.ndarray) -> None:
        """Rate firms: a reading of quality with the platform's precision."""
        if len(rows) == 0:
            return
        f = self.model.firms
        prec = rating_precision(self.params.accuracy)
        noise = self.model.rating_noise[rows]
        f.rating[rows] = f.quality[rows] + (noise / np.sqrt(prec) if prec > 0 else noise * 1e6)
        f.rating_precision[rows] = prec
        self.rated += len(rows)
        self.model.graph.link(f.agent_id[rows], np.full(len(rows), self.unique_id), "platform")

    def onboard(self, draws: np.ndarray, share: float) -> None:
        """Unrated active firms join with probability ``share`` (one draw per firm row)."""
        f = self.model.firms
        new = np.flatnonzero((f.status == ACTIVE) & np.isnan(f.rating) & (draws[: len(f)] < share))
        self.rate(new)


def rate_firms(model: EcosystemModel) -> None:
    """Monthly platform phase: firms onboard and are rated."""
    draws = model.streams.info.random(len(model.firms))
    for platform in model.platforms:
        share = platform.params.coverage_start if model.month == 1 else platform.params.onboarding_rate
        platform.onboard(draws, share)
