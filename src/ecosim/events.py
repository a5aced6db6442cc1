"""The event log: one row per default, loan, investment, exit and other notable event."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ecosim.columns import Column, ColumnTable

#: Event kinds written to ``events.parquet``.
EVENT_KINDS: tuple[str, ...] = (
    "entry", "grant", "loan", "repaid", "default", "guarantee", "investment", "exit",
    "failure", "acquisition", "listing", "visit", "recapitalisation", "spinoff", "licence",
    "bridge",
)

EVENT_COLUMNS: tuple[Column, ...] = (
    Column("month", np.int32, 0, "month of the event"),
    Column("kind", np.int8, 0, "index into EVENT_KINDS"),
    Column("firm_id", np.int64, -1, "Mesa id of the startup involved; -1 when none"),
    Column("counterparty_id", np.int64, -1, "Mesa id of the other party; -1 when none"),
    Column("amount", np.float64, 0.0, "amount in million yuan"),
    Column("loss_bank", np.float64, 0.0, "default: loss kept by the bank"),
    Column("loss_guarantor_municipal", np.float64, 0.0, "default: net loss of the municipal guarantor"),
    Column("loss_guarantor_provincial", np.float64, 0.0, "default: paid by the provincial re-guarantor"),
    Column("loss_guarantor_national", np.float64, 0.0, "default: paid by the national fund"),
    Column("loss_pool", np.float64, 0.0, "default: reimbursed by the risk-compensation pool"),
    Column("product", np.int8, -1, "loan: product code; -1 when not a loan"),
    Column("detail", np.float64, np.nan, "kind-specific figure (loan: rate; investment: post-money; exit: multiple)"),
    Column("rate", np.float64, np.nan, "loan: annual interest rate; NaN for other events"),
    Column("tenor", np.int16, -1, "loan: tenor in months; -1 for other events"),
    Column("round", np.int16, -1, "investment and exit: the firm's equity round of the stake (1 = first)"),
    Column("channel", np.int8, -1, "exit: ecosim.equity.holdings.EXIT_CHANNELS; listing: ecosim.equity.boards.BOARDS"),
)


class EventLog:
    """Append-only table of events, vectorised.

    Single events (the common case in per-deal code) are kept in a short
    Python list and appended to the table in one block when the table is next
    read or an array of events arrives, so row order is always the order of
    recording.
    """

    def __init__(self) -> None:
        self._table = ColumnTable(EVENT_COLUMNS, capacity=4096)
        self._pending: list[dict] = []
        self._kind_code = {k: i for i, k in enumerate(EVENT_KINDS)}

    @property
    def table(self) -> ColumnTable:
        """The events recorded so far, one row each."""
        if self._pending:
            self._flush()
        return self._table

    def record(self, month: int, kind: str, firm_id=-1, counterparty_id=-1, amount=0.0, **extra) -> None:
        """Record one event per element of the array arguments (scalars broadcast)."""
        values = (firm_id, counterparty_id, amount, *extra.values())
        if not any(isinstance(x, (np.ndarray, list, tuple)) and np.ndim(x) > 0 for x in values):
            self._pending.append({"month": month, "kind": self._kind_code[kind], "firm_id": firm_id,
                                  "counterparty_id": counterparty_id, "amount": amount, **extra})
            return
        arrays = [np.atleast_1d(x) for x in values]
        n = max(len(a) for a in arrays)
        if n == 0 or any(len(a) == 0 for a in arrays):
            return
        self.table.add(
            n,
            month=month,
            kind=self._kind_code[kind],
            firm_id=firm_id,
            counterparty_id=counterparty_id,
            amount=amount,
            **extra,
        )

    def _flush(self) -> None:
        """Append the pending single events to the table in one block."""
        pending, self._pending = self._pending, []
        names = {name for row in pending for name in row}
        columns = self._table.columns
        unknown = names - set(columns)
        if unknown:
            raise KeyError(f"unknown column {sorted(unknown)[0]!r}")
        self._table.add(
            len(pending),
            **{name: np.array([row.get(name, columns[name].fill) for row in pending], dtype=columns[name].dtype)
               for name in names},
        )

    def count(self, kind: str, month: int | None = None) -> int:
        t = self.table
        mask = t.kind == EVENT_KINDS.index(kind)
        if month is not None:
            mask &= t.month == month
        return int(mask.sum())

    def frame(self) -> pd.DataFrame:
        df = self.table.frame()
        df["kind"] = pd.Categorical.from_codes(df["kind"], categories=list(EVENT_KINDS))
        return df
