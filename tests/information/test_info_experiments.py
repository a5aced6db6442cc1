"""The information experiment scripts run end to end on a tiny size and write their tables and figures."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pandas as pd

EXPERIMENTS = Path(__file__).resolve().parents[2] / "experiments"


def _load(name: str):
    spec = importlib.util.spec_from_file_location(f"exp_{name}", EXPERIMENTS / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_brokers_experiment_writes_paired_table_and_figure(tmp_path) -> None:
    """Team counts scale with the model's size; the table holds paired differences against 0 teams."""
    brokers = _load("brokers")
    variants = brokers.team_variants(1000)
    assert [v.overrides["brokers.teams"] for v in variants] == [0, 2, 5, 8, 12, 15, 20]
    brokers.TEAM_COUNTS = (0, 242)
    brokers.main(seeds=2, months=12, firms="200", executor="serial", out=tmp_path)
    table = pd.read_csv(tmp_path / "brokers.csv")
    assert (tmp_path / "brokers.png").stat().st_size > 0
    visits = table[table["metric"] == "total_visits"].set_index("scenario")
    assert visits.loc["0 teams", "diff"] == 0
    assert visits.loc["242 teams", "diff"] > 0


def test_data_platform_experiment_defines_tiers_and_accuracy_levels() -> None:
    """Five tier variants (none, each alone, all) and accuracy levels from noise to near-perfect."""
    dp = _load("data_platforms")
    names = [v.name for v in dp.TIERS]
    assert names == ["no platforms", "provincial only", "municipal only", "district only", "all three"]
    acc = dp.accuracy_variants()
    assert acc[0].overrides["platforms.accuracy"] == 0.0 and acc[-1].overrides["platforms.accuracy"] > 0.95
    assert all(v.overrides["platforms.district"] is False for v in acc)
