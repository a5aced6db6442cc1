"""The public API at the package top, and the runnable examples in its docstrings."""

from __future__ import annotations

import doctest
import importlib

import pytest

import ecosim

#: Modules whose docstring examples are run as tests.
DOCTESTED = ("ecosim.api", "ecosim.model")


@pytest.mark.parametrize("name", DOCTESTED)
def test_docstring_examples_run(name):
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0, f"{name} has no examples"
    assert result.failed == 0


def test_every_public_function_of_the_api_has_an_example():
    for name in ("run", "compare", "load_scenario"):
        assert ">>>" in getattr(ecosim, name).__doc__, name
    assert ">>>" in ecosim.EcosystemModel.__doc__


def test_the_package_top_exposes_the_api():
    from ecosim.experiments import compare as engine_compare
    from ecosim.model import EcosystemModel

    assert ecosim.EcosystemModel is EcosystemModel
    assert set(ecosim.__all__) >= {"run", "compare", "load_scenario", "EcosystemModel", "__version__"}
    assert {"run", "compare", "EcosystemModel"} <= set(dir(ecosim))
    assert ecosim.compare is not engine_compare  # the API's compare takes plug-ins as plain arguments
    with pytest.raises(AttributeError, match="no attribute 'nonsense'"):
        ecosim.nonsense  # noqa: B018


def test_run_returns_metrics_firms_and_events():
    res = ecosim.run("baseline", seed=3, firms=120, months=6, overrides={"exemption.enabled": False})
    assert res.scenario.exemption.enabled is False and res.scenario.run.firms == 120
    assert len(res.metrics) == 6
    assert len(res.firms) == res.summary["firms_ever"]
    assert {"month", "kind", "firm_id"} <= set(res.events.columns)
    again = ecosim.run(res.scenario, seed=3)
    assert again.metrics.equals(res.metrics)  # a scenario object runs as it is; the same seed repeats


def test_run_writes_its_files(tmp_path):
    res = ecosim.run("baseline", seed=1, firms=60, months=2)
    out = res.write(tmp_path / "run")
    assert {"metrics.csv", "firms.parquet", "events.parquet", "run.json", "dashboard.png"} <= {
        p.name for p in out.iterdir()}


def test_all_lists_exactly_the_lazy_exports():
    assert set(ecosim.__all__) - {"__version__"} == set(ecosim._EXPORTS)
