"""How scenario files are found and read: ``extends`` beside the file first, names never leave the folder."""

from __future__ import annotations

import pytest

from ecosim.scenario import MAX_EXTENDS_DEPTH, ScenarioError, load_scenario, read_scenario_data


def test_extends_finds_a_sibling_before_the_bundled_scenario_of_that_name(tmp_path):
    (tmp_path / "baseline.toml").write_text('extends = "no_policy"\n[pool]\nshare = 0.123\n')
    (tmp_path / "mine.toml").write_text('extends = "baseline"\n')
    sc = load_scenario(tmp_path / "mine.toml")
    assert sc.pool.share == 0.123 and not sc.exemption.enabled  # the sibling, which extends no_policy


def test_a_relative_extends_path_is_read_from_the_extending_files_folder_not_the_current_one(tmp_path, monkeypatch):
    (tmp_path / "parts").mkdir()
    (tmp_path / "parts" / "base.toml").write_text('extends = "baseline"\n[pool]\nshare = 0.2\n')
    (tmp_path / "top.toml").write_text('extends = "parts/base.toml"\n')
    monkeypatch.chdir(tmp_path / "parts")  # from here "parts/base.toml" does not exist
    assert load_scenario(tmp_path / "top.toml").pool.share == 0.2


def test_a_name_is_looked_up_only_in_the_scenario_folder(tmp_path, monkeypatch):
    (tmp_path / "stray.toml").write_text("[pool]\nshare = 0.3\n")
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ScenarioError, match="not found"):
        load_scenario("stray")  # a bare name is not a file in the current folder
    assert load_scenario("stray.toml").pool.share == 0.3  # a path is


def test_an_extends_chain_of_the_allowed_depth_is_followed_and_one_file_more_is_refused(tmp_path):
    def chain(n: int) -> None:
        for i in range(n):
            (tmp_path / f"c{i}.toml").write_text(f'extends = "c{i + 1}"\n')
        (tmp_path / f"c{n}.toml").write_text("[pool]\nshare = 0.4\n")

    chain(MAX_EXTENDS_DEPTH)  # c0 -> ... -> c32: 32 extends, the most allowed
    assert read_scenario_data(tmp_path / "c0.toml")["pool"]["share"] == 0.4
    chain(MAX_EXTENDS_DEPTH + 1)
    with pytest.raises(ScenarioError, match=f"deeper than {MAX_EXTENDS_DEPTH}"):
        read_scenario_data(tmp_path / "c0.toml")
