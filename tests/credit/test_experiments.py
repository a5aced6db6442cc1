"""The credit experiment scripts run end to end on a tiny setting and write their table and figure."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("script", ["due_diligence_exemption.py", "risk_sharing.py"])
def test_experiment_script_writes_table_and_figure(script: str, tmp_path: Path) -> None:
    """Each script compares its scenarios on shared seeds and writes table.csv (with CIs) and figure.png."""
    spec = importlib.util.spec_from_file_location(script[:-3], ROOT / "experiments" / script)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    out = tmp_path / "res"
    mod.main(["--seeds", "2", "--months", "6", "--firms", "100", "--executor", "serial", "--out", str(out)])
    table = pd.read_csv(out / "table.csv")
    assert {"metric", "scenario", "mean", "ci_low", "ci_high", "diff", "diff_low", "diff_high"} <= set(table.columns)
    assert set(table["scenario"]) == {s if isinstance(s, str) else s.name for s in mod.SCENARIOS}
    assert (out / "figure.png").stat().st_size > 0
