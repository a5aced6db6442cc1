"""The macro-economy: a downturn as a scenario lever (a stress test of the risk-sharing instruments).

A downturn starts in ``start_month`` and lasts ``months``. While it lasts, every
failure hazard (the firms' technical and market failure, and the adverse business
shocks of :mod:`ecosim.risk.shocks`) is multiplied by ``failure_multiplier`` and
revenue growth falls by ``revenue_growth_drop`` per month. Lenders notice it only
through their borrowers' accounts and defaults. Under it, the guarantor's capital
and leverage limit, the national fund's compensation cap and the pool's
endowment are what decides who bears the losses and how lending recovers.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ecosim.params import Section, lever

if TYPE_CHECKING:
    from ecosim.model import EcosystemModel


class DownturnSection(Section):
    """A downturn (stress scenario): start, length, a rise in failure risk and a fall in revenue growth."""

    enabled: bool = lever(False, "switch", "A downturn hits the regional economy.")
    start_month: int = lever(
        36, "month", "First month of the downturn.", ge=1, le=600,
        source="model assumption: after the initial population has settled",
    )
    months: int = lever(
        24, "months", "Length of the downturn.", ge=1, le=600,
        source="model assumption: a two-year slowdown, as 2022–2023 for small firms",
    )
    failure_multiplier: float = lever(
        2.0, "times", "Failure hazards and setback probabilities during the downturn, relative to normal times.",
        ge=1.0, le=10.0, source="model assumption (uncertain): small-firm default rates roughly double in a recession",
    )
    revenue_growth_drop: float = lever(
        0.01, "per month", "Fall in every selling firm's monthly revenue growth during the downturn.", ge=0.0,
        le=0.2, source="model assumption (uncertain): about 12% a year below trend",
    )


def in_downturn(model: EcosystemModel) -> bool:
    """Whether the current month lies in the scenario's downturn."""
    d = model.params.downturn
    return d.enabled and d.start_month <= model.month < d.start_month + d.months


def failure_multiplier(model: EcosystemModel) -> float:
    """Factor on this month's failure hazards (1 outside a downturn)."""
    return model.params.downturn.failure_multiplier if in_downturn(model) else 1.0


def revenue_growth_shift(model: EcosystemModel) -> float:
    """Shift of this month's revenue growth (0 outside a downturn, negative in one)."""
    return -model.params.downturn.revenue_growth_drop if in_downturn(model) else 0.0
