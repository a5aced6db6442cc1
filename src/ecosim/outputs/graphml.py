"""A fast GraphML writer for the relationship graph, from its node table and edge arrays.

``networkx.write_graphml`` builds an ElementTree element per node, edge and
attribute value (or, with lxml, streams them one by one); at Jinan size that
takes longer than the simulation's output files together. :func:`write_graphml`
writes the same document — byte for byte what networkx writes for the graph
made of the same nodes and edges: the same header, keys (``d0``, ``d1``, … in
the order networkx assigns them, listed in its reverse order), value types
(``attr.type``), escaping, indentation and node and edge order — without
building the graph: nodes once each, and the edges of one text template per
edge, straight from the arrays.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np

HEADER = (
    "<?xml version='1.0' encoding='utf-8'?>\n"
    '<graphml xmlns="http://graphml.graphdrawing.org/xmlns" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
    'xsi:schemaLocation="http://graphml.graphdrawing.org/xmlns '
    'http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd">\n'
)


def _xml_types() -> dict[type, str]:
    """networkx's map from a Python (or numpy) type to a GraphML ``attr.type``."""
    from networkx.readwrite.graphml import GraphML

    types = GraphML()
    types.construct_types()
    return types.xml_type


def escape_text(text: str) -> str:
    """Escape element text as ElementTree does (``&``, ``<``, ``>``)."""
    if "&" in text:
        text = text.replace("&", "&amp;")
    if "<" in text:
        text = text.replace("<", "&lt;")
    if ">" in text:
        text = text.replace(">", "&gt;")
    return text


def escape_attribute(text: str) -> str:
    """Escape an attribute value as ElementTree does (text escapes plus quotes and white space)."""
    text = escape_text(text)
    for char, entity in (('"', "&quot;"), ("\r", "&#13;"), ("\n", "&#10;"), ("\t", "&#09;")):
        if char in text:
            text = text.replace(char, entity)
    return text


class _Keys:
    """The ``<key>`` declarations, numbered in the order networkx numbers them (first use)."""

    def __init__(self) -> None:
        self.xml_type = _xml_types()
        self.ids: dict[tuple[str, str, str], str] = {}

    def id_of(self, name: str, value_type: type, scope: str) -> str:
        try:
            xml_type = self.xml_type[value_type]
        except KeyError as err:
            raise TypeError(f"GraphML does not support type {value_type} as data values.") from err
        key = (name, xml_type, scope)
        if key not in self.ids:
            self.ids[key] = f"d{len(self.ids)}"
        return self.ids[key]

    def declarations(self) -> str:
        """The key elements, newest first (networkx inserts each at the top)."""
        return "".join(
            f'  <key id="{kid}" for="{scope}" attr.name="{escape_attribute(name)}" attr.type="{xml_type}" />\n'
            for (name, xml_type, scope), kid in reversed(self.ids.items())
        )


def _node_lines(nodes: Mapping[Any, Mapping[str, Any]], extra: list, keys: _Keys) -> list[str]:
    """One ``<node>`` element per node; nodes with the same attributes share their rendered data."""
    blocks: dict[tuple, str] = {}
    lines = []
    for node, attrs in nodes.items():
        # Values and their types: True, 1 and 1.0 are equal as keys but are written differently.
        signature = (tuple(attrs.items()), tuple(map(type, attrs.values())))
        block = blocks.get(signature)
        if block is None:
            block = "".join(
                f'      <data key="{keys.id_of(str(name), type(value), "node")}">{escape_text(str(value))}</data>\n'
                for name, value in attrs.items()
            )
            blocks[signature] = block
        node_id = node if type(node) is int else escape_attribute(str(node))
        lines.append(f'    <node id="{node_id}">\n{block}    </node>\n' if block else f'    <node id="{node_id}" />\n')
    lines.extend(f'    <node id="{escape_attribute(str(node))}" />\n' for node in extra)
    return lines


