"""Keyword parameters of :class:`ecosim.model.EcosystemModel`: from Mesa-style arguments to a validated scenario.

Mesa's example models are built from keyword arguments, and Mesa's tools
(``batch_run``, ``SolaraViz``) build them that way. :func:`resolve_parameters`
turns such arguments (a scenario name, path, object or dict, a size, a
horizon and any scenario key as an override) into the validated scenario the
model runs, with exactly the checks a scenario file gets.
:func:`carrying_scenario` makes Mesa's own experiment scenario of a model,
which carries the ecosim scenario through SolaraViz's Reset.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from mesa.experimental.scenarios import Scenario as MesaScenario

from ecosim.scenario import SIZE_PRESETS, Scenario, apply_overrides, load_scenario, resolve_size, validate_scenario

#: Size and horizon of a model built by name without them: the ``demo`` preset, two years.
DEFAULT_FIRMS = SIZE_PRESETS["demo"]
DEFAULT_MONTHS = 24
#: Field of Mesa's experiment scenario that carries the ecosim scenario of a model (see ``EcosystemModel.scenario``).
CARRIED = "ecosim_scenario"


def resolve_parameters(
    scenario: str | Path | Scenario | Mapping[str, Any] | MesaScenario | None = "baseline",
    *,
    firms: int | str | None = None,
    months: int | None = None,
    overrides: Mapping[str, Any] | None = None,
) -> Scenario:
    """The validated scenario a model is built from, as :class:`EcosystemModel` takes it.

    Args:
        scenario: A scenario name or path, a validated :class:`~ecosim.scenario.Scenario`, its dict form,
            or Mesa's own experiment ``Scenario`` (which ``SolaraViz`` passes on Reset): the ecosim scenario it
            carries (its ``ecosim_scenario``, see :func:`carrying_scenario`; ``baseline`` when none), with its
            other parameters, except ``rng``, as overrides.
        firms: Initial startups (a number or a size preset). None: the scenario's own value when it is
            given as an object or dict, the ``demo`` size (300) when it is given by name.
        months: Horizon. None: as ``firms``, with 24 months for a scenario given by name.
        overrides: Scenario keys and values, dotted (``"exemption.enabled"``) or with a double
            underscore (``exemption__enabled``), validated exactly as scenario files are.

    Raises:
        ecosim.scenario.ScenarioError: One line naming the bad key or value and what is allowed.
    """
    overrides = dict(overrides or {})
    if isinstance(scenario, MesaScenario):
        values = {k: v for k, v in scenario.to_dict().items() if k not in ("rng", "model", "_scenario_id")}
        base = values.pop(CARRIED, "baseline")
        overrides = {**values, **overrides}
        scenario = base
    keys = {key.replace("__", "."): value for key, value in overrides.items()}
    by_name = scenario is None or isinstance(scenario, str | Path)
    if by_name:
        if firms is None and "run.firms" not in keys:
            firms = DEFAULT_FIRMS
        if months is None and "run.months" not in keys:
            months = DEFAULT_MONTHS
        return load_scenario(scenario or "baseline", keys, months=months, firms=firms)
    data = scenario.model_dump() if isinstance(scenario, Scenario) else dict(scenario)
    if months is not None:
        keys["run.months"] = months
    if firms is not None:
        keys["run.firms"] = resolve_size(firms)
    if not keys and isinstance(scenario, Scenario):
        return scenario
    return validate_scenario(apply_overrides(data, keys))


def carrying_scenario(params: Scenario, rng: Any) -> MesaScenario:
    """Mesa's experiment scenario whose one default field is the ecosim scenario in force.

    SolaraViz's Reset builds a new model from ``type(model.scenario)()``, so the
    class default brings the same ecosim scenario back (the page's parameters
    then apply as overrides); a page may also offer ``ecosim_scenario`` as a parameter.
    """
    cls = type("EcosimScenario", (MesaScenario,), {"__annotations__": {CARRIED: object}, CARRIED: params,
                                                   "__module__": __name__})
    return cls(rng=rng)
