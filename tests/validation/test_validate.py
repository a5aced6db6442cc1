"""The scorecard: per-target mean with a CI, pass/fail/not available, files, and the exit status."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from ecosim.validation.validate import FAIL, MISSING, PASS, Target, load_targets, mean_ci, run_validation, score


def _target(**kw) -> Target:
    base = dict(id="t", name="t", quantity="q", low=0.4, high=0.5, tolerance=0.05, unit="share", source="s",
                scaling="s")
    base.update(kw)
    return Target(**base)


def test_score_classifies_pass_fail_and_not_available():
    targets = [_target(id="inside", quantity="a"), _target(id="outside", quantity="b"),
               _target(id="missing", quantity="c")]
    runs = pd.DataFrame({"seed": [1, 2, 3], "a": [0.52, 0.53, 0.54], "b": [0.6, 0.61, 0.62],
                         "c": [np.nan] * 3})
    runs.attrs["missing"] = {"c": "summary key 'c' is not produced"}
    card = score(targets, runs, "demo")
    status = dict(zip(card.table["id"], card.table["status"], strict=True))
    assert status == {"inside": PASS, "outside": FAIL, "missing": MISSING}
    assert not card.passed and card.failures == ["outside", "missing"]
    note = card.table.set_index("id").loc["missing", "note"]
    assert "not produced" in note


def test_mean_ci_is_a_t_interval():
    m, lo, hi = mean_ci(np.array([1.0, 2.0, 3.0, 4.0]))
    assert m == pytest.approx(2.5)
    assert hi - m == pytest.approx(3.182446 * np.std([1, 2, 3, 4], ddof=1) / 2, rel=1e-5)
    assert m - lo == pytest.approx(hi - m)


@pytest.fixture(scope="module")
def small_card():
    return run_validation("baseline", seeds=2, firms=300, months=36, workers=1)


def test_validation_scores_every_target_and_flags_short_horizons(small_card, tmp_path):
    card = small_card
    assert list(card.table["id"]) == [t.id for t in load_targets()]
    assert len(card.runs) == 2
    # Ten-year survival is seen in 36 months through the initial population's old firms (delayed entry).
    row = card.table.set_index("id").loc["survival_10y"]
    assert row["n"] == 2 and 0.0 <= row["mean"] <= 1.0
    ok = card.table[card.table["n"] == 2]
    assert (ok["ci_low"] <= ok["mean"]).all() and (ok["mean"] <= ok["ci_high"]).all()
    card.to_csv(tmp_path / "s.csv")
    card.plot(tmp_path / "s.png")
    assert pd.read_csv(tmp_path / "s.csv").shape[0] == len(card.table)
    assert (tmp_path / "s.png").stat().st_size > 10_000


def test_validate_command_writes_files_and_exits_non_zero_on_failure(tmp_path):
    from ecosim.cli import app

    out = tmp_path / "v"
    res = CliRunner().invoke(app, ["validate", "--seeds", "2", "--firms", "200", "--months", "24",
                                   "--workers", "1", "--out", str(out)])
    assert res.exit_code == 1, res.output
    assert "not passing:" in res.output  # 24 months of 200 firms cannot match every target
    for name in ("scorecard.csv", "scorecard.png", "runs.csv"):
        assert (out / name).exists()
    assert sorted(pd.read_csv(out / "runs.csv")["seed"]) == [1, 2]


def test_validate_command_scores_fresh_seeds_from_first_seed(tmp_path):
    """``--first-seed 21`` scores seeds 21, 22, ...: a check on seeds a calibration did not see."""
    from ecosim.cli import app

    out = tmp_path / "v"
    CliRunner().invoke(app, ["validate", "--seeds", "2", "--first-seed", "21", "--firms", "150", "--months", "12",
                             "--workers", "1", "--out", str(out)])
    assert sorted(pd.read_csv(out / "runs.csv")["seed"]) == [21, 22]


def test_validate_command_rejects_bad_input_in_one_line():
    from ecosim.cli import app

    res = CliRunner().invoke(app, ["validate", "--seeds", "2", "--firms", "lots"])
    assert res.exit_code == 2
    assert "firms = 'lots'" in res.output
