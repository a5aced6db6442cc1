"""The fund-cluster experiment script runs end to end on the experiment API and writes its table and figure."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pandas as pd

SCRIPT = Path(__file__).resolve().parents[2] / "experiments" / "fund_cluster.py"


def test_fund_cluster_experiment_writes_table_and_figure(tmp_path, monkeypatch) -> None:
    """Two seeds at a tiny size (three of the variants): every variant and metric is in the table, and the
    cluster costs public money."""
    spec = importlib.util.spec_from_file_location("fund_cluster", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert [v.name for v in module.VARIANTS] == ["no_funds", "cluster_default", "cluster_larger_n", "gov_share_20",
                                                 "gov_share_40"]
    monkeypatch.setattr(module, "VARIANTS", module.VARIANTS[:3])
    module.main(seeds=2, months=12, firms="150", executor="serial", out=tmp_path)
    table = pd.read_csv(tmp_path / "fund_cluster.csv")
    assert (tmp_path / "fund_cluster.png").stat().st_size > 0
    assert set(table["scenario"]) == {v.name for v in module.VARIANTS}
    assert set(table["metric"]) == set(module.METRICS)
    spend = table[table["metric"] == "total_public_spending"].set_index("scenario")
    assert spend.loc["cluster_default", "diff"] > 0
    assert spend.loc["cluster_larger_n", "mean"] > spend.loc["cluster_default", "mean"]
