"""Column tables: the state of the many, held as typed numpy columns.

Startups, loans and equity holdings are too many for a Python object each to
step every month. Their state lives in a :class:`ColumnTable`: each column is
declared once with a dtype, a fill value and a comment (see
``ecosim.firms.state.FIRM_COLUMNS`` for an example), rows are appended in
blocks, and monthly phases act on whole columns at once.

Reading ``table.cash`` returns a view of the rows in use, so
``table.cash[rows] += x`` writes through. Do not keep such a view across
:meth:`ColumnTable.add`, which may reallocate. (The views are cached as plain
attributes until the next :meth:`ColumnTable.add`, so reading a column costs
an attribute lookup.)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd


@dataclass(frozen=True)
class Column:
    """One declared column: name, numpy dtype, value of a new row, and what it means."""

    name: str
    dtype: Any
    fill: Any
    doc: str


class ColumnTable:
    """A growable table of typed numpy columns."""

    def __init__(self, columns: Sequence[Column], capacity: int = 1024) -> None:
        object.__setattr__(self, "columns", {c.name: c for c in columns})
        object.__setattr__(self, "n", 0)
        object.__setattr__(
            self, "_data", {c.name: np.full(capacity, c.fill, dtype=c.dtype) for c in columns}
        )

    def __getattr__(self, name: str) -> np.ndarray:
        # Called only when ``name`` is not cached yet: cache the view of the rows in use.
        data = object.__getattribute__(self, "_data")
        if name in data:
            view = data[name][: object.__getattribute__(self, "n")]
            self.__dict__[name] = view
            return view
        raise AttributeError(name)

    def __setattr__(self, name: str, value: Any) -> None:
        if name in self._data:
            self._data[name][: self.n] = value
        else:
            object.__setattr__(self, name, value)

    def __len__(self) -> int:
        return self.n

    @property
    def capacity(self) -> int:
        return len(next(iter(self._data.values())))

    def add(self, count: int, **values: Any) -> np.ndarray:
        """Append ``count`` rows filled with each column's default, then ``values``.

        Returns:
            The indices of the new rows.
        """
        start = self.n
        end = start + count
        if end > self.capacity:
            new_cap = max(end, 2 * self.capacity)
            for name, arr in self._data.items():
                grown = np.full(new_cap, self.columns[name].fill, dtype=arr.dtype)
                grown[: self.n] = arr[: self.n]
                self._data[name] = grown
        object.__setattr__(self, "n", end)
        cached = self.__dict__
        for name in cached.keys() & self._data.keys():  # the views of the columns read so far
            del cached[name]
        for name, value in values.items():
            if name not in self._data:
                raise KeyError(f"unknown column {name!r}")
            self._data[name][start:end] = value
        return np.arange(start, end)

    def frame(self, rows: np.ndarray | slice | None = None, columns: Sequence[str] | None = None) -> pd.DataFrame:
        """A pandas DataFrame of the chosen rows and columns (copies)."""
        rows = slice(0, self.n) if rows is None else rows
        names = list(columns) if columns is not None else list(self._data)
        return pd.DataFrame({name: self._data[name][: self.n][rows].copy() for name in names})
