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


def test_interleave_places_values_at_their_rows_and_keeps_the_rest_in_order() -> None:
    """Spin-off rows get their own values; the ordinary rows fill the others in order (rows counted from ``offset``)."""
    from ecosim.common_random import interleave

    ordinary = np.arange(10.0)
    out = interleave(ordinary, np.array([0, 3, 11]), np.array([-1.0, -2.0, -3.0]))
    np.testing.assert_array_equal(out, [-1, 0, 1, -2, 2, 3, 4, 5, 6, 7, 8, -3, 9])
    blocks = interleave(np.arange(8.0).reshape(4, 2), np.array([12]), np.array([[-1.0, -1.0]]), offset=10)
    np.testing.assert_array_equal(blocks, [[0, 1], [2, 3], [-1, -1], [4, 5], [6, 7]])
