"""Bad scenario files and command-line values are refused with one line naming the field, never a traceback.

The cases are generated from the scenario schema (every lever) plus the
structural ones (broken, binary and non-UTF-8 files, ``extends``, options);
the default suite runs a fixed sample, ``-m slow`` runs all of them.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from ecosim.scenario import parameter_table
from .cases import all_cases, default_sample, lever_cases
from .fuzz import judge, judge_all

CASES = all_cases()
SAMPLE = default_sample(CASES)


def test_the_fuzz_covers_every_lever_and_has_over_a_thousand_cases():
    levers = {row["path"] for row in parameter_table()}
    covered = {c.expect for c in lever_cases()}
    assert covered == levers
    assert len(CASES) >= 1000
    assert len(SAMPLE) >= 200


@pytest.mark.parametrize("case", SAMPLE, ids=[c.name for c in SAMPLE])
def test_a_bad_input_is_refused_in_one_line_naming_the_field(case, tmp_path):
    verdict = judge(case, tmp_path)
    assert verdict.outcome == "ok", verdict.explain()


@pytest.mark.slow
def test_every_generated_bad_input_is_refused_in_one_line():
    verdicts = judge_all(CASES)
    bad = [v.explain() for v in verdicts if v.outcome != "ok"]
    assert not bad, f"{len(bad)} of {len(CASES)} cases failed:\n" + "\n".join(bad[:50])


@pytest.mark.parametrize("content", [bytes(range(256)) * 4, "name = 'caf\u00e9'\n".encode("latin-1")],
                         ids=["binary", "latin1"])
def test_the_installed_command_refuses_an_unreadable_file_in_one_line(tmp_path, content):
    bad = tmp_path / "bad.toml"
    bad.write_bytes(content)
    exe = Path(sys.executable).with_name("ecosim")
    proc = subprocess.run([str(exe), "run", str(bad), "--out", str(tmp_path / "out")], capture_output=True,
                          text=True, timeout=120)
    assert proc.returncode == 2
    assert len(proc.stderr.strip().splitlines()) == 1 and "bad.toml" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_a_scenario_named_with_tex_and_markup_characters_runs_and_writes_every_file(tmp_path):
    scenario = tmp_path / "odd.toml"
    scenario.write_text('extends = "baseline"\nname = "a$b$ \\\\$ [bold]x[/] <i>"\n', encoding="utf-8")
    from typer.testing import CliRunner

    from ecosim.cli import app

    result = CliRunner().invoke(app, ["run", str(scenario), "--months", "2", "--firms", "10", "--quiet",
                                      "--out", str(tmp_path / "out")])
    assert result.exit_code == 0, result.stderr
    assert (tmp_path / "out" / "dashboard.png").is_file() and (tmp_path / "out" / "run.json").is_file()


def test_names_and_paths_with_markup_are_printed_as_text(tmp_path):
    """A scenario name or folder with rich markup (even unbalanced) is shown literally and breaks nothing."""
    from typer.testing import CliRunner

    from ecosim.cli import app

    scenario = tmp_path / "odd.toml"
    scenario.write_text('extends = "baseline"\nname = "odd [/] [bold]"\n', encoding="utf-8")
    out = tmp_path / "o'brien [x] [/]"
    result = CliRunner().invoke(app, ["run", str(scenario), "--months", "2", "--firms", "10", "--quiet",
                                      "--out", str(out)])
    assert result.exit_code == 0, result.stderr
    assert "odd [/] [bold]" in result.stdout and "[x] [/]" in result.stdout.replace("\n", "")
    result = CliRunner().invoke(app, ["compare", str(scenario), "--seeds", "1", "--months", "2", "--firms", "10",
                                      "--executor", "serial", "--quiet", "--out", str(out / "cmp")])
    assert result.exit_code == 0, result.stderr
    result = CliRunner().invoke(app, ["results", str(out / "cmp")])
    assert result.exit_code == 0 and "odd" in result.stdout  # a markup error would exit 1
