"""A fixed workload of numpy gathers and arithmetic plus a Python loop: the mix the model spends its time on.

The benchmarks time it to tell how fast the host is running while they measure
(``bench_scale.py``: the host factor) and how well the host runs several copies
at once (``bench_sweep.py``: the bound on an executor's speed-up).
"""

from __future__ import annotations

import time

import numpy as np


def inputs(size: int, gathers: int) -> tuple[np.ndarray, np.ndarray]:
    """The workload's fixed data: ``size`` uniform numbers and ``gathers`` indices into them (seeded)."""
    return np.random.default_rng(0).random(size), np.random.default_rng(1).integers(0, size, gathers)


def timed(x: np.ndarray, idx: np.ndarray, rounds: int, loop: int) -> float:
    """Seconds for ``rounds`` gathers with arithmetic on ``x[idx]`` and a Python loop of ``loop`` additions."""
    start = time.perf_counter()
    for _ in range(rounds):
        y = np.exp(0.5 * x[idx]) * (1.0 + x[idx])
        y[y > 1.5] = 0.0
    total = 0
    for i in range(loop):
        total += i
    return time.perf_counter() - start
