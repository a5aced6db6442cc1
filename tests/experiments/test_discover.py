"""Scenario discovery: PRIM finds a planted box; a discover run on a real sweep writes its table and figures."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from ecosim.experiments.discover import cases_from_frame, discover, parse_condition, restricted_boxes
from ecosim.experiments.sweeps import sweep
from ecosim.scenario import ScenarioError


def test_prim_finds_a_planted_box_on_a_synthetic_table(tmp_path):
    rng = np.random.default_rng(7)
    x = pd.DataFrame(rng.random((800, 4)), columns=["lever_a", "lever_b", "unc_c", "unc_d"])
    hit = (x["lever_a"] > 0.6) & (x["unc_c"] < 0.3)
    outcome = pd.DataFrame({"failures": np.where(hit, 10.0, 1.0) + rng.normal(0, 0.5, len(x))})
    cases = cases_from_frame(x, outcome, {"lever_a": "lever", "lever_b": "lever", "unc_c": "uncertainty",
                                          "unc_d": "uncertainty"})
    res = discover(cases, "failures>5", out=tmp_path)
    box = restricted_boxes(res).query("box == 1").set_index("param")
    assert set(box.index) == {"lever_a", "unc_c"}
    assert box.loc["lever_a", "low"] == pytest.approx(0.6, abs=0.05) and box.loc["lever_a", "high"] > 0.95
    assert box.loc["unc_c", "high"] == pytest.approx(0.3, abs=0.05)
    assert box.loc["unc_c", "role"] == "uncertainty"
    first = res.boxes.query("box == 1").iloc[0]
    assert first["coverage"] > 0.9 and first["density"] > 0.9
    # CART finds the same corner as one of its leaves
    leaves = res.cart.groupby("box").first()
    assert leaves["density"].max() > 0.9
    for name in ("boxes.csv", "peeling.csv", "cart_boxes.csv", "prim_peeling.png", "prim_boxes.png"):
        assert (tmp_path / name).stat().st_size > 0


def test_conditions_are_parsed_and_checked():
    assert str(parse_condition("mean_npl_ratio>=0.03")) == "mean_npl_ratio >= 0.03"
    assert str(parse_condition("pool_balance", 100, below=True)) == "pool_balance <= 100"
    with pytest.raises(ScenarioError, match="give --threshold"):
        parse_condition("pool_balance")
    with pytest.raises(ScenarioError, match="summary key"):
        parse_condition("pool_balance; DROP")
    cases = cases_from_frame(pd.DataFrame({"a": [0.0, 1.0]}), pd.DataFrame({"y": [0.0, 1.0]}))
    with pytest.raises(ScenarioError, match="unknown outcome 'z'"):
        discover(cases, "z>1")
    with pytest.raises(ScenarioError, match="choose a threshold"):
        discover(cases, "y>5")


def test_discover_on_a_small_real_sweep_writes_its_table_and_figures(tmp_path):
    res = sweep("baseline", ["exemption.max_loan=0:1"], uncertainties=["firms.apply_probability=0.1:0.9"],
                design="lhs", samples=16, seeds=1, months=12, firms=60, out=tmp_path / "sweep", progress=False,
                executor="serial")
    assert res.roles == {"exemption.max_loan": "lever", "firms.apply_probability": "uncertainty"}
    threshold = float(res.runs["total_new_loans"].median())
    found = discover(tmp_path / "sweep", "total_new_loans", threshold, out=tmp_path / "disc")
    assert found.n_runs == 16 and 0 < found.n_cases < 16
    assert set(found.boxes["role"]) == {"lever", "uncertainty"}
    table = pd.read_csv(tmp_path / "disc" / "boxes.csv")
    assert {"box", "param", "role", "low", "high", "coverage", "density", "mass"} <= set(table.columns)
    for name in ("prim_peeling.png", "prim_boxes.png", "cart_boxes.csv", "peeling.csv"):
        assert (tmp_path / "disc" / name).stat().st_size > 0
