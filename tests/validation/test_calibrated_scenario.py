"""The calibrated scenario: the baseline extends it, and it sets only declared free parameters within bounds."""

from __future__ import annotations

import tomllib

from ecosim.scenario import SCENARIO_DIR, load_scenario
from ecosim.validation.calibrate import load_setup


def test_baseline_extends_the_calibrated_scenario():
    data = tomllib.loads((SCENARIO_DIR / "baseline.toml").read_text())
    assert data.get("extends") == "calibrated"
    calibrated = tomllib.loads((SCENARIO_DIR / "calibrated.toml").read_text())
    base = load_scenario("baseline")
    for section, values in calibrated.items():
        if isinstance(values, dict):
            for key, value in values.items():
                assert getattr(getattr(base, section), key) == value


def test_calibrated_file_sets_only_free_parameters_inside_their_bounds():
    bounds = {fp.path: (fp.low, fp.high) for fp in load_setup().free}
    calibrated = tomllib.loads((SCENARIO_DIR / "calibrated.toml").read_text())
    written = {f"{s}.{k}": v for s, vals in calibrated.items() if isinstance(vals, dict) for k, v in vals.items()}
    assert written and set(written) <= set(bounds)
    for path, value in written.items():
        lo, hi = bounds[path]
        assert lo <= value <= hi, path
