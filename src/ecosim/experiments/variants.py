"""Variants: a named scenario plus dotted-key overrides, resolved to a validated scenario.

A :class:`Variant` is how an experiment names "baseline with the exemption
off". Resolving it reads the scenario file, applies the overrides, the horizon
and the size, and validates the result; the resolved scenario's content hash
(all parameters, name excluded) is part of every run's key.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ecosim.scenario import Scenario, ScenarioError, load_scenario


@dataclass(frozen=True)
class Variant:
    """A scenario under a name, with parameter overrides.

    Attributes:
        name: Label used in tables and figures.
        base: Scenario name (bundled or on ``ECOSIM_SCENARIO_PATH``) or a path to a TOML file.
        overrides: Dotted-key overrides, e.g. ``{"exemption.enabled": False}``.
    """

    name: str
    base: str
    overrides: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class ResolvedVariant:
    """A variant resolved to a validated scenario.

    Attributes:
        name: Label of the variant.
        scenario: The validated scenario (horizon and size applied).
        params: The overrides that define the variant (sweeps join on these).
    """

    name: str
    scenario: Scenario
    params: Mapping[str, Any]

    @property
    def content_hash(self) -> str:
        """Hash of the resolved parameters."""
        return self.scenario.content_hash()


def as_variant(spec: str | Variant) -> Variant:
    """A variant from a scenario name (no overrides) or a variant."""
    if isinstance(spec, Variant):
        return spec
    if isinstance(spec, str):
        return Variant(name=spec.removesuffix(".toml").rsplit("/", 1)[-1], base=spec)
    raise TypeError(f"expected a scenario name or a Variant, got {type(spec).__name__}")


def resolve(
    spec: str | Variant,
    *,
    months: int | None = None,
    firms: int | str | None = None,
    overrides: Mapping[str, Any] | None = None,
) -> ResolvedVariant:
    """Resolve a variant to a validated scenario.

    Args:
        spec: Scenario name, path or :class:`Variant`.
        months: Horizon override for every run.
        firms: Initial startups (number or size preset).
        overrides: Overrides applied to every variant (before the variant's own).

    Raises:
        ecosim.scenario.ScenarioError: One-line message naming a bad key or value.
    """
    v = as_variant(spec)
    merged = {**(overrides or {}), **dict(v.overrides)}
    scenario = load_scenario(v.base, merged, months=months, firms=firms)
    scenario = scenario.model_copy(update={"name": v.name})
    return ResolvedVariant(name=v.name, scenario=scenario, params=dict(v.overrides))


def resolve_all(specs, **kwargs) -> list[ResolvedVariant]:
    """Resolve several variants; names must be unique."""
    out = [resolve(s, **kwargs) for s in specs]
    names = [r.name for r in out]
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        raise ScenarioError(f"scenario names must be unique in one experiment (repeated: {', '.join(dupes)})")
    return out
