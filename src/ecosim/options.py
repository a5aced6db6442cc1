"""Checks of command-line options and output paths, made before the first run starts.

Every command of the ``ecosim`` CLI passes its options through these checks
so that a bad value stops with one line naming the option and what is
allowed, instead of failing after the simulations (or never). Each check
raises :class:`OptionError` (a ``ValueError``); the commands print it and
exit with status 2.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

#: Largest worker count accepted (a typo like ``--workers 80000`` would fork the machine to death).
MAX_WORKERS = 1024
#: Largest seed accepted: seeds feed numpy's ``SeedSequence`` as unsigned 64-bit integers.
MAX_SEED = 2**63 - 1
#: Most seeds per scenario in one experiment.
MAX_SEEDS = 100_000
#: Most points of a sweep or sensitivity design.
MAX_DESIGN_POINTS = 100_000
#: Most runs (points times seeds) of one experiment.
MAX_RUNS = 1_000_000


class OptionError(ValueError):
    """A command-line option with a value that cannot be used; the message names the option."""


def _plain_text(value: str, option: str) -> str:
    if not value or not value.strip():
        raise OptionError(f"{option} = '': give a folder path (an empty path would write into the current folder)")
    if "\x00" in value or "\n" in value or "\r" in value:
        raise OptionError(f"{option} = {value!r}: a path must be one line without NUL characters")
    return value


def _first_existing(path: Path) -> Path:
    """The nearest existing ancestor of ``path`` (``path`` itself when it exists)."""
    probe = path
    while not probe.exists() and probe != probe.parent:
        probe = probe.parent
    return probe


def _probe_writable(folder: Path, option: str, shown: str) -> None:
    try:
        with tempfile.NamedTemporaryFile(dir=folder, prefix=".ecosim-write-test-"):
            pass
    except OSError as exc:
        raise OptionError(f"{option} = '{shown}': folder is not writable ({exc.strerror or exc})") from None


def check_out_dir(value: str | Path, option: str = "--out") -> Path:
    """A folder the command can write into: created when missing, probed with a temporary file.

    Raises:
        OptionError: When the path is empty, is or lies below a file or device, or cannot be written.
    """
    shown = _plain_text(str(value) if not isinstance(value, Path) else value.as_posix(), option)
    path = Path(shown).expanduser()
    if path.exists() and not path.is_dir():
        raise OptionError(f"{option} = '{shown}': is a file, not a folder; give a folder for the results")
    ancestor = _first_existing(path)
    if not ancestor.is_dir():
        raise OptionError(f"{option} = '{shown}': '{ancestor}' is a file, so no folder can be made below it")
    if not path.exists():
        if not os.access(ancestor, os.W_OK | os.X_OK):
            raise OptionError(f"{option} = '{shown}': cannot create a folder in '{ancestor}' (not writable)")
        try:
            path.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise OptionError(f"{option} = '{shown}': cannot create the folder ({exc.strerror or exc})") from None
    _probe_writable(path, option, shown)
    return path


def check_out_file(value: str | Path, option: str = "--out") -> Path:
    """A file path the command can write: not a folder or device, in a folder that exists or can be made.

    Raises:
        OptionError: Naming the option and the problem.
    """
    shown = _plain_text(str(value) if not isinstance(value, Path) else value.as_posix(), option)
    path = Path(shown).expanduser()
    if path.exists() and not path.is_file():
        raise OptionError(f"{option} = '{shown}': is a folder or a device, not a file")
    if path.exists() and not os.access(path, os.W_OK):
        raise OptionError(f"{option} = '{shown}': the file is not writable")
    check_out_dir(path.parent if str(path.parent) else Path("."), option=f"{option} (its folder)")
    return path


def check_workers(workers: int | None, option: str = "--workers") -> int | None:
    """None (the available cores) or a worker count from 1 to :data:`MAX_WORKERS`."""
    if workers is None:
        return None
    if isinstance(workers, bool) or not isinstance(workers, int) or not 1 <= workers <= MAX_WORKERS:
        raise OptionError(f"{option} = {workers}: must be a whole number from 1 to {MAX_WORKERS} "
                          "(leave it out for the available cores)")
    return workers


def check_seed(seed: int, option: str = "--seed") -> int:
    """A seed from 0 to :data:`MAX_SEED`."""
    if isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed <= MAX_SEED:
        raise OptionError(f"{option} = {seed}: must be a whole number from 0 to {MAX_SEED}")
    return seed


def check_count(value: int, option: str, low: int, high: int) -> int:
    """A whole number from ``low`` to ``high`` (seeds, samples, budgets)."""
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise OptionError(f"{option} = {value}: must be a whole number from {low:,} to {high:,}")
    return value


def check_design_size(points: int, seeds: int, what: str = "design") -> None:
    """Refuse designs with more than :data:`MAX_DESIGN_POINTS` points or :data:`MAX_RUNS` runs."""
    if points > MAX_DESIGN_POINTS:
        raise OptionError(f"the {what} has {points:,} points; the limit is {MAX_DESIGN_POINTS:,} "
                          "(use fewer values per --param, or --design lhs with --samples)")
    if points * seeds > MAX_RUNS:
        raise OptionError(f"the {what} needs {points * seeds:,} runs ({points:,} points × {seeds:,} seeds); "
                          f"the limit is {MAX_RUNS:,}")
