"""Export (CSV, Parquet, xarray) and the discover / optimise / results commands, on one small sweep."""

from __future__ import annotations

import pandas as pd
import pytest
from typer.testing import CliRunner

from ecosim.cli import app
from ecosim.experiments.export import open_store, to_xarray


@pytest.fixture(scope="module")
def sweep_dir(tmp_path_factory):
    out = tmp_path_factory.mktemp("sweep")
    r = CliRunner().invoke(app, ["sweep", "baseline", "--param", "exemption.max_loan=0:1",
                                 "--uncertainty", "firms.apply_probability=0.1:0.9", "--design", "lhs",
                                 "--samples", "12", "--seeds", "1", "--months", "10", "--firms", "60",
                                 "--executor", "serial", "--quiet", "--out", str(out)])
    assert r.exit_code == 0, r.output
    return out


def test_a_query_goes_to_csv_and_parquet(sweep_dir, tmp_path):
    sql = "SELECT scenario, seed, total_new_loans FROM runs ORDER BY scenario"
    r = CliRunner().invoke(app, ["results", str(sweep_dir), "--sql", sql, "--csv", str(tmp_path / "a.csv")])
    assert r.exit_code == 0, r.output
    a = pd.read_csv(tmp_path / "a.csv")
    assert list(a.columns) == ["scenario", "seed", "total_new_loans"] and len(a) == 12
    r = CliRunner().invoke(app, ["results", str(sweep_dir), "--sql", sql, "--parquet", str(tmp_path / "a.parquet")])
    assert r.exit_code == 0, r.output
    pd.testing.assert_frame_equal(pd.read_parquet(tmp_path / "a.parquet"), a, check_dtype=False)
    r = CliRunner().invoke(app, ["results", str(sweep_dir), "--csv", str(tmp_path / "b.csv")])
    assert r.exit_code == 2 and "give --sql" in r.output


def test_the_store_goes_to_xarray_with_parameters_as_coordinates(sweep_dir, tmp_path):
    import xarray as xr

    target = tmp_path / "sweep.nc"
    r = CliRunner().invoke(app, ["results", str(sweep_dir), "--to", "xarray", str(target)])
    assert r.exit_code == 0, r.output
    ds = xr.open_dataset(target, engine="h5netcdf")
    assert ds.sizes["run"] == 12 and ds.sizes["month"] == 10
    assert ds["firms_alive"].dims == ("run", "month")
    assert ds["exemption.max_loan"].attrs["role"] == "lever"
    assert ds["firms.apply_probability"].attrs["role"] == "uncertainty"
    assert ds.attrs["uncertainties"] == "firms.apply_probability"
    # the same numbers as the store, run by run
    store = open_store(sweep_dir)
    runs = store.runs().set_index("key")
    for i in range(3):
        key = str(ds["key"].values[i])
        assert float(ds["summary_total_new_loans"].values[i]) == pytest.approx(runs.loc[key, "total_new_loans"])
    cube = to_xarray(store).to_array("metric")
    assert cube.dims == ("metric", "run", "month")
    r = CliRunner().invoke(app, ["results", str(sweep_dir), "--to", "zarr", str(target)])
    assert r.exit_code == 2 and "must be one of xarray" in r.output


def test_discover_command_writes_boxes_and_figures(sweep_dir, tmp_path):
    runs = open_store(sweep_dir).runs()
    threshold = float(runs["total_applications"].median())
    r = CliRunner().invoke(app, ["discover", str(sweep_dir), "--outcome", "total_applications", "--threshold",
                                 str(threshold), "--out", str(tmp_path)])
    assert r.exit_code == 0, r.output
    boxes = pd.read_csv(tmp_path / "boxes.csv")
    # applications follow the firms' propensity to apply: the first box restricts that uncertainty
    first = boxes[(boxes["box"] == 1) & boxes["restricted"]]
    assert "firms.apply_probability" in set(first["param"])
    assert (tmp_path / "prim_peeling.png").exists() and (tmp_path / "prim_boxes.png").exists()
    r = CliRunner().invoke(app, ["discover", str(sweep_dir), "--outcome", "no_such_key>1"])
    assert r.exit_code == 2 and "unknown outcome 'no_such_key'" in r.output


def test_optimise_command_runs_a_tiny_search(tmp_path):
    r = CliRunner().invoke(app, ["optimise", "baseline", "--lever", "pool.share=0:0.8", "--objective",
                                 "credit_per_public_yuan:max", "--constraint", "mean_npl_ratio<=0.03",
                                 "--trials", "2", "--seeds", "1", "--months", "6", "--firms", "40",
                                 "--executor", "serial", "--quiet", "--out", str(tmp_path)])
    assert r.exit_code == 0, r.output
    assert (tmp_path / "pareto.png").exists() and len(pd.read_csv(tmp_path / "trials.csv")) == 2
    r = CliRunner().invoke(app, ["optimise", "baseline", "--lever", "pool.share=0:0.8", "--objective",
                                 "credit_per_public_yuan:up", "--out", str(tmp_path / "x")])
    assert r.exit_code == 2 and "summary_key:max" in r.output
