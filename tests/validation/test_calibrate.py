"""Calibration: the set-up is checked, the distance is the simulated-moments distance, the history resumes."""

from __future__ import annotations

import tomllib

import pytest

from ecosim.scenario import ScenarioError, load_scenario
from ecosim.validation.calibrate import (
    MISSING_PENALTY,
    CalibrationSetup,
    FreeParameter,
    calibrate,
    distance,
    load_setup,
)
from ecosim.validation.validate import Target


def test_shipped_setup_calibrates_firm_and_credit_parameters_together():
    """The firm life cycle and credit risk are calibrated jointly, each free parameter against its moments."""
    setup = load_setup()
    assert {"survival_1y", "survival_3y", "survival_5y", "survival_10y"} <= set(setup.moments)
    assert {"npl_stock", "risk_based_pricing", "loan_size_data_credit", "loan_size_guaranteed"} <= set(setup.moments)
    free = {fp.path for fp in setup.free}
    assert {"firms.first_sale_rate", "firms.bridge_probability", "firms.stage_hazard_ratio"} <= free
    assert {"risk.shock_rate", "banks.risk_premium", "guarantee.line_per_employee"} <= free


def test_setup_errors_are_one_line(tmp_path):
    bad = tmp_path / "c.toml"
    bad.write_text('moments = ["survival_5y"]\n[[free]]\npath = "firms.no_such"\nlow = 0\nhigh = 1\n')
    with pytest.raises(ScenarioError, match="'firms.no_such' is not a scenario parameter"):
        load_setup(bad)
    bad.write_text('moments = ["survival_5y"]\n[[free]]\npath = "firms.apply_probability"\nlow = 0.5\nhigh = 2\n')
    with pytest.raises(ScenarioError, match="inside its range 0..1"):
        load_setup(bad)
    bad.write_text('moments = ["nope"]\n[[free]]\npath = "firms.apply_probability"\nlow = 0.5\nhigh = 1\n')
    with pytest.raises(ScenarioError, match="moment 'nope' is not a target id"):
        load_setup(bad)


def test_distance_weights_each_moment_by_its_band():
    t = Target(id="a", name="a", quantity="q", low=0.4, high=0.6, tolerance=0.1, unit="u", source="s", scaling="s")
    # centre 0.5, half-band 0.2: a value one half-band away costs 1.
    assert distance({"a": 0.7}, [t]) == pytest.approx(1.0)
    assert distance({"a": 0.5}, [t]) == pytest.approx(0.0)
    assert distance({"a": float("nan")}, [t]) == MISSING_PENALTY


def test_calibration_starts_from_the_scenario_resumes_and_writes_a_loadable_scenario(tmp_path):
    setup = CalibrationSetup(
        moments=["credit_access"],
        free=[FreeParameter(path="firms.apply_probability", low=0.2, high=1.0)],
    )
    history = tmp_path / "h.db"
    out = tmp_path / "calibrated.toml"
    kw = dict(seeds=1, firms=150, months=18, setup=setup, history=history, out=out, workers=1)
    first = calibrate(budget=2, **kw)
    start = load_scenario("baseline").firms.apply_probability
    assert first.start_params["firms.apply_probability"] == pytest.approx(start)
    assert len(first.history) == 2
    again = calibrate(budget=3, **kw)  # resumes: only one more evaluation
    assert len(again.history) == 3
    assert list(again.history["number"]) == [0, 1, 2]
    assert again.best_distance <= again.start_distance
    data = tomllib.loads(out.read_text())
    assert set(data["firms"]) == {"apply_probability"}
    assert 0.2 <= data["firms"]["apply_probability"] <= 1.0
    # written at full precision, so the scenario reproduces the best evaluation's runs exactly
    assert data["firms"]["apply_probability"] == again.best_params["firms.apply_probability"]
    sc = load_scenario(out)
    assert sc.firms.apply_probability == pytest.approx(data["firms"]["apply_probability"])
    assert (tmp_path / "h.csv").exists()


