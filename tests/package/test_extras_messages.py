"""A missing optional dependency is named with the literal command that installs it."""

from __future__ import annotations

import importlib.util

from typer.testing import CliRunner

from ecosim.cli import app


def _hide(monkeypatch, module: str) -> None:
    real = importlib.util.find_spec

    def find_spec(name, *args, **kwargs):
        if name == module or name.startswith(module + "."):
            return None
        return real(name, *args, **kwargs)

    monkeypatch.setattr(importlib.util, "find_spec", find_spec)


def test_demo_without_the_viz_extra_says_what_to_install(monkeypatch):
    _hide(monkeypatch, "solara")
    result = CliRunner().invoke(app, ["demo", "--port", "8799"])
    assert result.exit_code == 2
    assert "pip install 'ecosim[viz]'" in result.output
    assert "Traceback" not in result.output


def test_dask_message_keeps_its_brackets(monkeypatch, tmp_path):
    import ecosim.experiments.executors as executors

    def no_dask(name, scheduler=None):
        raise ValueError("executor = 'dask' needs dask[distributed]: pip install 'ecosim[dask]'")

    monkeypatch.setattr(executors, "check_executor", no_dask)
    monkeypatch.setattr("ecosim.experiments.batch.check_executor", no_dask)
    result = CliRunner().invoke(app, ["compare", "baseline", "--seeds", "1", "--firms", "60", "--months", "1",
                                      "--executor", "dask", "--out", str(tmp_path / "c"), "--quiet"])
    assert result.exit_code == 2, result.output
    assert "needs dask[distributed]: pip install 'ecosim[dask]'" in result.output
