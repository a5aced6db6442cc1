"""Entry module for ``solara run ecosim.viz.app``: the demo page, one model per browser session."""

from __future__ import annotations

from ecosim.viz.demo import Page

__all__ = ["Page"]
