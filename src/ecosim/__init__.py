"""ecosim: an agent-based policy laboratory for a regional sci-tech finance ecosystem.

Use from Python::

    import ecosim
    result = ecosim.run("baseline", seed=1, firms=300)
    result.metrics, result.firms, result.events          # pandas DataFrames

    ecosim.compare(["baseline", "no_policy"], seeds=10).table
    ecosim.load_scenario("baseline", {"exemption.enabled": False})
    model = ecosim.EcosystemModel("baseline", rng=1, firms=300)   # a Mesa Model

The names below are imported on first use, so ``import ecosim`` stays quick.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ecosim.lazy import lazy_attribute

__version__ = "0.1.0"

#: Public names and the module each comes from.
_EXPORTS: dict[str, str] = {
    "run": "ecosim.api",
    "compare": "ecosim.api",
    "load_scenario": "ecosim.api",
    "Run": "ecosim.api",
    "EcosystemModel": "ecosim.model",
    "Scenario": "ecosim.scenario",
    "ScenarioError": "ecosim.scenario",
    "Plugins": "ecosim.plugins",
    "PhasePlugin": "ecosim.plugins",
    "MetricPlugin": "ecosim.plugins",
    "sweep": "ecosim.experiments",
    "sensitivity": "ecosim.experiments",
    "Variant": "ecosim.experiments",
}

__all__ = [
    "EcosystemModel",
    "MetricPlugin",
    "PhasePlugin",
    "Plugins",
    "Run",
    "Scenario",
    "ScenarioError",
    "Variant",
    "__version__",
    "compare",
    "load_scenario",
    "run",
    "sensitivity",
    "sweep",
]

if TYPE_CHECKING:
    from ecosim.api import Run, compare, load_scenario, run
    from ecosim.experiments import Variant, sensitivity, sweep
    from ecosim.model import EcosystemModel
    from ecosim.plugins import MetricPlugin, PhasePlugin, Plugins
    from ecosim.scenario import Scenario, ScenarioError


def __getattr__(name: str) -> Any:
    return lazy_attribute(globals(), __name__, _EXPORTS, name)


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_EXPORTS))
