"""Metric helpers compute what their names say."""

from __future__ import annotations

import numpy as np
import pytest

from ecosim.outputs.metrics import auc


def test_auc_known_cases() -> None:
    """AUC is 1 for perfect ranking, 0 for reversed, 0.5 for all ties, NaN with one class."""
    label = np.array([0, 0, 1, 1], dtype=bool)
    assert auc(np.array([0.1, 0.2, 0.8, 0.9]), label) == 1.0
    assert auc(np.array([0.9, 0.8, 0.2, 0.1]), label) == 0.0
    assert auc(np.ones(4), label) == 0.5
    assert np.isnan(auc(np.ones(3), np.ones(3, dtype=bool)))


def test_auc_matches_pair_counting() -> None:
    """AUC equals the share of (positive, negative) pairs ranked correctly, ties counting half."""
    rng = np.random.default_rng(3)
    s = rng.integers(0, 6, 80).astype(float)
    y = rng.random(80) < 0.4
    pos, neg = s[y], s[~y]
    pairs = (pos[:, None] > neg[None, :]).mean() + 0.5 * (pos[:, None] == neg[None, :]).mean()
    assert auc(s, y) == pytest.approx(pairs)
