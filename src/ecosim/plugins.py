"""Plug-ins: a researcher's own phases and metrics, carried into every run of an experiment.

A *phase plug-in* is a function of the model run every month at a named place
in the month (``before:lend``, ``after:invest``, ``start``, ``end``); a
*metric plug-in* is a function of the finished model returning a number (or a
mapping of names to numbers) that joins the run's summary, so ``compare``,
``sweep`` and ``sensitivity`` can tabulate it like any built-in figure.

Both can be given as Python objects or by import path, the form the command
line takes::

    ecosim compare baseline no_policy --phase mypkg.policies:tax_credit@before:lend \\
        --metric-fn mypkg.metrics:rd_refunds

A :class:`Plugins` value is plain, picklable data (import paths, or functions
pickled by reference), so it travels with each task to process and Dask
workers; the module must be importable there. Runs with plug-ins are keyed by
the plug-ins' import paths as well as the scenario and seed, so a results
folder never mixes runs with and without them (change a plug-in's name, or the
folder, when its code changes).
"""

from __future__ import annotations

import importlib
import os
import sys
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ecosim.model import EcosystemModel

#: Where a phase may go: at the start or end of the month, or before or after a named phase.
PLACES = ("start", "end", "before", "after")


class PluginError(ValueError):
    """A plug-in that cannot be used: the message names it and what is allowed."""


def import_object(path: str) -> Callable:
    """The object named by ``package.module:attribute`` (the current folder is searched too).

    Raises:
        PluginError: One line naming the path when it does not resolve to a callable.
    """
    module_name, sep, attr = path.partition(":")
    if not sep or not module_name or not attr:
        raise PluginError(f"plug-in '{path}': give it as package.module:function")
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        if os.getcwd() in sys.path or exc.name != module_name.split(".")[0]:
            raise PluginError(f"plug-in '{path}': cannot import {module_name} ({exc})") from None
        sys.path.insert(0, os.getcwd())
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc2:
            raise PluginError(f"plug-in '{path}': cannot import {module_name} ({exc2})") from None
    obj: Any = module
    for part in attr.split("."):
        obj = getattr(obj, part, None)
        if obj is None:
            raise PluginError(f"plug-in '{path}': {module_name} has no attribute {attr}")
    if not callable(obj):
        raise PluginError(f"plug-in '{path}': {attr} is not a function")
    return obj


def _path_of(function: Callable | str) -> str:
    if isinstance(function, str):
        return function
    module = getattr(function, "__module__", None) or "?"
    return f"{module}:{getattr(function, '__qualname__', repr(function))}"


def _phase_names() -> list[str]:
    from ecosim.model import MONTH

    return [phase.__name__ for phase in MONTH]


@dataclass(frozen=True)
class PhasePlugin:
    """A phase added to every month.

    Attributes:
        function: The phase (a function of the model) or its import path ``package.module:function``.
        where: ``start``, ``end``, ``before:PHASE`` or ``after:PHASE`` (a phase of ``ecosim.model.MONTH``).
    """

    function: Callable | str
    where: str = "end"

    def __post_init__(self) -> None:
        place, _, anchor = self.where.partition(":")
        if place not in PLACES or (place in ("before", "after")) != bool(anchor):
            raise PluginError(f"phase '{self.spec}': where must be start, end, before:PHASE or after:PHASE")
        if anchor and anchor not in _phase_names():
            raise PluginError(f"phase '{self.spec}': no phase '{anchor}' in the month "
                              f"(phases: {', '.join(_phase_names())})")

    @classmethod
    def parse(cls, text: str) -> PhasePlugin:
        """A phase from ``package.module:function@before:lend`` (no ``@...``: at the end of the month)."""
        path, _, where = text.partition("@")
        return cls(path.strip(), where.strip() or "end")

    @property
    def spec(self) -> str:
        """The command-line form: ``package.module:function@where``."""
        return f"{_path_of(self.function)}@{self.where}"

    def resolve(self) -> Callable:
        """The phase function (imported when given by path)."""
        return import_object(self.function) if isinstance(self.function, str) else self.function

    def insert(self, phases: list[Callable]) -> None:
        """Put the phase into a model's list of phases at its place."""
        fn = self.resolve()
        place, _, anchor = self.where.partition(":")
        if place == "start":
            phases.insert(0, fn)
        elif place == "end":
            phases.append(fn)
        else:
            index = next(i for i, p in enumerate(phases) if getattr(p, "__name__", "") == anchor)
            phases.insert(index if place == "before" else index + 1, fn)


