"""The experiment engine: replications on common seeds, comparisons with CIs, sweeps, sensitivity,
scenario discovery and policy search.

Public API::

    from ecosim.experiments import compare, sweep, sensitivity, discover, optimise, Variant, ResultStore

Every experiment resolves its scenarios, derives its seeds from one root,
keys each run by (scenario content hash, seed, months, size, version), skips
keys already in its results folder, runs the rest on the chosen executor
(serial, local processes or Dask) and streams results into an append-only
Parquet store queried with DuckDB. The ``ecosim compare|sweep|sensitivity|
discover|optimise|results`` commands wrap these functions.
"""

from __future__ import annotations

import sys
import types
from typing import TYPE_CHECKING, Any

from ecosim.lazy import lazy_attribute

#: Public names and the module each comes from (imported on first use, so the CLI starts quickly).
_EXPORTS: dict[str, str] = {
    "HEADLINE_METRICS": "ecosim.experiments.compare",
    "CompareResult": "ecosim.experiments.compare",
    "compare": "ecosim.experiments.compare",
    "DiscoveryResult": "ecosim.experiments.discover",
    "discover": "ecosim.experiments.discover",
    "OptimiseResult": "ecosim.experiments.optimise",
    "optimise": "ecosim.experiments.optimise",
    "derive_seeds": "ecosim.experiments.seeds",
    "SensitivityResult": "ecosim.experiments.sensitivity",
    "sensitivity": "ecosim.experiments.sensitivity",
    "ResultStore": "ecosim.experiments.store",
    "Design": "ecosim.experiments.sweeps",
    "SweepResult": "ecosim.experiments.sweeps",
    "sweep": "ecosim.experiments.sweeps",
    "Variant": "ecosim.experiments.variants",
}

if TYPE_CHECKING:
    from ecosim.experiments.compare import HEADLINE_METRICS, CompareResult, compare
    from ecosim.experiments.discover import DiscoveryResult, discover
    from ecosim.experiments.optimise import OptimiseResult, optimise
    from ecosim.experiments.seeds import derive_seeds
    from ecosim.experiments.sensitivity import SensitivityResult, sensitivity
    from ecosim.experiments.store import ResultStore
    from ecosim.experiments.sweeps import Design, SweepResult, sweep
    from ecosim.experiments.variants import Variant

__all__ = [
    "HEADLINE_METRICS",
    "CompareResult",
    "Design",
    "DiscoveryResult",
    "OptimiseResult",
    "ResultStore",
    "SensitivityResult",
    "SweepResult",
    "Variant",
    "compare",
    "derive_seeds",
    "discover",
    "optimise",
    "sensitivity",
    "sweep",
]


def __getattr__(name: str) -> Any:
    return lazy_attribute(globals(), __name__, _EXPORTS, name)


class _Package(types.ModuleType):
    """This package, whose functions ``compare`` and ``sensitivity`` keep their names over the submodules'."""

    def __setattr__(self, name: str, value: Any) -> None:
        if isinstance(value, types.ModuleType) and _EXPORTS.get(name) == value.__name__:
            value = getattr(value, name)  # the import system names a loaded submodule here; keep the function
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package