def test_calibration_runs_on_seeds_apart_from_the_validations(tmp_path, monkeypatch):
    """By default a calibration never evaluates on seeds 1..N, which ``ecosim validate`` scores."""
    import ecosim.validation.calibrate as cal

    used: list[list[int]] = []
    real = cal.measure_seeds

    def recording(sc, seeds, *args, **kwargs):
        used.append(list(seeds))
        return real(sc, seeds, *args, **kwargs)

    monkeypatch.setattr(cal, "measure_seeds", recording)
    setup = CalibrationSetup(moments=["credit_access"],
                             free=[FreeParameter(path="firms.apply_probability", low=0.2, high=1.0)])
    kw = dict(seeds=2, firms=150, months=12, setup=setup, workers=1)
    out = tmp_path / "c.toml"
    calibrate(budget=1, history=tmp_path / "a.db", out=out, **kw)
    assert used[-1] == [cal.FIRST_SEED, cal.FIRST_SEED + 1]
    assert f"2 seeds ({cal.FIRST_SEED}-{cal.FIRST_SEED + 1})" in out.read_text()
    calibrate(budget=1, history=tmp_path / "b.db", out=None, first_seed=7, **kw)
    assert used[-1] == [7, 8]
    with pytest.raises(ScenarioError, match="first_seed = -1"):
        calibrate(budget=1, history=tmp_path / "c.db", out=None, first_seed=-1, **kw)


def test_cli_calibrates_from_the_same_first_seed_by_default():
    import inspect

    from ecosim.validation import calibrate as cal
    from ecosim.validation.cli import register

    import typer

    app = typer.Typer()
    register(app)
    command = next(c for c in app.registered_commands if c.callback.__name__ == "calibrate")
    default = inspect.signature(command.callback).parameters["first_seed"].default
    assert default == cal.FIRST_SEED


def test_a_partial_calibration_fits_only_the_named_parameters_and_keeps_the_files_other_values(tmp_path):
    """``only``: the other free parameters keep their values in the search and in the file written."""
    setup = CalibrationSetup(
        moments=["credit_access"],
        free=[FreeParameter(path="firms.apply_probability", low=0.2, high=1.0),
              FreeParameter(path="firms.entry_rate", low=0.008, high=0.02)],
    )
    out = tmp_path / "calibrated.toml"
    out.write_text('# Date: 2026-01-01. Base scenario: baseline.\n# Distance J: 9.000 before, 8.000 after.\n'
                   'description = "x"\n[firms]\napply_probability = 0.5\nentry_rate = 0.0125\n'
                   '[banks]\nrisk_premium = 0.7\n', encoding="utf-8")
    res = calibrate(budget=2, seeds=1, firms=150, months=12, setup=setup, history=tmp_path / "h.db", out=out,
                    workers=1, only=["firms.entry_rate"])
    assert set(res.best_params) == {"firms.entry_rate"}
    data = tomllib.loads(out.read_text())
    assert data["firms"]["apply_probability"] == 0.5 and data["banks"]["risk_premium"] == 0.7  # kept
    assert data["firms"]["entry_rate"] == res.best_params["firms.entry_rate"]
    text = out.read_text()
    assert "Partial calibration: only firms.entry_rate" in text
    assert "# Kept from the calibration before: Distance J: 9.000 before, 8.000 after." in text
    # A second partial calibration keeps the first one's record and the record it had kept.
    first_distance = next(line for line in text.splitlines() if line.startswith("# Distance J:"))
    calibrate(budget=1, seeds=1, firms=150, months=12, setup=setup, history=tmp_path / "h2.db", out=out,
              workers=1, only=["firms.apply_probability"])
    lines = out.read_text().splitlines()
    assert "# Kept from the calibration before: " + first_distance.removeprefix("# ") in lines
    assert "# Kept from the calibration before: Partial calibration: only firms.entry_rate re-fitted; the other " \
           "values are kept." in lines
    assert "# Kept from the calibration before: Distance J: 9.000 before, 8.000 after." in lines
    with pytest.raises(ScenarioError, match="--only 'firms.no_such' is not a free parameter"):
        calibrate(budget=1, seeds=1, firms=150, months=12, setup=setup, history=tmp_path / "g.db", out=None,
                  workers=1, only=["firms.no_such"])
