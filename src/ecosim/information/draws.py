"""Reusable arrays for the fixed-size random draws the information phases make each month.

The platform and broker phases draw a fixed number of random values per firm
row every month (common random numbers across scenarios). Drawing into an
existing array (numpy's ``out=``) gives exactly the values a fresh draw would,
without allocating a new array each month. The arrays are overwritten by the
next month's draws, so use them only within the phase that drew them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from ecosim.model import EcosystemModel


class DrawBuffers:
    """Named float arrays that grow by doubling and are reused for each month's draws."""

    def __init__(self) -> None:
        self._arrays: dict[str, np.ndarray] = {}

    def _array(self, name: str, shape: tuple[int, ...]) -> np.ndarray:
        """A C-contiguous array of ``shape`` from the buffer ``name`` (contents undefined)."""
        arr = self._arrays.get(name)
        if arr is None or len(arr) < shape[0] or arr.shape[1:] != shape[1:]:
            rows = shape[0] if arr is None else max(shape[0], 2 * len(arr))
            arr = np.empty((rows, *shape[1:]))
            self._arrays[name] = arr
        return arr[: shape[0]]

    def random(self, rng: np.random.Generator, name: str, shape: tuple[int, ...]) -> np.ndarray:
        """Uniform draws on [0, 1), the same as ``rng.random(shape)``."""
        return rng.random(out=self._array(name, shape))

    def standard_normal(self, rng: np.random.Generator, name: str, shape: tuple[int, ...]) -> np.ndarray:
        """Standard normal draws, the same as ``rng.standard_normal(shape)``."""
        return rng.standard_normal(out=self._array(name, shape))


def draw_buffers(model: EcosystemModel) -> DrawBuffers:
    """The model's draw buffers (``model.information_draws``, made on first use)."""
    buffers = getattr(model, "information_draws", None)
    if buffers is None:
        buffers = DrawBuffers()
        model.information_draws = buffers
    return buffers
