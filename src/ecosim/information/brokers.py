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

from ecosim.common_random import firm_draws
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
    def priority(traits: dict[str, np.ndarray]) -> np.ndarray:
        """How much this kind of broker wants to visit each firm (before noise).

        Args:
            traits: What brokers know of the firms, from :func:`firm_traits`.
        """
        raise NotImplementedError


def firm_traits(model: EcosystemModel, rows: np.ndarray) -> dict[str, np.ndarray]:
    """What brokers look at, per firm in ``rows`` (boolean arrays).

    ``need`` (looking for money), ``no_bank`` (no relationship bank), ``new``
    (under a year old), ``rated_good`` (platform rating above 0.5),
    ``visited`` (visited before), ``patents`` (holds a patent) and ``has_loan``
    (an outstanding loan).
    """
    f = model.firms
    return {
        "need": f.need_since[rows] >= 0,
        "no_bank": f.rel_bank[rows] < 0,
        "new": (model.month - f.founded[rows]) < 12,
        "rated_good": f.rating[rows] > 0.5,  # False where unrated (NaN)
        "visited": f.visits[rows] > 0,
        "patents": f.patents[rows] > 0,
        "has_loan": model.has_loan()[rows],
    }


class PartnerTeam(Broker):
    """A financial-partner team: firms in need without a bank first, then new, then well-rated firms."""

    kind = "team"

    @property
    def capacity(self) -> int:
        return self.model.params.brokers.capacity

    @staticmethod
    def priority(traits: dict[str, np.ndarray]) -> np.ndarray:
        b = traits
        return 2.0 * (b["need"] & b["no_bank"]) + 1.0 * b["new"] + 0.5 * b["rated_good"] - 1.0 * b["visited"]


class ServiceStation(Broker):
    """A financial service station: new firms first, then firms in need."""

    kind = "station"

    @property
    def capacity(self) -> int:
        return self.model.params.brokers.station_capacity

    @staticmethod
    def priority(traits: dict[str, np.ndarray]) -> np.ndarray:
        b = traits
        return 2.0 * b["new"] + 1.0 * b["need"] - 1.0 * b["visited"]


class TechAdviser(Broker):
    """A tech adviser: promising firms, and firms the platforms refer (well rated, in need, no loan)."""

    kind = "adviser"

    @property
    def capacity(self) -> int:
        return self.model.params.brokers.adviser_capacity

    @staticmethod
    def priority(traits: dict[str, np.ndarray]) -> np.ndarray:
        b = traits
        referred = b["rated_good"] & b["need"] & ~b["has_loan"]
        promising = b["rated_good"] | b["patents"]
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


#: Every how many scores :func:`best_first` samples to bracket the ones it sorts.
_SAMPLE_STEP = 16


def best_first(score: np.ndarray, k: int) -> np.ndarray:
    """Positions of the ``k`` highest scores, highest first; equal scores keep their position order.

    A score at or below the ``k``-th highest is found among every :data:`_SAMPLE_STEP`-th score,
    so only the scores at or above it are sorted (all of them when it does not leave ``k``).

    Args:
        score: The scores (``-inf`` for positions that cannot be chosen).
        k: How many positions to return (at most ``len(score)``).
    """
    sample = score[::_SAMPLE_STEP]
    rank = min(2 * k // _SAMPLE_STEP + 1, len(sample) - 1)  # a generous rank: about 2k scores lie above
    cut = np.partition(sample, len(sample) - 1 - rank)[len(sample) - 1 - rank]
    candidates = np.flatnonzero(score >= cut)
    if len(candidates) < k:
        candidates = np.arange(len(score))
    return candidates[np.argsort(-score[candidates], kind="stable")[:k]]


def visit_firms(model: EcosystemModel) -> None:
    """All brokers make their visits for the month (vectorised over operating firms, kind by kind).

    Each kind's brokers together visit the operating firms with the highest
    priority plus noise that no broker has visited yet this month, shared out
    among them in turn. The month's visits are then recorded as events and
    brokerage relationships.
    """
    f = model.firms
    rng = model.streams.info
    noise = firm_draws(model, rng, "random", len(KINDS))
    soft_draw = firm_draws(model, rng, "standard_normal")  # fixed-size draws every month (CRN)
    brokers = model.teams
    if not brokers:
        return
    alive = np.flatnonzero(f.status == ACTIVE)
    traits = firm_traits(model, alive)
    soft_prec = model.params.banks.soft_info_precision
    picked: list[np.ndarray] = []  # positions among ``alive`` of the firms visited, in order of the visits
    visited: list[np.ndarray] = []  # firm rows, in order of the visits
    visitors: list[np.ndarray] = []  # the visiting brokers' ids
    noise = np.take(noise, alive, axis=0)  # one gather of the operating firms' rows; each kind reads its column
    by_kind: dict[str, list[Broker]] = {kind: [] for kind in KINDS}
    for broker in brokers:
        by_kind[broker.kind].append(broker)
    for k, (kind, mine) in enumerate(by_kind.items()):
        if not mine or mine[0].capacity == 0:
            continue
        score = BROKER_CLASSES[kind].priority(traits) + noise[:, k]
        if picked:
            score[np.concatenate(picked)] = -np.inf  # visited already this month
        total = min(len(mine) * mine[0].capacity, len(alive) - sum(len(pick) for pick in picked))
        if total == 0:
            continue
        pick = best_first(score, total)
        chosen = alive[pick]
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
        picked.append(pick)
        traits["visited"][pick] = True
        traits["no_bank"][pick] = False  # every visited firm now has a bank
        visited.append(chosen)
        visitors.append(np.array([b.unique_id for b in mine])[who])
        each, extra = divmod(total, len(mine))  # broker j makes visits j, j + len(mine), ...
        for broker in mine[:extra]:
            broker.visits += each + 1
        for broker in mine[extra:]:
            broker.visits += each
        model.tally["visits"] += total
        model.tally[f"visits_{kind}"] += total
    if visited:
        firm_ids = f.agent_id[np.concatenate(visited)]
        broker_ids = np.concatenate(visitors)
        model.graph.link(firm_ids, broker_ids, "brokerage")
        model.events.record(model.month, "visit", firm_id=firm_ids, counterparty_id=broker_ids)
