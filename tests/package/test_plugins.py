"""Plug-in phases and metrics reach every run of an experiment, by import path or as objects, on any executor."""

from __future__ import annotations

import textwrap

import pytest
from typer.testing import CliRunner

import ecosim
from ecosim.cli import app
from ecosim.experiments.tasks import make_tasks
from ecosim.experiments.variants import resolve_all
from ecosim.plugins import PhasePlugin, PluginError, Plugins

PLUGIN_MODULE = '''
"""A test plug-in: a phase that halves the burn of operating startups, and metrics."""
import numpy as np


def lean_startups(model):
    model.firms.burn[model.alive] *= 0.5
    model.lean_calls = getattr(model, "lean_calls", 0) + 1


def lean_calls(model):
    return getattr(model, "lean_calls", 0)


def burn_figures(model):
    return {"mean_burn": float(np.mean(model.firms.burn[model.alive])), "operating": len(model.alive)}
'''


@pytest.fixture
def plugin_module(tmp_path, monkeypatch):
    """A module ``ecosim_test_plugin`` importable here and in spawned workers (they inherit ``sys.path``)."""
    (tmp_path / "ecosim_test_plugin.py").write_text(textwrap.dedent(PLUGIN_MODULE))
    monkeypatch.syspath_prepend(str(tmp_path))
    return "ecosim_test_plugin"


def test_phase_goes_where_it_is_told():
    from ecosim.credit.lending import lend
    from ecosim.model import EcosystemModel

    def marker(model):
        pass

    for where, offset in (("before:lend", -1), ("after:lend", 1)):
        model = EcosystemModel(firms=60, months=1)
        Plugins.of([(marker, where)]).apply(model)
        assert model.phases.index(marker) == model.phases.index(lend) + offset
    model = EcosystemModel(firms=60, months=1)
    Plugins.of([(marker, "start")]).apply(model)
    assert model.phases[0] is marker


@pytest.mark.parametrize(("spec", "message"), [
    ("nomodule_xyz:fn@end", "cannot import nomodule_xyz"),
    ("ecosim.model:no_such_fn", "has no attribute no_such_fn"),
    ("ecosim.model:MONTH@end", "is not a function"),
    ("ecosim.model:budget@before:nonsense", "no phase 'nonsense' in the month"),
    ("ecosim.model:budget@sideways", "where must be start, end"),
    ("just_a_name", "give it as package.module:function"),
])
def test_bad_plugins_fail_in_one_line_before_any_run(spec, message):
    with pytest.raises(PluginError, match=message):
        Plugins.of([spec]).check()


def test_plugins_are_part_of_the_run_key():
    variants = resolve_all(["baseline"], months=2, firms=60)
    plain = make_tasks(variants, [1])[0]
    with_phase = make_tasks(variants, [1], Plugins.of(["ecosim.model:budget@end"]))[0]
    assert plain.key != with_phase.key
    assert with_phase.plugins.key == "phase=ecosim.model:budget@end"


def test_run_with_a_phase_and_metrics_given_as_objects(plugin_module):
    import importlib

    mod = importlib.import_module(plugin_module)
    base = ecosim.run("baseline", seed=2, firms=100, months=6)
    lean = ecosim.run("baseline", seed=2, firms=100, months=6, phases=[(mod.lean_startups, "before:lend")],
                      metric_fns=[mod.lean_calls, mod.burn_figures])
    assert lean.summary["lean_calls"] == 6
    assert {"mean_burn", "operating"} <= set(lean.summary)
    assert "lean_calls" not in base.summary
    assert lean.metrics["firms_alive"].tolist() != base.metrics["firms_alive"].tolist() or \
        lean.summary["total_new_loans"] != base.summary["total_new_loans"]


@pytest.mark.parametrize("executor", ["serial", "processes", "dask"])
def test_compare_carries_plugins_by_import_path_to_workers(plugin_module, executor, tmp_path):
    if executor == "dask":
        pytest.importorskip("distributed")
    res = ecosim.compare(["baseline", "no_policy"], seeds=2, firms=80, months=4, executor=executor, workers=2,
                         phases=[f"{plugin_module}:lean_startups@after:develop_startups"],
                         metric_fns=[f"{plugin_module}:lean_calls"], metrics=["lean_calls", "firms_alive"],
                         out=tmp_path / executor, progress=False)
    assert res.report.ok, res.failures
    assert (res.runs["lean_calls"] == 4).all()
    assert set(res.table["metric"]) == {"lean_calls", "firms_alive"}
    if executor != "serial":
        serial = ecosim.compare(["baseline", "no_policy"], seeds=2, firms=80, months=4, executor="serial",
                                phases=[f"{plugin_module}:lean_startups@after:develop_startups"],
                                metric_fns=[f"{plugin_module}:lean_calls"], progress=False)
        assert serial.runs["firms_alive"].tolist() == res.runs["firms_alive"].tolist()


def test_command_line_phase_and_metric_options(plugin_module, tmp_path):
    runner = CliRunner()
    out = tmp_path / "cmp"
    result = runner.invoke(app, ["compare", "baseline", "--seeds", "2", "--firms", "60", "--months", "3",
                                 "--executor", "serial", "--quiet", "--out", str(out),
                                 "--phase", f"{plugin_module}:lean_startups@before:lend",
                                 "--metric-fn", f"{plugin_module}:lean_calls", "--metric", "lean_calls"])
    assert result.exit_code == 0, result.output
    assert "lean_calls" in result.output
    bad = runner.invoke(app, ["sweep", "baseline", "--param", "pool.share=0.2,0.4", "--seeds", "1",
                              "--phase", "nomodule_xyz:fn", "--out", str(tmp_path / "sw")])
    assert bad.exit_code == 2 and "cannot import nomodule_xyz" in bad.output
    run = runner.invoke(app, ["run", "baseline", "--firms", "60", "--months", "2", "--quiet",
                              "--out", str(tmp_path / "run"), "--metric-fn", f"{plugin_module}:burn_figures"])
    assert run.exit_code == 0, run.output
    assert "mean_burn" in run.output


def test_phase_plugin_parses_the_command_line_form():
    p = PhasePlugin.parse("pkg.mod:fn@after:invest")
    assert (p.function, p.where, p.spec) == ("pkg.mod:fn", "after:invest", "pkg.mod:fn@after:invest")
    assert PhasePlugin.parse("pkg.mod:fn").where == "end"


def test_plugins_given_as_objects_reach_process_workers(plugin_module, tmp_path):
    import importlib

    mod = importlib.import_module(plugin_module)
    res = ecosim.compare(["baseline"], seeds=2, firms=80, months=3, executor="processes", workers=2,
                         phases=[(mod.lean_startups, "before:lend")], metric_fns=[mod.burn_figures],
                         metrics=["mean_burn"], out=tmp_path / "objects", progress=False)
    assert res.report.ok, res.failures
    assert res.runs["mean_burn"].notna().all() and (res.runs["operating"] > 0).all()
