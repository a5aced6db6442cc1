"""Run seeds: one root, many independent integer seeds, the same list in every scenario.

Seeds come from :class:`numpy.random.SeedSequence`, whose spawned children are
statistically independent streams. Seed ``k`` of an experiment is the same
integer in every scenario, so scenarios are compared on common random numbers:
seed ``k`` drives the same entrants, draws and shocks wherever the mechanisms
allow. The integers are stored with every run.
"""

from __future__ import annotations

import numpy as np

#: Root of the seed tree used when an experiment does not give one.
DEFAULT_ROOT = 20_240_601


def derive_seeds(n: int, root: int = DEFAULT_ROOT) -> list[int]:
    """The first ``n`` run seeds under a root.

    The list is a prefix property: ``derive_seeds(5)`` starts with
    ``derive_seeds(3)``, so adding seeds to an experiment keeps the old runs.

    Args:
        n: Number of seeds.
        root: Entropy of the root :class:`~numpy.random.SeedSequence`.

    Returns:
        ``n`` non-negative integers below 2**63.
    """
    if n < 1:
        raise ValueError(f"seeds = {n}: must be ≥ 1")
    children = np.random.SeedSequence(int(root)).spawn(int(n))
    return [int(c.generate_state(1, dtype=np.uint64)[0] >> np.uint64(1)) for c in children]


def independent_seeds(n: int, scenarios: int, root: int = DEFAULT_ROOT) -> list[list[int]]:
    """Separate seed lists per scenario (no common random numbers), for checking what pairing buys."""
    flat = derive_seeds(n * scenarios, root)
    return [flat[i * n:(i + 1) * n] for i in range(scenarios)]
