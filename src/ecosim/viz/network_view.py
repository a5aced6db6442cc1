"""A cheap, stable layout of the relationship network for the demo's network view.

Institutions sit on an inner ring grouped by type; startups sit on outer
rings by stage (seed outermost), each at an angle fixed by its id, so a node
never jumps between frames and no force layout is computed. Only startups with
at least one relationship are drawn, which keeps the picture readable at a
demo size. :func:`network_data` gives the browser the nodes keyed by id, so
it redraws only the nodes that appear, move stage or leave.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from ecosim.firms import state as S
from ecosim.viz.charts import STAGE_COLOURS, TYPE_COLOURS

if TYPE_CHECKING:
    from ecosim.model import EcosystemModel

GOLDEN_ANGLE = np.pi * (3.0 - np.sqrt(5.0))
STAGE_RADIUS = {S.SEED: 1.0, S.EARLY: 0.85, S.GROWTH: 0.7, S.MATURE: 0.58}
TYPE_ORDER = tuple(TYPE_COLOURS)


def node_type(kind: str) -> str:
    """Colour group of a graph node kind (the guarantee tiers share one colour)."""
    return "guarantor" if kind.startswith("guarantor") else kind


def layout(model: EcosystemModel) -> tuple[dict[int, tuple[float, float]], dict[int, str]]:
    """Positions and colours of the nodes to draw.

    Returns:
        ``(positions, colours)`` keyed by node id, for every institution and every
        operating startup with at least one relationship.
    """
    G = model.graph.G
    f = model.firms
    row_of = {int(a): i for i, a in enumerate(f.agent_id.tolist())}
    institutions = sorted((n for n, d in G.nodes(data=True) if d.get("kind") != "startup"),
                          key=lambda n: (TYPE_ORDER.index(node_type(G.nodes[n]["kind"]))
                                         if node_type(G.nodes[n]["kind"]) in TYPE_ORDER else 99, n))
    pos: dict[int, tuple[float, float]] = {}
    col: dict[int, str] = {}
    k = max(len(institutions), 1)
    for i, n in enumerate(institutions):
        a = 2 * np.pi * i / k
        r = 0.12 if G.nodes[n]["kind"] == "government" else 0.35
        pos[n] = (r * np.cos(a), r * np.sin(a))
        col[n] = TYPE_COLOURS.get(node_type(G.nodes[n]["kind"]), "#333333")
    for n, d in G.nodes(data=True):
        if d.get("kind") != "startup" or G.degree(n) == 0:
            continue
        row = row_of.get(int(n))
        if row is None or f.status[row] != S.ACTIVE:
            continue
        stage = int(f.stage[row])
        a = (int(n) * GOLDEN_ANGLE) % (2 * np.pi)
        r = STAGE_RADIUS[stage] + 0.04 * np.sin(int(n))
        pos[n] = (r * np.cos(a), r * np.sin(a))
        col[n] = STAGE_COLOURS[S.STAGES[stage]]
    return pos, col


def network_data(model: EcosystemModel) -> dict:
    """What the demo's network view draws: nodes, the edges between drawn nodes, and the legend.

    Returns:
        ``{"nodes": [[id, x, y, colour, radius], ...], "edges": SVG path, "legend": [[name, colour], ...],
        "startups": number of startups drawn}``; y grows downwards as in SVG.
    """
    pos, col = layout(model)
    G = model.graph.G
    nodes = []
    startups = 0
    for n, (x, y) in pos.items():
        firm = G.nodes[n].get("kind") == "startup"
        startups += firm
        nodes.append([int(n), round(float(x), 4), round(-float(y), 4), col[n], 0.013 if firm else 0.032])
    edges = "".join(f"M{pos[u][0]:.3f} {-pos[u][1]:.3f}L{pos[v][0]:.3f} {-pos[v][1]:.3f}"
                    for u, v in G.edges() if u in pos and v in pos)
    legend = [[k.replace("_", " "), c] for k, c in TYPE_COLOURS.items()]
    legend += [[f"startup: {s}", c] for s, c in STAGE_COLOURS.items()]
    return {"nodes": nodes, "edges": edges, "legend": legend, "startups": startups}
