"""Draws that read one uniform per value: the Poisson sampler used for patents."""

from __future__ import annotations

import numpy as np
from scipy.stats import poisson

from ecosim.common_random import poisson_from_uniform


def test_poisson_by_inversion_matches_the_quantile_function() -> None:
    """Each count is the Poisson quantile of its uniform: the same as scipy's ``poisson.ppf``."""
    rng = np.random.default_rng(3)
    lam = np.concatenate([np.zeros(50), rng.uniform(0.0, 0.3, 4000), rng.uniform(0.3, 8.0, 2000)])
    u = rng.random(len(lam))
    counts = poisson_from_uniform(u, lam)
    assert counts.dtype == np.int64
    np.testing.assert_array_equal(counts, poisson.ppf(u, lam).astype(np.int64))
    assert (counts[:50] == 0).all()


def test_poisson_by_inversion_has_the_poisson_mean_and_variance() -> None:
    """Many draws at one rate have the rate as mean and as variance."""
    u = np.random.default_rng(4).random(200_000)
    counts = poisson_from_uniform(u, np.full(len(u), 1.7))
    assert abs(counts.mean() - 1.7) < 0.02
    assert abs(counts.var() - 1.7) < 0.04


def test_poisson_by_inversion_ends_for_uniforms_next_to_one() -> None:
    """A uniform above every representable cumulative probability still gives a finite count."""
    u = np.array([np.nextafter(1.0, 0.0), 0.0, 0.5])
    counts = poisson_from_uniform(u, np.array([0.05, 0.05, 0.05]))
    assert counts[1] == 0 and counts[2] == 0
    assert 0 < counts[0] < 100
