"""Policies are data: scenarios load, extend, validate and fail with one-line messages."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from ecosim.model import EcosystemModel
from ecosim.scenario import SIZE_PRESETS, Scenario, ScenarioError, load_scenario, parameter_table


def test_model_builds_with_defaults_and_runs_ten_steps() -> None:
    """The Mesa model builds from schema defaults alone and runs ten months."""
    model = EcosystemModel(Scenario(run={"firms": 200}), rng=0)
    for _ in range(10):
        model.step()
    assert model.month == 10
    frame = model.metrics_frame()
    assert len(frame) == 10
    assert frame["firms_alive"].iloc[-1] > 0
    assert len(model.agents) > 200  # startups' handles and the institutions are Mesa agents


def test_no_policy_extends_baseline_and_switches_instruments_off() -> None:
    """no_policy inherits the baseline economy and turns each pilot-zone instrument off."""
    base = load_scenario("baseline")
    none = load_scenario("no_policy")
    assert none.firms == base.firms
    assert base.guarantee.enabled and not none.guarantee.enabled
    assert base.pool.enabled and not none.pool.enabled
    assert base.exemption.enabled and not none.exemption.enabled
    assert base.funds.enabled and not none.funds.enabled


def test_jinan_preset() -> None:
    """The jinan size preset is 20,000 startups."""
    assert SIZE_PRESETS["jinan"] == 20_000
    assert load_scenario("baseline", firms="jinan").run.firms == 20_000


@pytest.mark.parametrize(
    ("override", "words"),
    [
        (["guarantee.share_bank=1.5"], ["guarantee.share_bank"]),
        (["pool.share=-0.1"], ["pool.share", "0"]),
        (["banks.no_such_lever=1"], ["banks.no_such_lever"]),
        (["run.months=abc"], ["run.months"]),
        (["nosection.x=1"], ["nosection"]),
    ],
)
def test_bad_values_are_rejected_with_one_line(override: list[str], words: list[str]) -> None:
    """Unknown keys, wrong types and out-of-range values raise ScenarioError naming the key."""
    with pytest.raises(ScenarioError) as info:
        load_scenario("baseline", override)
    msg = str(info.value)
    assert "\n" not in msg
    for w in words:
        assert w in msg


def test_guarantee_split_must_sum_to_one() -> None:
    """A risk split that does not sum to 1 is refused."""
    with pytest.raises(ScenarioError, match="sum"):
        load_scenario("baseline", ["guarantee.share_national=0.5"])


def test_bad_scenario_via_cli_gives_one_line_and_no_traceback(tmp_path: Path) -> None:
    """`ecosim run` on a bad file prints one error line, no traceback, and exits non-zero before running."""
    bad = tmp_path / "bad.toml"
    bad.write_text('extends = "baseline"\n[pool]\nshare = 2.5\n')
    out = tmp_path / "out"
    proc = subprocess.run([sys.executable, "-m", "ecosim", "run", str(bad), "--out", str(out)],
                          capture_output=True, text=True)
    assert proc.returncode != 0
    err = proc.stderr.strip()
    assert "Traceback" not in proc.stderr + proc.stdout
    assert "pool.share" in err
    assert len(err.splitlines()) == 1
    assert not out.exists()


def test_every_parameter_has_unit_range_and_doc() -> None:
    """Every lever declares a unit and a docstring; numeric levers declare their range."""
    rows = parameter_table()
    assert len(rows) > 50
    for row in rows:
        assert row["unit"], row["path"]
        assert row["description"], row["path"]
        if isinstance(row["default"], (int, float)) and not isinstance(row["default"], bool):
            assert row["min"] is not None or row["max"] is not None, row["path"]
