"""Brokers: financial-partner teams, service stations and tech advisers who visit firms.

Each broker is a Mesa agent with a partner bank and a monthly capacity of firm
visits. The three kinds choose differently whom to visit:

* :class:`PartnerTeam` (金融合伙人 team): firms in need of money without a bank first,
  then new firms, then well-rated ones;
* :class:`ServiceStation`: new firms first (the station is their first port of call);
* :class:`TechAdviser`: promising firms (well rated, patenting) and firms a
  platform refers to them (well rated, in need, without a loan).

A visit (1) raises the firm's chance to apply for money (``brokers.apply_boost``),
(2) introduces a firm without a bank to the broker's partner bank, widening the
lenders it reaches, and (3) passes soft information to the lender: a new reading
of the firm's quality with precision ``banks.soft_info_precision``, so the
lender's view of that firm becomes more accurate. Brokers carry information,
not risk: no money moves in a visit.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import mesa
import numpy as np

from ecosim.firms.state import ACTIVE

if TYPE_CHECKING:
    from ecosim.model import EcosystemModel

#: Broker kinds, in the order they make their visits each month.
KINDS: tuple[str, ...] = ("team", "station", "adviser")
#: Reference counts at Jinan's size.
JINAN_COUNTS = {"team": 242, "station": 24, "adviser": 200}


class Broker(mesa.Agent):
    """A broker with a partner bank and a monthly visit capacity.

    Attributes:
        partner_bank: Index of the bank it introduces firms to.
        visits: Visits made so far.
    """

    kind = ""

    def __init__(self, model: EcosystemModel, partner_bank: int) -> None:
        super().__init__(model)
        self.partner_bank = partner_bank
        self.visits = 0
        model.graph.add_node(self.unique_id, f"broker_{self.kind}")

    @property
    def capacity(self) -> int:
        """Visits the broker makes each month."""
        raise NotImplementedError

    @staticmethod
    def priority(model: EcosystemModel) -> np.ndarray:
        """Per firm row: how much this kind of broker wants to visit the firm (before noise)."""
        raise NotImplementedError


def _basics(model: EcosystemModel) -> dict[str, np.ndarray]:
    f = model.firms
    return {
        "need": f.need_since >= 0,
        "no_bank": f.rel_bank < 0,
        "new": (model.month - f.founded) < 12,
        "rated_good": np.nan_to_num(f.rating, nan=-9.0) > 0.5,
        "visited": f.visits > 0,
    }


class PartnerTeam(Broker):
    """A financial-partner team: firms in need without a bank first, then new, then well-rated firms."""

    kind = "team"

    @property
    def capacity(self) -> int:
        return self.model.params.brokers.capacity

    @staticmethod
    def priority(model: EcosystemModel) -> np.ndarray:
        b = _basics(model)
        return 2.0 * (b["need"] & b["no_bank"]) + 1.0 * b["new"] + 0.5 * b["rated_good"] - 1.0 * b["visited"]


class ServiceStation(Broker):
    """A financial service station: new firms first, then firms in need."""

    kind = "station"

    @property
    def capacity(self) -> int:
        return self.model.params.brokers.station_capacity

    @staticmethod
    def priority(model: EcosystemModel) -> np.ndarray:
        b = _basics(model)
        return 2.0 * b["new"] + 1.0 * b["need"] - 1.0 * b["visited"]


class TechAdviser(Broker):
    """A tech adviser: promising firms, and firms the platforms refer (well rated, in need, no loan)."""

    kind = "adviser"

    @property
    def capacity(self) -> int:
        return self.model.params.brokers.adviser_capacity

    @staticmethod
    def priority(model: EcosystemModel) -> np.ndarray:
        b = _basics(model)
        f = model.firms
        referred = b["rated_good"] & b["need"] & ~model.has_loan()
        promising = b["rated_good"] | (f.patents > 0)
        return 2.0 * referred + 1.0 * promising - 1.0 * b["visited"]


BROKER_CLASSES: dict[str, type[Broker]] = {"team": PartnerTeam, "station": ServiceStation, "adviser": TechAdviser}


def build_brokers(model: EcosystemModel) -> list[Broker]:
    """Create the brokers of every kind; counts scale with firms unless given; partner banks rotate."""
    p = model.params.brokers
    given = {"team": p.teams, "station": p.stations, "adviser": p.advisers}
    n_banks = len(model.banks)
    out: list[Broker] = []
    for kind in KINDS:
        n = model._scaled(given[kind], JINAN_COUNTS[kind], minimum=1)
        for i in range(n):
            broker = BROKER_CLASSES[kind](model, (len(out) + i) % n_banks)
            out.append(broker)
    for broker in out:
        model.graph.link([broker.unique_id], [model.bank_ids[broker.partner_bank]], "brokerage")
    return out


def visit_firms(model: EcosystemModel) -> None:
    """All brokers make their visits for the month (vectorised over firms, kind by kind)."""
    f = model.firms
    n = len(f)
    rng = model.streams.info
    noise = rng.random((n, len(KINDS)))
    soft_draw = rng.standard_normal(n)  # fixed-size draws every month (common random numbers)
    brokers = model.teams
    if not brokers:
        return
    alive = f.status == ACTIVE
    taken = ~alive
    soft_prec = model.params.banks.soft_info_precision
    for k, kind in enumerate(KINDS):
        mine = [b for b in brokers if b.kind == kind]
        if not mine or mine[0].capacity == 0:
            continue
        score = BROKER_CLASSES[kind].priority(model) + noise[:, k]
        score[taken] = -np.inf
        total = min(len(mine) * mine[0].capacity, int((~taken).sum()))
        if total == 0:
            continue
        chosen = np.argpartition(-score, total - 1)[:total]
        chosen = chosen[np.argsort(-score[chosen], kind="stable")]
        taken[chosen] = True
        who = np.arange(total) % len(mine)
        partner = np.array([b.partner_bank for b in mine])[who]
        # Soft information: a new reading of quality, combined with what the lender already knew.
        reading = f.quality[chosen] + soft_draw[chosen] / np.sqrt(max(soft_prec, 1e-9))
        new_bank = f.rel_bank[chosen] < 0
        f.rel_bank[chosen[new_bank]] = partner[new_bank]
        if soft_prec > 0:
            old_p = f.soft_precision[chosen]
            f.soft_signal[chosen] = (old_p * f.soft_signal[chosen] + soft_prec * reading) / (old_p + soft_prec)
            f.soft_precision[chosen] = old_p + soft_prec
        f.visits[chosen] += 1
        ids = np.array([b.unique_id for b in mine])[who]
        model.graph.link(f.agent_id[chosen], ids, "brokerage")
        for j, c in zip(*np.unique(who, return_counts=True), strict=True):
            mine[j].visits += int(c)
        model.events.record(model.month, "visit", firm_id=f.agent_id[chosen], counterparty_id=ids)
        model.tally["visits"] += total
        model.tally[f"visits_{kind}"] += total
