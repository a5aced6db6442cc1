"""Policy search: improves on the current policy, writes a Pareto figure, resumes, and scores robustly."""

from __future__ import annotations

import numpy as np
import pytest

from ecosim.experiments.optimise import optimise, pareto_mask, parse_constraint, parse_objective, robust_score
from ecosim.experiments.store import ResultStore
from ecosim.scenario import ScenarioError

LEVERS = ["pool.share=0:0.8", "guarantee.fee_rate=0.003:0.015"]
SMALL = dict(seeds=3, firms=100, months=24)


def test_a_two_lever_search_improves_on_its_first_trial_and_draws_the_front(tmp_path):
    res = optimise("baseline", LEVERS, ["credit_per_public_yuan:max", "mean_npl_ratio:min"], trials=8,
                   out=tmp_path, **SMALL)
    t = res.trials
    first = t.iloc[0]
    # the first trial is the scenario's own policy
    assert first["pool.share"] == pytest.approx(0.5) and first["guarantee.fee_rate"] == pytest.approx(0.0076)
    assert t["credit_per_public_yuan"].iloc[1:].max() > first["credit_per_public_yuan"]
    assert t["pareto"].any() and len(res.best) == t["pareto"].sum()
    for name in ("pareto.png", "progress.png", "trials.csv", "best.json", "study.db"):
        assert (tmp_path / name).stat().st_size > 0
    # every candidate ran on the same three seeds
    runs = ResultStore(tmp_path).runs()
    assert set(runs["seed"]) == set(res.seeds)
    assert runs.groupby("scenario")["seed"].nunique().eq(3).all()


def test_a_constrained_search_resumes_without_rerunning(tmp_path):
    kw = dict(constraints=["mean_npl_ratio<=0.04"], out=tmp_path, **SMALL)  # the NPL target's accepted band
    a = optimise("baseline", LEVERS, ["credit_per_public_yuan:max"], trials=4, **kw)
    runs_before = len(ResultStore(tmp_path).runs())
    b = optimise("baseline", LEVERS, ["credit_per_public_yuan:max"], trials=6, **kw)
    assert len(a.trials) == 4 and len(b.trials) == 6
    assert list(b.trials["number"][:4]) == list(a.trials["number"])
    assert len(ResultStore(tmp_path).runs()) <= runs_before + 2 * 3
    assert len(b.best) == 1 and bool(b.best["feasible"].iloc[0])
    best = b.best["credit_per_public_yuan"].iloc[0]
    assert best == b.trials.loc[b.trials["feasible"], "credit_per_public_yuan"].max()
    with pytest.raises(ScenarioError, match="another problem"):
        optimise("baseline", LEVERS, ["total_new_loans:max"], trials=1, out=tmp_path, **SMALL)


def test_a_robust_search_scores_the_mean_and_the_worst_decile_over_sampled_uncertainties(tmp_path):
    res = optimise("baseline", ["pool.share=0:0.8"], ["total_new_loans:max"], trials=2,
                   uncertainties=["firms.apply_probability=0.2:0.9"], scenarios=3, robust="worst_decile",
                   out=tmp_path, seeds=1, firms=60, months=12)
    t = res.trials
    assert (t["total_new_loans:worst_decile"] <= t["total_new_loans:mean"]).all()
    assert (t["total_new_loans"] == t["total_new_loans:worst_decile"]).all()
    assert res.uncertainties == ["firms.apply_probability"]
    runs = ResultStore(tmp_path).runs()
    # every candidate met the same three uncertainty points
    points = runs.groupby(runs["scenario"].str.rsplit(":", n=1).str[-1])["params"].agg(
        lambda p: {__import__("json").loads(x)["firms.apply_probability"] for x in p})
    assert all(len(v) == 1 for v in points) and len(points) == 3


def test_specs_are_checked_before_any_run(tmp_path):
    assert parse_objective("credit_per_public_yuan:max").direction == "maximize"
    assert parse_constraint("npl_ratio<=0.03").violation(0.05) == pytest.approx(0.02)
    with pytest.raises(ScenarioError, match="summary_key:max"):
        parse_objective("credit_per_public_yuan")
    with pytest.raises(ScenarioError, match="summary_key<=value"):
        parse_constraint("npl_ratio<0.03")
    with pytest.raises(ScenarioError, match="unknown objective or constraint metric"):
        optimise("baseline", LEVERS, ["credit_per_yuan:max"], out=tmp_path, **SMALL)
    assert not (tmp_path / "runs").exists()


def test_helpers_pick_the_front_and_the_worst_decile():
    pts = np.array([[1, 1], [2, 0], [0, 2], [0.5, 0.5], [np.nan, 3]])
    assert list(pareto_mask(pts)) == [True, True, True, False, False]
    v = np.arange(1, 11, dtype=float)
    assert robust_score(v, False, "worst_decile") == pytest.approx(np.percentile(v, 10))
    assert robust_score(v, True, "worst_decile") == pytest.approx(np.percentile(v, 90))
