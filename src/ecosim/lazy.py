"""Names of a package imported on first use, so ``import ecosim`` and the CLI start quickly."""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from typing import Any


def lazy_attribute(namespace: dict[str, Any], package: str, exports: Mapping[str, str], name: str) -> Any:
    """Import ``name`` from the module ``exports`` names for it, and keep it in the package's ``namespace``.

    Args:
        namespace: The package's ``globals()``, where the value is kept after the first import.
        package: The package's name, for the error message.
        exports: Public name → module it comes from.
        name: The attribute asked for.

    Raises:
        AttributeError: ``name`` is not one of the package's exports.
    """
    module = exports.get(name)
    if module is None:
        raise AttributeError(f"module '{package}' has no attribute '{name}'")
    value = getattr(importlib.import_module(module), name)
    namespace[name] = value
    return value
