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
