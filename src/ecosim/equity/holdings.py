"""Equity holdings: every stake any investor holds in a startup, one row each, and how stakes end.

Stakes are diluted by later rounds, sold when a firm is acquired or lists or
when a fund at the end of its life sells to an S fund (secondary fund), and
written off in every holder's books when a firm fails. Each ending is an
``exit`` event carrying the proceeds, the multiple on invested capital and
the exit channel (:data:`EXIT_CHANNELS`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from ecosim.columns import Column, ColumnTable

if TYPE_CHECKING:
    from ecosim.model import EcosystemModel

#: How a stake ends.
EXIT_CHANNELS: tuple[str, ...] = ("writeoff", "acquisition", "listing", "secondary")

HOLDING_COLUMNS: tuple[Column, ...] = (
    Column("investor", np.int32, -1, "index into model.investors"),
    Column("firm", np.int64, -1, "row of the startup"),
    Column("stake", np.float64, 0.0, "share of the firm held (diluted by later rounds)"),
    Column("cost", np.float64, 0.0, "amount invested"),
    Column("month", np.int32, 0, "month of the investment"),
    Column("round", np.int16, 0, "the firm's equity round (1 = first)"),
    Column("active", np.bool_, True, "still held"),
    Column("proceeds", np.float64, 0.0, "cash received at exit"),
    Column("exit_month", np.int32, -1, "month the stake ended; -1 while held"),
    Column("channel", np.int8, -1, "index into EXIT_CHANNELS once ended"),
)


#: Fields of a new stake as collected by :func:`ecosim.equity.investing.make_round`.
STAKE_FIELDS: tuple[str, ...] = ("investor", "firm", "stake", "cost", "month", "round")


class Holdings(ColumnTable):
    """All equity stakes.

    Besides the columns, the table keeps an index of the active stakes of each
    firm and of each investor (stake rows in ascending order), so looking up a
    firm's cap table or an investor's portfolio does not scan every stake ever
    held. Stakes are added with :meth:`add` and ended with :meth:`close`, which
    keep the index up to date; do not clear ``active`` directly.
    """

    def __init__(self) -> None:
        super().__init__(HOLDING_COLUMNS, capacity=1024)
        self._by_firm: dict[int, list[int]] = {}
        self._by_investor: dict[int, list[int]] = {}

    def add(self, count: int, **values) -> np.ndarray:
        """Append ``count`` stakes (see :meth:`ColumnTable.add`) and index the active ones."""
        new = super().add(count, **values)
        data = self._data
        start = self.n - count
        by_firm, by_investor = self._by_firm, self._by_investor
        for i, active, firm, investor in zip(range(start, self.n), data["active"][start:self.n].tolist(),
                                             data["firm"][start:self.n].tolist(),
                                             data["investor"][start:self.n].tolist(), strict=True):
            if active:
                by_firm.setdefault(firm, []).append(i)
                by_investor.setdefault(investor, []).append(i)
        return new

    def add_stakes(self, stakes: list[tuple]) -> None:
        """Append new active stakes, each given as a tuple of :data:`STAKE_FIELDS`, in one block."""
        if stakes:
            columns = self.columns
            self.add(len(stakes), **{name: np.array(values, dtype=columns[name].dtype)
                                     for name, values in zip(STAKE_FIELDS, zip(*stakes), strict=True)})

    def close(self, i: int) -> None:
        """Mark stake ``i`` as no longer held."""
        self.active[i] = False
        self._by_firm[int(self.firm[i])].remove(i)
        self._by_investor[int(self.investor[i])].remove(i)

    def of_firm(self, row: int) -> list[int]:
        """Active stakes in one firm row, in ascending order (a new list)."""
        return list(self._by_firm.get(row, ()))

    def of_firms(self, rows: np.ndarray) -> np.ndarray:
        """Active stakes in the given firm rows, in ascending order."""
        by_firm = self._by_firm
        found = [i for row in set(np.atleast_1d(rows).tolist()) for i in by_firm.get(row, ())]
        return np.array(sorted(found), dtype=np.int64)

    def of_investor(self, investor: int) -> np.ndarray:
        """Active stakes of one investor, in ascending order."""
        return np.array(self._by_investor.get(investor, ()), dtype=np.int64)

    def multiples(self) -> np.ndarray:
        """Proceeds over cost of every stake that has ended (write-offs count as 0)."""
        done = ~self.active & (self.cost > 0)
        return self.proceeds[done] / self.cost[done]


def _end(model: EcosystemModel, i: int, proceeds: float, channel: str, exits: list[tuple] | None = None) -> None:
    """Stake ``i`` ends with ``proceeds`` through ``channel``.

    Its ``exit`` event is recorded at once, or collected in ``exits`` for :func:`_record_exits`.
    """
    h = model.holdings
    code = EXIT_CHANNELS.index(channel)
    h.close(i)
    h.proceeds[i] = proceeds
    h.exit_month[i] = model.month
    h.channel[i] = code
    cost = float(h.cost[i])
    inv = model.investors[int(h.investor[i])]
    event = (model.firms.agent_id[h.firm[i]], inv.unique_id, proceeds, proceeds / cost if cost > 0 else np.nan,
             int(h.round[i]), code)
    if exits is None:
        _record_exits(model, [event])
    else:
        exits.append(event)
    model.tally[f"exits_{channel}"] += 1


def _record_exits(model: EcosystemModel, exits: list[tuple]) -> None:
    """Record ``exit`` events, given as (firm id, investor id, proceeds, multiple, round, channel code)."""
    if len(exits) == 1:
        firm_id, investor_id, proceeds, multiple, rnd, code = exits[0]
        model.events.record(model.month, "exit", firm_id=firm_id, counterparty_id=investor_id, amount=proceeds,
                            detail=multiple, round=rnd, channel=code)
    elif exits:
        firm_id, investor_id, proceeds, multiple, rnd, code = (np.array(c) for c in zip(*exits, strict=True))
        model.events.record(model.month, "exit", firm_id=firm_id, counterparty_id=investor_id, amount=proceeds,
                            detail=multiple, round=rnd, channel=code)


def write_off(model: EcosystemModel, rows: np.ndarray) -> None:
    """Failed firms: every holder writes its stake off against retained earnings."""
    h = model.holdings
    idx = h.of_firms(rows)
    exits: list[tuple] = []
    for i in idx.tolist():
        inv = model.investors[int(h.investor[i])]
        cost = float(h.cost[i])
        model.ledger.post("equity_writeoff", inv.accounts["retained"], inv.accounts["investments"], cost)
        inv.on_writeoff(cost)
        _end(model, i, 0.0, "writeoff", exits)
    _record_exits(model, exits)
    model.tally["equity_written_off"] += float(h.cost[idx].sum())


def cash_out(model: EcosystemModel, rows: np.ndarray, value: np.ndarray, kind: str,
             buyer: str = "exit_buyers") -> None:
    """Holders of exiting firms sell their stakes at ``value`` (the firm's equity value).

    Args:
        model: The model.
        rows: Firm rows exiting.
        value: Equity value of each firm.
        kind: Exit channel (``acquisition`` or ``listing``).
        buyer: External owner paying for the stakes.
    """
    h = model.holdings
    ext = model.ledger.external_owner(buyer)
    value_by_row = dict(zip(rows.tolist(), np.asarray(value).tolist(), strict=True))
    exits: list[tuple] = []
    for i in h.of_firms(rows).tolist():
        proceeds = float(h.stake[i]) * value_by_row[int(h.firm[i])]
        sell_stake(model, i, proceeds, ext, kind, exits)
    _record_exits(model, exits)


def sell_stake(model: EcosystemModel, i: int, proceeds: float, ext: dict, kind: str,
               exits: list[tuple] | None = None) -> None:
    """One holder sells one stake for ``proceeds`` to an outside buyer, booking the gain or loss.

    The ``exit`` event is recorded at once, or collected in ``exits`` (see :func:`_end`).
    """
    h = model.holdings
    led = model.ledger
    inv = model.investors[int(h.investor[i])]
    cost = float(h.cost[i])
    led.transfer("exit_proceeds", ext["cash"], ext["net_flow"], inv.accounts["cash"], inv.accounts["investments"],
                 proceeds)
    led.post("exit_gain", inv.accounts["investments"], inv.accounts["retained"], proceeds - cost)
    _end(model, i, proceeds, kind, exits)
    model.tally["exit_proceeds"] += proceeds
    inv.on_proceeds(proceeds, cost)
