"""Pools and chunking: every item comes back exactly once, and chunked runs keep their numbers under Dask."""

from __future__ import annotations

from collections import deque

import pandas as pd
import pytest

from ecosim.experiments.executors import CHUNKS_PER_WORKER, TARGET_TASK_SECONDS, Chunker, execute, open_pool
from ecosim.experiments.tasks import make_tasks
from ecosim.experiments.variants import resolve_all


def square(x: int) -> int:
    return x * x


def test_chunks_grow_for_short_items_and_stay_single_for_long_ones():
    short = Chunker(workers=2, total=1000)
    assert short.size() == 1  # nothing measured yet
    short.record(10, 10 * 0.01)  # 10 ms per item
    assert short.size() == int(TARGET_TASK_SECONDS / 0.01)
    long_runs = Chunker(workers=2, total=1000)
    long_runs.record(3, 3 * 1.2)
    assert long_runs.size() == 1


def test_chunks_leave_every_worker_a_share_of_the_tail():
    chunker = Chunker(workers=2, total=40)
    chunker.record(1, 0.0001)
    queue = deque(range(40))
    sizes = []
    while queue:
        sizes.append(len(chunker.take(queue)))
    assert sum(sizes) == 40
    assert sizes[0] == 40 // (CHUNKS_PER_WORKER * 2)
    assert sizes[-1] == 1 and max(sizes[-4:]) <= 2


@pytest.mark.parametrize("executor", ["serial", "processes", "dask"])
def test_every_item_comes_back_once(executor):
    if executor == "dask":
        pytest.importorskip("distributed")
    with open_pool(executor, workers=2) as pool:
        got = list(pool.imap_unordered(square, range(300)))
        again = list(pool.imap_unordered(square, range(7), max_chunk=1))  # a pool runs several maps
    assert sorted(got) == [x * x for x in range(300)]
    assert sorted(again) == [x * x for x in range(7)]


def test_chunked_runs_on_a_local_dask_cluster_match_serial_runs():
    pytest.importorskip("distributed")
    variants = resolve_all(["baseline", "no_policy"], months=3, firms=30)
    tasks = make_tasks(variants, list(range(1, 13)))  # 24 short runs: sent in chunks after the first few

    def frame(outcomes):
        rows = [{"key": o.task.key, **o.summary} for o in outcomes]
        assert all(o.ok for o in outcomes)
        return pd.DataFrame(rows).sort_values("key").reset_index(drop=True)

    serial = list(execute(tasks, "serial"))
    dask = list(execute(tasks, "dask", workers=2))
    assert sorted(o.task.key for o in dask) == sorted(t.key for t in tasks)
    pd.testing.assert_frame_equal(frame(dask), frame(serial))
    by_key = {o.task.key: o for o in serial}
    for o in dask:
        pd.testing.assert_frame_equal(o.metrics, by_key[o.task.key].metrics)
