"""Tasks: one run to do, with the key that identifies its result.

A run is keyed by (scenario content hash, seed, months, size, package
version): two runs with the same key give the same numbers, so a store that
already holds a key never runs it again. A :class:`Task` carries the
scenario as plain data, and the experiment's plug-ins (``ecosim.plugins``),
so it can travel to any process or Dask worker; plug-ins are part of the key.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

import ecosim
from ecosim.experiments.variants import ResolvedVariant
from ecosim.plugins import Plugins


def run_key(content_hash: str, seed: int, months: int, firms: int, version: str = ecosim.__version__,
            plugins: str = "") -> str:
    """The key of a run: a short hash of what determines its results (``plugins``: :attr:`Plugins.key`)."""
    text = f"{content_hash}|{int(seed)}|{int(months)}|{int(firms)}|{version}" + (f"|{plugins}" if plugins else "")
    return hashlib.sha256(text.encode()).hexdigest()[:24]


@dataclass(frozen=True)
class Task:
    """One run to do.

    Attributes:
        key: The run key (see :func:`run_key`).
        scenario: Variant name.
        seed: Run seed.
        seed_index: Position of the seed in the experiment's seed list.
        months: Horizon.
        firms: Initial startups.
        scenario_hash: Content hash of the resolved scenario.
        scenario_data: Resolved scenario as a JSON-able dict.
        params: The variant's overrides (joined to results in sweeps).
        version: Package version that made the key.
        plugins: Phases and metrics added to the run.
    """

    key: str
    scenario: str
    seed: int
    seed_index: int
    months: int
    firms: int
    scenario_hash: str
    scenario_data: dict[str, Any] = field(repr=False, hash=False, compare=False)
    params: dict[str, Any] = field(default_factory=dict, hash=False, compare=False)
    version: str = ecosim.__version__
    plugins: Plugins = field(default_factory=Plugins, hash=False, compare=False)

    @property
    def params_json(self) -> str:
        """The overrides as canonical JSON text."""
        return json.dumps(self.params, sort_keys=True, default=str)


def make_tasks(variants: list[ResolvedVariant], seeds: list[int] | list[list[int]],
               plugins: Plugins | None = None) -> list[Task]:
    """Every (variant, seed) task, seed-major so early results cover all variants.

    Args:
        variants: Resolved variants.
        seeds: One seed list used by every variant (common random numbers), or
            one list per variant.
        plugins: Phases and metrics added to every run.
    """
    plugins = plugins or Plugins()
    per_variant = seeds if seeds and isinstance(seeds[0], list) else [seeds] * len(variants)
    tasks = []
    n = max(len(s) for s in per_variant)
    for i in range(n):
        for v, vseeds in zip(variants, per_variant, strict=True):
            if i >= len(vseeds):
                continue
            sc = v.scenario
            h = v.content_hash
            tasks.append(Task(
                key=run_key(h, vseeds[i], sc.run.months, sc.run.firms, plugins=plugins.key),
                scenario=v.name, seed=int(vseeds[i]), seed_index=i, months=sc.run.months, firms=sc.run.firms,
                scenario_hash=h, scenario_data=sc.model_dump(mode="json"), params=dict(v.params),
                plugins=plugins,
            ))
    return tasks
