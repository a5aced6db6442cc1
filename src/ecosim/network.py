"""The relationship graph: every agent a node, every relationship a typed edge.

Edges carry ``kind`` (lending, guarantee, investment, brokerage, platform,
fund_commitment, research) and appear and disappear as relationships form and end. The
graph is a plain networkx ``Graph`` keyed by Mesa ``unique_id``; for the demo
:func:`network_space` wraps it in Mesa's ``discrete_space.Network`` with a cheap
layout.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import networkx as nx
import numpy as np

EDGE_KINDS: tuple[str, ...] = ("lending", "guarantee", "investment", "brokerage", "platform", "fund_commitment", "research")


def _unique_rows(u: np.ndarray, v: np.ndarray, k: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The distinct ``(u, v, k)`` rows in lexicographic order, and each row's index among them.

    Equals ``np.unique(np.stack([u, v, k], axis=1), axis=0, return_inverse=True)``;
    when the ids fit in 28 bits and the kinds in 7 (always, at any size the model
    runs) the rows are packed into one int64 each, which sorts many times faster.
    """
    if len(u) and u.min() >= 0 and v.min() >= 0 and k.min() >= 0 and max(u.max(), v.max()) < 1 << 28 and k.max() < 1 << 7:
        packed, inverse = np.unique((u << 35) | (v << 7) | k, return_inverse=True)
        uniq = np.stack([packed >> 35, (packed >> 7) & ((1 << 28) - 1), packed & 127], axis=1)
        return uniq, inverse.ravel()
    key = np.stack([u, v, k], axis=1)
    uniq, inverse = np.unique(key, axis=0, return_inverse=True)
    return uniq, inverse.ravel()


