"""The GraphML writer: the document networkx writes, byte for byte, without building the graph."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pytest

from ecosim.network import RelationGraph, _unique_rows
from ecosim.runner import simulate


def _networkx_bytes(G: nx.Graph, path) -> bytes:
    nx.write_graphml(G, path)
    return path.read_bytes()


@pytest.fixture(scope="module")
def run_graph():
    """The relationship graph at the end of a short baseline run."""
    from ecosim.scenario import load_scenario

    return simulate(load_scenario("baseline", months=36, firms=400), 3, keep_model=True).model.graph


def test_run_graph_is_written_as_networkx_writes_it(run_graph, tmp_path) -> None:
    """A run's graph (its node and edge kinds, failed firms removed) is written with networkx's exact bytes."""
    run_graph.write_graphml(tmp_path / "fast.graphml")
    fast = (tmp_path / "fast.graphml").read_bytes()
    assert fast == _networkx_bytes(run_graph.G, tmp_path / "nx.graphml")
    kinds = {d["kind"] for _, _, d in run_graph.G.edges(data=True)}
    assert {"lending", "guarantee", "platform", "brokerage"} <= kinds
    assert run_graph.G.number_of_edges() > 100


def test_run_graph_reads_back_to_the_same_graph_attributes_and_types(run_graph, tmp_path) -> None:
    """networkx reads the file back to the same nodes, edges and attributes, with str kinds and int counts."""
    run_graph.write_graphml(tmp_path / "g.graphml")
    back = nx.read_graphml(tmp_path / "g.graphml", node_type=int)
    G = run_graph.G
    assert list(back.nodes(data=True)) == list(G.nodes(data=True))
    assert {frozenset(e) for e in back.edges()} == {frozenset(e) for e in G.edges()}
    for a, b, data in G.edges(data=True):
        assert back.edges[a, b] == data
    assert all(type(d["count"]) is int and type(d["kind"]) is str for _, _, d in back.edges(data=True))
    assert {type(d["tier"]) for _, d in back.nodes(data=True) if "tier" in d} == {str}


def _small_graph() -> RelationGraph:
    g = RelationGraph()
    g.add_node(10, "bank")
    g.add_node(3, "platform", tier="provincial & <city>", rank=2, weight=0.5, public=True)
    g.add_nodes(np.array([7, 5, 99]), "startup")
    g.link([5, 7, 3], [10, 10, 10], "lending")
    g.link([5], [10], "guarantee")
    g.link(np.array([99, 99]), np.array([10, 3]), "investment")
    g.link([12], [5], "brokerage")  # 12 was never added as a node: networkx adds it bare
    g.link(np.array([7]), np.array([3]), "platform")
    g.unlink([7], [3], "platform")  # ended: the edge goes
    g.link(np.array([5, 5]), np.array([10, 10]), "lending")  # counted twice more
    g.remove_nodes([99])  # and its edges
    return g


def test_hand_built_graph_matches_networkx_byte_for_byte(tmp_path) -> None:
    """Node order not sorted by id, attributes of four types with escaping, bare endpoints, counts and ended
    relationships are all written as networkx writes them."""
    g = _small_graph()
    g.write_graphml(tmp_path / "fast.graphml")
    text = (tmp_path / "fast.graphml").read_text()
    assert text == _networkx_bytes(g.G, tmp_path / "nx.graphml").decode()
    assert "provincial &amp; &lt;city&gt;" in text and 'node id="12" />' in text
    back = nx.read_graphml(tmp_path / "fast.graphml", node_type=int)
    assert back.nodes[3] == {"kind": "platform", "tier": "provincial & <city>", "rank": 2, "weight": 0.5,
                             "public": True}
    assert back.edges[5, 10] == {"kind": "lending+guarantee", "count": 4}
    assert not back.has_edge(3, 7) and 99 not in back


def test_graph_without_edges_or_nodes_matches_networkx(tmp_path) -> None:
    """An empty graph and a graph of nodes only are written as networkx writes them."""
    g = RelationGraph()
    g.write_graphml(tmp_path / "empty.graphml")
    assert (tmp_path / "empty.graphml").read_bytes() == _networkx_bytes(g.G, tmp_path / "nx0.graphml")
    g.add_nodes([4, 2], "startup")
    g.write_graphml(tmp_path / "nodes.graphml")
    assert (tmp_path / "nodes.graphml").read_bytes() == _networkx_bytes(g.G, tmp_path / "nx1.graphml")


def test_edge_table_merges_kinds_and_counts_per_pair() -> None:
    """Each pair is one edge listing its kinds in the order kinds were first used, with the summed count."""
    g = _small_graph()
    u, v, kind, count = g.edge_table()
    table = {(a, b): (k, c) for a, b, k, c in zip(u.tolist(), v.tolist(), kind.tolist(), count.tolist(), strict=True)}
    assert table == {(5, 10): ("lending+guarantee", 4), (7, 10): ("lending", 1), (3, 10): ("lending", 1),
                     (5, 12): ("brokerage", 1)}
    assert list(zip(u.tolist(), v.tolist(), strict=True)) == sorted(table)


@pytest.mark.parametrize("high", [50, 1 << 40])
def test_unique_rows_equals_numpy_unique_by_rows(high: int) -> None:
    """The packed-key shortcut (small ids) and the general path (large ids) give numpy's rows and inverse."""
    rng = np.random.default_rng(0)
    u, v, k = rng.integers(0, high, 5000), rng.integers(0, high, 5000), rng.integers(0, 7, 5000)
    u[:50], v[:50] = 0, high - 1
    uniq, inverse = _unique_rows(u, v, k)
    want, want_inverse = np.unique(np.stack([u, v, k], axis=1), axis=0, return_inverse=True)
    np.testing.assert_array_equal(uniq, want)
    np.testing.assert_array_equal(inverse, want_inverse.ravel())
