"""Every SALib method runs end to end on a tiny model, and a too-small sample is refused before any run."""

from __future__ import annotations

import numpy as np
import pytest

from ecosim.experiments.sensitivity import MIN_SAMPLES, METHODS, planned_points, sensitivity
from ecosim.scenario import ScenarioError

PARAMS = ["firms.apply_probability=0.1:0.9", "pool.share=0.2:0.8"]
COLUMNS = {"morris": ["mu_star", "mu_star_conf", "sigma"], "sobol": ["S1", "ST", "ST_conf"],
           "fast": ["S1", "ST", "ST_conf"], "delta": ["S1", "delta", "delta_conf"],
           "pawn": ["median", "maximum"], "montecarlo": ["spearman", "out_mean", "out_p95"]}


@pytest.mark.parametrize("method", METHODS)
def test_every_sampler_runs_and_writes_its_indices(method, tmp_path):
    samples = MIN_SAMPLES[method][0]
    res = sensitivity("baseline", PARAMS, method=method, samples=samples, seeds=1, months=4, firms=80,
                      out=tmp_path, progress=False, metrics=["total_applications"], executor="serial")
    assert len(res.samples) == planned_points(method, samples, 2)
    t = res.table.set_index("param")
    assert list(t.index) == ["firms.apply_probability", "pool.share"]
    assert np.isfinite(t[COLUMNS[method]].to_numpy()).all(), t
    # applying for loans more often moves the number of applications: every method must see it
    main = t.loc["firms.apply_probability", COLUMNS[method][0]]
    other = t.loc["pool.share", COLUMNS[method][0]]
    assert abs(main) > abs(other), t
    assert (tmp_path / "sensitivity.csv").exists() and (tmp_path / "sensitivity.png").exists()


@pytest.mark.parametrize("method", METHODS)
def test_a_sample_below_the_method_minimum_is_refused_before_any_run(method, tmp_path):
    too_few = MIN_SAMPLES[method][0] - 1
    with pytest.raises(ScenarioError, match=f"samples = {too_few}: {method} needs at least"):
        sensitivity("baseline", PARAMS, method=method, samples=too_few, out=tmp_path, progress=False)
    assert not (tmp_path / "runs").exists()


def test_sobol_needs_a_power_of_two():
    with pytest.raises(ScenarioError, match="power of two"):
        sensitivity("baseline", PARAMS, method="sobol", samples=96)
