"""Sweeps and sensitivity: parameter specs are validated before any run, designs are right, results join."""

from __future__ import annotations

import numpy as np
import pytest
from typer.testing import CliRunner

from ecosim.cli import app
from ecosim.experiments import sensitivity, sweep
from ecosim.experiments.sensitivity import sample_matrix
from ecosim.experiments.sweeps import design_points, parse_param, parse_params
from ecosim.scenario import ScenarioError


@pytest.mark.parametrize(("spec", "message"), [
    ("exemption.max_lon=1:2", "unknown parameter 'exemption.max_lon'"),
    ("exemption.max_loan=-1:5", "out of range; allowed: float from 0 to 1000"),
    ("exemption.max_loan=9:5", "low 9 is above high 5"),
    ("exemption.max_loan", "must look like section.key=low:high"),
    ("exemption.enabled=0:1", "is a switch"),
    ("banks.tenor_months=1:2:x", "n an integer"),
])
def test_bad_parameter_specs_give_one_line_errors(spec, message):
    with pytest.raises(ScenarioError, match=message.replace("(", r"\(")) as err:
        parse_param(spec)
    assert "\n" not in str(err.value)


def test_grid_design_has_every_combination_and_ints_stay_ints():
    params = parse_params(["banks.tenor_months=6:30:3", "exemption.enabled=true,false"])
    d = design_points(params)
    assert len(d) == 6
    assert sorted(set(d["banks.tenor_months"])) == [6, 18, 30]
    assert d["banks.tenor_months"].map(type).eq(int).all()


def test_lhs_design_is_reproducible_and_stratified_inside_the_ranges():
    params = parse_params(["pool.share=0.2:0.8", "banks.max_loan=1:50"])
    a, b = design_points(params, "lhs", 10, root_seed=3), design_points(params, "lhs", 10, root_seed=3)
    assert a.equals(b)
    x = a["pool.share"].to_numpy()
    assert ((x >= 0.2) & (x <= 0.8)).all()
    # one sample in each tenth of the range (Latin hypercube)
    assert sorted(((x - 0.2) / 0.6 * 10).astype(int)) == list(range(10))


def test_sweep_results_join_to_their_parameters(tmp_path):
    res = sweep("baseline", ["pool.share=0.2:0.8:2", "exemption.enabled=true,false"], seeds=2, months=6, firms=100,
                out=tmp_path, progress=False, metrics=["survival_share", "total_new_loans"])
    assert len(res.runs) == 8 and len(res.design) == 4
    assert {"point", "pool.share", "exemption.enabled", "seed", "survival_share"} <= set(res.runs.columns)
    assert res.runs.groupby("point")["seed"].apply(sorted).apply(tuple).nunique() == 1
    assert set(res.table["metric"]) == {"survival_share", "total_new_loans"} and len(res.table) == 8
    assert (tmp_path / "design.csv").exists() and (tmp_path / "sweep.csv").exists()
    m = res.monthly(["firms_alive"])
    assert len(m) == 8 * 6 and "pool.share" in m.columns


def test_sweep_validates_every_point_before_running(tmp_path):
    with pytest.raises(ScenarioError, match="must sum to 1"):
        sweep("baseline", ["guarantee.share_bank=0.1:0.3:2"], seeds=1, months=6, firms=100, out=tmp_path)
    assert not (tmp_path / "runs").exists()


def test_sample_sizes_follow_salib():
    params = parse_params(["pool.share=0.2:0.8", "banks.max_loan=1:50", "bank.x=1:2"][:2])
    assert sample_matrix(params, "morris", 4).shape == (4 * 3, 2)
    assert sample_matrix(params, "sobol", 4).shape == (4 * 4, 2)


def test_morris_gives_indices_with_confidence_intervals_for_each_parameter(tmp_path):
    res = sensitivity("baseline", ["firms.apply_probability=0.1:0.9", "pool.share=0.2:0.8"], method="morris",
                      samples=4, seeds=1, months=12, firms=150, out=tmp_path, progress=False,
                      metrics=["total_new_loans"])
    t = res.table
    assert list(t["param"]) == ["firms.apply_probability", "pool.share"]
    assert np.isfinite(t[["mu_star", "mu_star_conf", "sigma"]].to_numpy()).all()
    # applying for loans more often must move total lending more than nothing at all
    assert t.set_index("param").loc["firms.apply_probability", "mu_star"] > 0
    assert (tmp_path / "sensitivity.csv").exists() and (tmp_path / "sensitivity.png").exists()


def test_sensitivity_rejects_lists_and_unknown_methods():
    with pytest.raises(ScenarioError, match="needs a range"):
        sensitivity("baseline", ["exemption.enabled=true,false"], samples=4)
    with pytest.raises(ScenarioError, match="method = 'efast'"):
        sensitivity("baseline", ["pool.share=0.2:0.8"], method="efast")


def test_cli_sweep_rejects_a_bad_range_with_exit_code_2(tmp_path):
    r = CliRunner().invoke(app, ["sweep", "baseline", "--param", "exemption.max_loan=2:10000:2", "--out",
                                 str(tmp_path)])
    assert r.exit_code == 2 and "out of range" in r.output


def test_cli_results_describes_and_queries_a_store(tmp_path):
    r = CliRunner().invoke(app, ["compare", "baseline", "--seeds", "2", "--months", "6", "--firms", "100",
                                 "--executor", "serial", "--out", str(tmp_path), "--quiet"])
    assert r.exit_code == 0, r.output
    r = CliRunner().invoke(app, ["results", str(tmp_path)])
    assert r.exit_code == 0 and "2 runs" in r.output
    r = CliRunner().invoke(app, ["results", str(tmp_path), "--sql", "SELECT count(*) AS n FROM monthly"])
    assert r.exit_code == 0 and "12" in r.output
    r = CliRunner().invoke(app, ["results", str(tmp_path), "--compact"])
    assert r.exit_code == 0 and "compacted" in r.output
