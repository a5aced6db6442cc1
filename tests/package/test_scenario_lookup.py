"""Scenarios ship inside the package and are found by name; user folders are searched first."""

from __future__ import annotations

import importlib.resources

import pytest
from typer.testing import CliRunner

from ecosim.cli import app
from ecosim.scenario import SCENARIO_DIR, SCENARIO_PATH_VAR, ScenarioError, load_scenario, scenario_dirs

USER_SCENARIO = """extends = "baseline"
name = "cheap_guarantees"
[guarantee]
fee_rate = 0.004
"""


def test_bundled_scenarios_are_package_resources():
    folder = importlib.resources.files("ecosim") / "scenarios"
    names = {p.name for p in folder.iterdir()}
    assert {"baseline.toml", "no_policy.toml", "calibrated.toml"} <= names
    assert SCENARIO_DIR.samefile(str(folder))
    assert load_scenario("baseline").name == "baseline"


def test_the_environment_variable_adds_folders_searched_first(tmp_path, monkeypatch):
    (tmp_path / "cheap_guarantees.toml").write_text(USER_SCENARIO)
    with pytest.raises(ScenarioError, match="scenario 'cheap_guarantees' not found"):
        load_scenario("cheap_guarantees")
    monkeypatch.setenv(SCENARIO_PATH_VAR, str(tmp_path))
    assert scenario_dirs() == [tmp_path, SCENARIO_DIR]
    sc = load_scenario("cheap_guarantees")
    assert sc.guarantee.fee_rate == 0.004 and sc.pool == load_scenario("baseline").pool
    with pytest.raises(ScenarioError, match=r"known scenarios \(baseline, calibrated, cheap_guarantees, downturn, no_policy\)"):
        load_scenario("nothing_here")


def test_scenario_dir_option_of_the_command_line(tmp_path, monkeypatch):
    monkeypatch.delenv(SCENARIO_PATH_VAR, raising=False)
    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / "cheap_guarantees.toml").write_text(USER_SCENARIO)
    runner = CliRunner()
    out = tmp_path / "run"
    result = runner.invoke(app, ["--scenario-dir", str(folder), "run", "cheap_guarantees", "--firms", "60",
                                 "--months", "2", "--quiet", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "cheap_guarantees" in result.output and (out / "run.json").exists()
    missing = runner.invoke(app, ["--scenario-dir", str(tmp_path / "nope"), "params"])
    assert missing.exit_code == 2 and "not a folder" in missing.output