class RelationGraph:
    """Typed, counted relationships between agents, kept as arrays and shown as a networkx graph.

    During a run relationships are only recorded (vectorised appends to an edge
    log); the networkx ``Graph`` is built from the log when :attr:`G` is read
    (and cached until the next change). Each edge of ``G`` carries ``kind`` (the
    relationships it holds now, joined by ``+``) and ``count`` (how many).
    """

    def __init__(self) -> None:
        self._nodes: dict[int, dict] = {}
        self._removed: set[int] = set()
        self._kinds: list[str] = []
        self._u = np.zeros(1024, dtype=np.int64)
        self._v = np.zeros(1024, dtype=np.int64)
        self._k = np.zeros(1024, dtype=np.int16)
        self._d = np.zeros(1024, dtype=np.int32)
        self._n = 0
        self._compact_at = 1 << 20
        self._cache: nx.Graph | None = None
        self._pending: list[tuple[int, int, int, int]] = []  # single relationships not yet in the log

    # ------------------------------------------------------------------ nodes

    def add_node(self, node: int, kind: str, **attrs) -> None:
        self._nodes[int(node)] = {"kind": kind, **attrs}
        self._cache = None

    def add_nodes(self, nodes: Iterable[int], kind: str) -> None:
        # The nodes of one call share one attribute dict (read only here; G and GraphML copy it).
        self._nodes.update(dict.fromkeys(np.atleast_1d(nodes).tolist(), {"kind": kind}))
        self._cache = None

    def remove_nodes(self, nodes: Iterable[int]) -> None:
        """Remove agents and every relationship they had."""
        pop = self._nodes.pop
        self._removed.update([n for n in np.atleast_1d(nodes).tolist() if pop(n, None) is not None])
        self._cache = None

    # ------------------------------------------------------------------ edges

    def _kind_code(self, kind: str) -> int:
        if kind not in self._kinds:
            self._kinds.append(kind)
        return self._kinds.index(kind)

    def _record(self, a: Iterable[int], b: Iterable[int], kind: str, delta: int) -> None:
        if type(a) is list and type(b) is list and len(a) == len(b) == 1:  # one pair: keep it for the next block
            x, y = int(a[0]), int(b[0])
            self._pending.append((min(x, y), max(x, y), self._kind_code(kind), delta))
            self._cache = None
            return
        a = np.atleast_1d(np.asarray(a, dtype=np.int64))
        b = np.atleast_1d(np.asarray(b, dtype=np.int64))
        a, b = np.broadcast_arrays(a, b)
        if len(a) == 0:
            return
        self._append(np.minimum(a, b), np.maximum(a, b), self._kind_code(kind), delta)

    def _flush(self) -> None:
        """Move the pending single relationships into the log."""
        if self._pending:
            u, v, k, d = (np.array(col) for col in zip(*self._pending, strict=True))
            self._pending = []
            self._append(u, v, k, d)

    def _append(self, u: np.ndarray, v: np.ndarray, k, d) -> None:
        """Append rows (u <= v) to the edge log."""
        self._flush()
        m = len(u)
        need = self._n + m
        if need > len(self._u):
            cap = max(need, 2 * len(self._u))
            for name in ("_u", "_v", "_k", "_d"):
                old = getattr(self, name)
                grown = np.zeros(cap, dtype=old.dtype)
                grown[: self._n] = old[: self._n]
                setattr(self, name, grown)
        sl = slice(self._n, need)
        self._u[sl] = u
        self._v[sl] = v
        self._k[sl] = k
        self._d[sl] = d
        self._n = need
        self._cache = None
        if self._n > self._compact_at:  # keep the log about as long as the live relationships
            self._counts()
            self._compact_at = max(1 << 20, 2 * self._n)

    def link(self, a: Iterable[int], b: Iterable[int], kind: str) -> None:
        """Add (or count once more) relationships of one kind between pairs ``a[i]``–``b[i]``."""
        self._record(a, b, kind, 1)

    def unlink(self, a: Iterable[int], b: Iterable[int], kind: str) -> None:
        """End one relationship of ``kind`` between each pair; the edge goes when none is left."""
        self._record(a, b, kind, -1)

    def _counts(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Current (u, v, kind code, count > 0) of every live relationship, between present agents."""
        self._flush()
        n = self._n
        if n == 0:
            empty = np.zeros(0, dtype=np.int64)
            return empty, empty, empty, empty
        uniq, inverse = _unique_rows(self._u[:n], self._v[:n], self._k[:n].astype(np.int64))
        count = np.bincount(inverse.ravel(), weights=self._d[:n], minlength=len(uniq)).astype(np.int64)
        keep = count > 0
        if self._removed:
            gone = np.fromiter(self._removed, dtype=np.int64)
            keep &= ~np.isin(uniq[:, 0], gone) & ~np.isin(uniq[:, 1], gone)
        # Compact the log: one row per live relationship.
        u, v, k, c = uniq[keep, 0], uniq[keep, 1], uniq[keep, 2], count[keep]
        m = len(u)
        self._u[:m], self._v[:m], self._k[:m], self._d[:m] = u, v, k, c
        self._n = m
        return u, v, k, c

    def edges_of_kind(self, kind: str) -> int:
        """Number of agent pairs that hold a relationship of ``kind`` now."""
        if kind not in self._kinds:
            return 0
        _, _, k, _ = self._counts()
        return int((k == self._kinds.index(kind)).sum())

    def edge_table(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Every edge of :attr:`G` as arrays, ordered by ``(u, v)``.

        Returns:
            ``(u, v, kind, count)``: the two agents (``u <= v``), the relationships the
            edge holds now (their kinds joined by ``+``, in the order the kinds were
            first used; an object array of ``str``) and how many relationships it holds.
        """
        u, v, k, c = self._counts()
        if len(u) == 0:
            empty = np.zeros(0, dtype=np.int64)
            return empty, empty, np.zeros(0, dtype=object), empty
        if len(self._kinds) > 63:
            raise ValueError(f"{len(self._kinds)} relationship kinds: at most 63 are supported")
        order = np.lexsort((k, v, u))
        u, v, k, c = u[order], v[order], k[order], c[order]
        starts = np.flatnonzero(np.r_[True, (u[1:] != u[:-1]) | (v[1:] != v[:-1])])
        mask = np.bitwise_or.reduceat(np.left_shift(np.int64(1), k), starts)
        masks, which = np.unique(mask, return_inverse=True)
        names = np.array(
            ["+".join(name for bit, name in enumerate(self._kinds) if m >> bit & 1) for m in masks.tolist()],
            dtype=object,
        )
        return u[starts], v[starts], names[which.ravel()], np.add.reduceat(c, starts)

    @property
    def G(self) -> nx.Graph:  # noqa: N802 - networkx's customary name
        """The relationships as a networkx ``Graph`` (built on demand, cached until the next change)."""
        if self._cache is None:
            u, v, kind, count = self.edge_table()
            G = nx.Graph()
            G.add_nodes_from(self._nodes.items())
            G.add_edges_from(
                (a, b, {"kind": kk, "count": cc})
                for a, b, kk, cc in zip(u.tolist(), v.tolist(), kind.tolist(), count.tolist(), strict=True)
            )
            self._cache = G
        return self._cache

    def write_graphml(self, path: str | Path) -> None:
        """Write the graph to ``path`` as GraphML, without building :attr:`G`.

        The file is the one ``networkx.write_graphml(self.G, path)`` writes, byte for byte
        (see :func:`ecosim.outputs.graphml.write_graphml`).
        """
        from ecosim.outputs.graphml import write_graphml

        write_graphml(path, self._nodes, *self.edge_table())


def network_space(graph: nx.Graph, rng: np.random.Generator):
    """Mesa ``Network`` over a copy of the graph, with a random (cheap) layout seeded from ``rng``."""
    from mesa.discrete_space import Network

    g = graph.copy()
    seed = int(rng.integers(2**31 - 1))
    return Network(g, layout=nx.random_layout(g, seed=seed))
