"""The startup's Mesa agent: a handle onto its row of the state columns.

Startups do not step one by one; the model's monthly phases act on all rows
at once. A :class:`Startup` lets researchers and the demo inspect one firm as
an ordinary Mesa agent (``model.agents_by_type[Startup]``), reading its
current state from the columns.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import mesa

from ecosim.firms.state import QUALITY_DIMENSIONS, STAGES, STATUSES
from ecosim.scenario import SECTORS

if TYPE_CHECKING:
    from ecosim.model import EcosystemModel


class Startup(mesa.Agent):
    """A tech startup; its state lives in ``model.firms`` at row :attr:`row`."""

    def __init__(self, model: EcosystemModel, row: int) -> None:
        super().__init__(model)
        self.row = row

    def _col(self, name: str):
        return self.model.firms._data[name][self.row]

    @property
    def sector(self) -> str:
        return SECTORS[int(self._col("sector"))]

    @property
    def stage(self) -> str:
        return STAGES[int(self._col("stage"))]

    @property
    def status(self) -> str:
        return STATUSES[int(self._col("status"))]

    @property
    def cash(self) -> float:
        return float(self.model.ledger.balance[self._col("acct_cash")])

    @property
    def debt(self) -> float:
        return float(-self.model.ledger.balance[self._col("acct_debt")])

    @property
    def quality(self) -> dict[str, float]:
        """Latent quality by dimension (only the modeller sees this)."""
        return {d: float(self._col(f"q_{d}")) for d in QUALITY_DIMENSIONS}

    def state(self) -> dict[str, object]:
        """All of the firm's columns as a dict."""
        return {name: self.model.firms._data[name][self.row].item() for name in self.model.firms.columns}

    def __repr__(self) -> str:
        return f"Startup(id={self.unique_id}, row={self.row}, {self.sector}, {self.stage}, {self.status})"
