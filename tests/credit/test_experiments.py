"""The credit experiment scripts run end to end on a tiny setting and write their table and figure."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parents[2]


def _load(script: str):
    spec = importlib.util.spec_from_file_location(script[:-3], ROOT / "experiments" / script)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def _check(folder: Path, scenarios) -> None:
    table = pd.read_csv(folder / "table.csv")
    assert {"metric", "scenario", "mean", "ci_low", "ci_high", "diff", "diff_low", "diff_high"} <= set(table.columns)
    assert set(table["scenario"]) == {s if isinstance(s, str) else s.name for s in scenarios}
    assert (folder / "figure.png").stat().st_size > 0


def test_exemption_script_writes_table_and_figure(tmp_path: Path) -> None:
    """The exemption script compares its scenarios on shared seeds and writes table.csv (with CIs) and figure.png."""
    mod = _load("due_diligence_exemption.py")
    out = tmp_path / "res"
    mod.main(["--seeds", "2", "--months", "6", "--firms", "100", "--executor", "serial", "--out", str(out)])
    _check(out, mod.SCENARIOS)


def test_risk_sharing_script_compares_normal_times_and_a_downturn(tmp_path: Path) -> None:
    """The risk-sharing script writes one table and figure for normal times and one for the downturn."""
    mod = _load("risk_sharing.py")
    out = tmp_path / "res"
    mod.main(["--seeds", "2", "--months", "40", "--firms", "100", "--executor", "serial", "--out", str(out)])
    _check(out / "normal", mod.NORMAL)
    _check(out / "downturn", mod.DOWNTURN)
    table = pd.read_csv(out / "downturn" / "table.csv")
    assert "guarantor_exhausted_month" in set(table["metric"])
