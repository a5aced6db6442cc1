"""``ecosim params`` and the run summary: full parameter names at any width, machine formats, end/mean/peak."""

from __future__ import annotations

import csv
import io
import json

import pandas as pd
from rich.console import Console
from typer.testing import CliRunner

import ecosim.cli as cli
from ecosim.cli import app, end_mean_peak
from ecosim.scenario import parameter_table


def test_piped_table_keeps_every_parameter_name_whole():
    out = CliRunner().invoke(app, ["params"]).output
    for row in parameter_table():
        assert row["path"] in out, row["path"]


def test_a_narrow_terminal_lists_parameters_as_blocks_with_whole_names(monkeypatch):
    narrow = Console(width=40, force_terminal=True, file=io.StringIO())
    monkeypatch.setattr(cli, "console", narrow)
    assert CliRunner().invoke(app, ["params", "guarantee"]).exit_code == 0
    text = narrow.file.getvalue()
    for row in parameter_table():
        if row["path"].startswith("guarantee."):
            assert row["path"] in text, row["path"]
    assert all(len(line) <= 40 for line in text.splitlines() if not line.startswith("\x1b"))


def test_csv_and_json_carry_every_field():
    rows = [r for r in parameter_table() if r["path"].startswith("pool.")]
    got = list(csv.DictReader(io.StringIO(CliRunner().invoke(app, ["params", "pool", "--format", "csv"]).output)))
    assert [r["path"] for r in got] == [r["path"] for r in rows] and got[0]["description"] == rows[0]["description"]
    data = json.loads(CliRunner().invoke(app, ["params", "pool", "--format", "json"]).output)
    assert data[0]["default"] == rows[0]["default"] and set(data[0]) >= {"unit", "min", "max", "source"}


def test_bad_format_or_section_is_refused_in_one_line():
    bad = CliRunner().invoke(app, ["params", "--format", "xml"])
    assert bad.exit_code == 2 and "format = 'xml'" in bad.output
    bad = CliRunner().invoke(app, ["params", "nowhere"])
    assert bad.exit_code == 2 and "section = 'nowhere'" in bad.output and "guarantee" in bad.output


def test_run_summary_shows_end_mean_and_peak_where_they_differ():
    npl = pd.Series([0.0, 0.043, 0.01, 0.0024])
    assert end_mean_peak(npl, lambda v: f"{100 * v:.2f}%") == "end 0.24% · mean 1.39% · peak 4.30%"
    assert end_mean_peak(pd.Series([0.5, 0.5]), lambda v: f"{100 * v:.1f}%") == "50.0%"
