"""A run's numbers do not depend on the executor, the number of workers or the order runs finish."""

from __future__ import annotations

import pandas as pd
import pytest

from ecosim.experiments import compare

KW = dict(seeds=2, months=12, firms=150, progress=False, metrics=["survival_share", "total_new_loans"])
SCENARIOS = ["baseline", "no_policy"]


def _key_columns(res):
    runs = res.runs.drop(columns=["wall_seconds", "host", "finished_at", "git_commit"])
    return runs.sort_values("key").reset_index(drop=True), res.monthly().sort_values(
        ["scenario", "seed", "month"]).reset_index(drop=True)


@pytest.fixture(scope="module")
def serial():
    return _key_columns(compare(SCENARIOS, executor="serial", **KW))


def test_processes_give_identical_results(serial):
    runs, monthly = _key_columns(compare(SCENARIOS, executor="processes", workers=2, **KW))
    pd.testing.assert_frame_equal(runs, serial[0])
    pd.testing.assert_frame_equal(monthly, serial[1])


def test_dask_cluster_gives_identical_results(serial):
    distributed = pytest.importorskip("distributed")
    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, dashboard_address=None, scheduler_port=0)
    try:
        runs, monthly = _key_columns(compare(SCENARIOS, scheduler=cluster.scheduler_address, **KW))
    finally:
        cluster.close()
    pd.testing.assert_frame_equal(runs, serial[0])
    pd.testing.assert_frame_equal(monthly, serial[1])


def test_unknown_executor_is_a_one_line_error():
    with pytest.raises(ValueError, match="executor = 'threads'"):
        compare(SCENARIOS, executor="threads", **KW)
