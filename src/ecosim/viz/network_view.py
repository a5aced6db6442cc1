"""A cheap, stable drawing of the relationship network for the demo.

Institutions sit on an inner ring grouped by type; startups sit on outer
rings by stage (seed outermost), each at an angle fixed by its id, so a node
never jumps between frames and no force layout is computed. Only startups with
at least one relationship are drawn, which keeps the picture readable at a
demo size.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from matplotlib.axes import Axes
from matplotlib.collections import LineCollection
from matplotlib.lines import Line2D

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


def draw_network(ax: Axes, model: EcosystemModel) -> int:
    """Draw the relationship network on ``ax``; returns the number of startups drawn."""
    pos, col = layout(model)
    G = model.graph.G
    segments = [(pos[u], pos[v]) for u, v in G.edges() if u in pos and v in pos]
    ax.add_collection(LineCollection(segments, colors="#999999", linewidths=0.3, alpha=0.5))
    nodes = list(pos)
    xy = np.array([pos[n] for n in nodes]) if nodes else np.zeros((0, 2))
    is_firm = np.array([G.nodes[n].get("kind") == "startup" for n in nodes], dtype=bool)
    colours = [col[n] for n in nodes]
    if len(nodes):
        ax.scatter(xy[is_firm, 0], xy[is_firm, 1], s=10, c=[c for c, f in zip(colours, is_firm, strict=True) if f],
                   linewidths=0, zorder=2)
        ax.scatter(xy[~is_firm, 0], xy[~is_firm, 1], s=45, c=[c for c, f in zip(colours, is_firm, strict=True) if not f],
                   edgecolors="white", linewidths=0.6, zorder=3)
    ax.set_xlim(-1.1, 1.1)
    ax.set_ylim(-1.1, 1.1)
    ax.set_aspect("equal")
    ax.axis("off")
    handles = [Line2D([], [], marker="o", ls="", color=c, label=k.replace("_", " ")) for k, c in TYPE_COLOURS.items()]
    handles += [Line2D([], [], marker="o", ls="", color=c, label=f"startup: {s}", markersize=4)
                for s, c in STAGE_COLOURS.items()]
    ax.legend(handles=handles, loc="center left", bbox_to_anchor=(1.0, 0.5), fontsize=7, frameon=False)
    return int(is_firm.sum())