def _column_type(values: np.ndarray) -> type:
    """The one Python type of an edge attribute's values."""
    if values.dtype != object:
        return type(values[:1].tolist()[0]) if len(values) else float
    types = set(map(type, values.tolist()))
    if len(types) != 1:
        raise TypeError(f"an edge attribute must have values of one type, not {sorted(t.__name__ for t in types)}")
    return types.pop()


def _edge_order(node_ids: np.ndarray, u: np.ndarray, v: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The order networkx lists the edges in, and each edge's source and target.

    networkx walks the nodes in order and lists each node's edges to nodes not yet
    walked, in the order the edges were added: by the position of the edge's
    earlier endpoint, then by the edge's own position; that endpoint is the source.
    """
    sorter = np.argsort(node_ids, kind="stable")
    pos_u = sorter[np.searchsorted(node_ids, u, sorter=sorter)]
    pos_v = sorter[np.searchsorted(node_ids, v, sorter=sorter)]
    u_first = pos_u <= pos_v
    order = np.argsort(np.where(u_first, pos_u, pos_v), kind="stable")
    source = np.where(u_first, u, v)[order]
    target = np.where(u_first, v, u)[order]
    return order, source, target


def write_graphml(
    path: str | Path,
    nodes: Mapping[int, Mapping[str, Any]],
    u: np.ndarray,
    v: np.ndarray,
    kind: np.ndarray,
    count: np.ndarray,
) -> None:
    """Write an undirected graph with integer node ids as GraphML.

    The document equals ``networkx.write_graphml(G, path)`` for the graph ``G`` built by
    ``G.add_nodes_from(nodes.items())`` and then ``G.add_edges_from`` of the edges
    ``(u[i], v[i], {"kind": kind[i], "count": count[i]})`` in array order (endpoints
    missing from ``nodes`` become nodes without attributes, as in networkx).

    Args:
        path: The file to write.
        nodes: Node id → its attributes (str, int, float or bool values), in node order.
        u: One endpoint of each edge (int).
        v: The other endpoint (int).
        kind: Each edge's ``kind`` attribute.
        count: Each edge's ``count`` attribute.
    """
    u = np.asarray(u, dtype=np.int64)
    v = np.asarray(v, dtype=np.int64)
    listed = np.fromiter(nodes.keys(), dtype=np.int64, count=len(nodes))
    ends = np.stack([u, v], axis=1).ravel()  # in the order networkx meets them
    missing = ends[~np.isin(ends, listed)]
    _, first = np.unique(missing, return_index=True)
    extra = missing[np.sort(first)]

    keys = _Keys()
    node_lines = _node_lines(nodes, extra.tolist(), keys)
    edge_lines: list[str] = []
    if len(u):
        order, source, target = _edge_order(np.concatenate([listed, extra]), u, v)
        kind, count = np.asarray(kind)[order], np.asarray(count)[order]
        kind_key = keys.id_of("kind", _column_type(kind), "edge")
        count_key = keys.id_of("count", _column_type(count), "edge")
        kinds, counts = kind.tolist(), count.tolist()
        text = {k: escape_text(str(k)) for k in set(kinds)}
        edge_lines = [
            f'    <edge source="{a}" target="{b}">\n      <data key="{kind_key}">{text[k]}</data>\n'
            f'      <data key="{count_key}">{c}</data>\n    </edge>\n'
            for a, b, k, c in zip(source.tolist(), target.tolist(), kinds, counts, strict=True)
        ]
    with open(path, "w", encoding="utf-8", newline="") as out:
        out.write(HEADER)
        out.write(keys.declarations())
        if node_lines or edge_lines:
            out.write('  <graph edgedefault="undirected">\n')
            out.write("".join(node_lines))
            out.write("".join(edge_lines))
            out.write("  </graph>\n</graphml>\n")
        else:
            out.write('  <graph edgedefault="undirected" />\n</graphml>\n')
