"""Building blocks for scenario parameters: a lever with a unit, a range and a source.

Every scenario parameter is declared with :func:`lever`, which wraps a pydantic
``Field`` and records the unit, the allowed range, the real instrument the
parameter models and where its default comes from. The scenario schema
(:mod:`ecosim.scenario`) is assembled from sections built of these fields, and
the parameter table in the documentation is generated from the same metadata.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field


#: Validation of every scenario section: unknown keys refused; strict types (no numeric strings,
#: no booleans for numbers, only booleans for switches, integers only for integers); NaN and
#: infinities refused.
STRICT = ConfigDict(extra="forbid", strict=True, allow_inf_nan=False)


class Section(BaseModel):
    """Base class of a scenario section: unknown keys are rejected, values validated strictly.

    Strict means a number is a TOML number (``"0.5"`` and ``true`` are refused),
    an integer is a TOML integer (``12.0`` is refused), a switch is ``true`` or
    ``false`` (``1`` and ``"off"`` are refused), and NaN or infinity is refused.
    """

    model_config = ConfigDict(**STRICT, validate_assignment=True, frozen=False)


def lever(
    default: Any,
    unit: str,
    doc: str,
    *,
    ge: float | None = None,
    le: float | None = None,
    source: str = "model assumption",
) -> Any:
    """Declare one scenario parameter.

    Args:
        default: Default value (taken from the domain brief where it gives one).
        unit: Unit of the value, e.g. ``"share"``, ``"million yuan"``, ``"months"``.
        doc: What the parameter means and which real instrument it models.
        ge: Smallest allowed value, if bounded below.
        le: Largest allowed value, if bounded above.
        source: Where the default comes from.

    Returns:
        A pydantic ``Field`` carrying the metadata in ``json_schema_extra``.
    """
    return Field(
        default,
        ge=ge,
        le=le,
        description=doc,
        json_schema_extra={"unit": unit, "source": source},
    )
