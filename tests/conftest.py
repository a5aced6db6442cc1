"""Shared fixtures: small scenarios that keep the suite fast."""

from __future__ import annotations

import pytest

from ecosim.scenario import load_scenario


@pytest.fixture
def small_baseline():
    """The baseline scenario at a small size and a short horizon."""
    return load_scenario("baseline", months=24, firms=300)


@pytest.fixture
def small_no_policy():
    """The no-policy scenario at a small size and a short horizon."""
    return load_scenario("no_policy", months=24, firms=300)
