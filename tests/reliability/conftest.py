"""Reliability tests: ``slow`` ones (the full fuzz, hundreds of runs) run only when asked for with ``-m slow``."""

from __future__ import annotations

from pathlib import Path

import pytest

HERE = Path(__file__).parent


def pytest_collection_modifyitems(config, items):
    """Skip this folder's ``slow`` tests unless the marker expression selects them."""
    if "slow" in (config.option.markexpr or ""):
        return
    skip = pytest.mark.skip(reason="full run: select with -m slow")
    for item in items:
        if HERE in Path(str(item.fspath)).parents and "slow" in item.keywords:
            item.add_marker(skip)