@dataclass(frozen=True)
class MetricPlugin:
    """A summary figure computed from the finished model.

    The function takes the model and returns a number, named after the function,
    or a mapping of names to numbers.

    Attributes:
        function: The function or its import path ``package.module:function``.
    """

    function: Callable | str

    @property
    def spec(self) -> str:
        """The import path of the function."""
        return _path_of(self.function)

    def resolve(self) -> Callable:
        """The metric function (imported when given by path)."""
        return import_object(self.function) if isinstance(self.function, str) else self.function

    def values(self, model: EcosystemModel) -> dict[str, float]:
        """The figures of a finished model."""
        fn = self.resolve()
        out = fn(model)
        if isinstance(out, Mapping):
            return {str(k): float(v) for k, v in out.items()}
        name = getattr(fn, "__name__", None) or self.spec.rpartition(":")[2]
        return {name: float(out)}


@dataclass(frozen=True)
class Plugins:
    """The phases and metrics added to every run of an experiment.

    Attributes:
        phases: Phases added to every month, in order.
        metrics: Summary figures added to every run.
    """

    phases: tuple[PhasePlugin, ...] = ()
    metrics: tuple[MetricPlugin, ...] = ()

    @classmethod
    def of(cls, phases: Iterable[Any] = (), metrics: Iterable[Any] = ()) -> Plugins:
        """Plug-ins from loose forms.

        Args:
            phases: Each a :class:`PhasePlugin`, a ``"pkg.mod:fn@where"`` string, a function (at the end of
                the month) or a ``(function_or_path, where)`` pair.
            metrics: Each a :class:`MetricPlugin`, a ``"pkg.mod:fn"`` string or a function.
        """
        out_phases = []
        for item in phases or ():
            if isinstance(item, PhasePlugin):
                out_phases.append(item)
            elif isinstance(item, str):
                out_phases.append(PhasePlugin.parse(item))
            elif isinstance(item, tuple):
                out_phases.append(PhasePlugin(*item))
            elif callable(item):
                out_phases.append(PhasePlugin(item))
            else:
                raise PluginError(f"phase {item!r}: give a function, 'pkg.mod:fn@where' or (function, where)")
        out_metrics = []
        for item in metrics or ():
            if isinstance(item, MetricPlugin):
                out_metrics.append(item)
            elif isinstance(item, str) or callable(item):
                out_metrics.append(MetricPlugin(item))
            else:
                raise PluginError(f"metric {item!r}: give a function or 'pkg.mod:fn'")
        return cls(tuple(out_phases), tuple(out_metrics))

    def __bool__(self) -> bool:
        return bool(self.phases or self.metrics)

    def check(self) -> Plugins:
        """Import every plug-in given by path now, so a bad one fails before any run starts."""
        for plugin in (*self.phases, *self.metrics):
            plugin.resolve()
        return self

    @property
    def key(self) -> str:
        """Canonical text of the plug-ins (part of a run's key; empty without plug-ins)."""
        if not self:
            return ""
        return ";".join([f"phase={p.spec}" for p in self.phases] + [f"metric={m.spec}" for m in self.metrics])

    def apply(self, model: EcosystemModel) -> None:
        """Insert the phases into a new model's month."""
        for phase in self.phases:
            phase.insert(model.phases)

    def summary(self, model: EcosystemModel) -> dict[str, float]:
        """The metric plug-ins' figures for a finished model."""
        out: dict[str, float] = {}
        for metric in self.metrics:
            out.update(metric.values(model))
        return out
