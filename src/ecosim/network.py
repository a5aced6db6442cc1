"""The relationship graph: every agent a node, every relationship a typed edge.

Edges carry ``kind`` (lending, guarantee, investment, brokerage, platform,
fund_commitment, research) and appear and disappear as relationships form and end. The
graph is a plain networkx ``Graph`` keyed by Mesa ``unique_id``; for the demo
:func:`network_space` wraps it in Mesa's ``discrete_space.Network`` with a cheap
layout.
"""

from __future__ import annotations

from collections.abc import Iterable

import networkx as nx
import numpy as np

EDGE_KINDS: tuple[str, ...] = ("lending", "guarantee", "investment", "brokerage", "platform", "fund_commitment", "research")


class RelationGraph:
    """Typed relationships between agents, on one networkx graph."""

    def __init__(self) -> None:
        self.G = nx.Graph()

    def add_node(self, node: int, kind: str, **attrs) -> None:
        self.G.add_node(int(node), kind=kind, **attrs)

    def add_nodes(self, nodes: Iterable[int], kind: str) -> None:
        self.G.add_nodes_from((int(n) for n in nodes), kind=kind)

    def remove_nodes(self, nodes: Iterable[int]) -> None:
        self.G.remove_nodes_from(int(n) for n in nodes)

    def link(self, a: Iterable[int], b: Iterable[int], kind: str) -> None:
        """Add (or count once more) edges of one kind between pairs ``a[i]``–``b[i]``."""
        G = self.G
        fresh: dict[tuple[int, int], int] = {}
        for u, v in zip(np.atleast_1d(a).tolist(), np.atleast_1d(b).tolist(), strict=True):
            data = G.get_edge_data(u, v)
            if data is None:
                key = (u, v) if u <= v else (v, u)
                fresh[key] = fresh.get(key, 0) + 1
            else:
                data["count"] = data.get("count", 0) + 1
                if kind not in data["kind"].split("+"):
                    data["kind"] = data["kind"] + "+" + kind
        if fresh:
            G.add_edges_from((u, v, {"kind": kind, "count": c}) for (u, v), c in fresh.items())

    def unlink(self, a: Iterable[int], b: Iterable[int], kind: str) -> None:
        """End one relationship of ``kind`` between each pair; the edge goes when none is left."""
        for u, v in zip(np.atleast_1d(a).tolist(), np.atleast_1d(b).tolist(), strict=True):
            data = self.G.get_edge_data(u, v)
            if data is None:
                continue
            data["count"] -= 1
            if data["count"] <= 0:
                self.G.remove_edge(u, v)

    def edges_of_kind(self, kind: str) -> int:
        return sum(1 for *_, d in self.G.edges(data=True) if kind in d["kind"].split("+"))


def network_space(graph: nx.Graph, rng: np.random.Generator):
    """Mesa ``Network`` over a copy of the graph, with a random (cheap) layout seeded from ``rng``."""
    from mesa.discrete_space import Network

    g = graph.copy()
    seed = int(rng.integers(2**31 - 1))
    return Network(g, layout=nx.random_layout(g, seed=seed))
