"""The baseline's Morris screening script runs end to end on a tiny setting and writes its indices."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[2]


def _load():
    path = ROOT / "experiments" / "sensitivity_baseline.py"
    spec = importlib.util.spec_from_file_location("sensitivity_baseline", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_screening_writes_one_finite_row_per_parameter_and_outcome(tmp_path: Path, capsys) -> None:
    """One row per parameter × outcome with finite μ* and CI; the exemption's effect is paired on one design."""
    mod = _load()
    out = tmp_path / "res"
    # months > 24: the NPL ratio after year 2 needs months after the second year
    mod.main(["--samples", "4", "--seeds", "1", "--firms", "150", "--months", "30", "--executor", "serial",
              "--out", str(out)])
    table = pd.read_csv(out / "sensitivity.csv")
    keys = [p.split("=")[0] for p in mod.PARAMS]
    assert "banks.officer_penalty" in keys
    assert len(table) == len(keys) * len(mod.OUTCOMES)
    assert set(zip(table["outcome"], table["param"], strict=True)) == {(o, k) for o in mod.OUTCOMES for k in keys}
    for col in ("mu_star", "mu_star_conf", "mu", "sigma"):
        assert np.isfinite(table[col]).all(), col
    assert (table["mu_star"] >= 0).all()

    outputs = pd.read_csv(out / "outputs.csv")
    assert len(outputs) == 4 * (len(keys) + 1)  # Morris: samples × (d + 1) points
    # Both variants ran the same design, and the exemption off ignores the screening an exempt officer skips:
    # the paired effect's elementary effects for that parameter are exactly those of the level.
    on, off = (pd.read_csv(out / v / "samples.csv") for v in ("on", "off"))
    pd.testing.assert_frame_equal(on, off)
    row = table.set_index(["outcome", "param"])["mu_star"]
    cut = "banks.screening_exempt_cut"
    assert np.isclose(row[("exemption_effect_credit_access", cut)], row[("mean_credit_access_rate", cut)],
                      rtol=1e-9, atol=1e-12)
    assert row[("exemption_effect_credit_access", "banks.officer_penalty")] > 0

    by_penalty = pd.read_csv(out / "by_penalty.csv")
    assert by_penalty["points"].sum() == len(outputs)
    printed = capsys.readouterr().out
    assert printed.count("| `") == len(keys)
