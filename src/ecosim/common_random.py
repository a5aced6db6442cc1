"""Random draws that use a fixed number of values whatever the model's state.

Scenarios run with the same seed share their random numbers (common random
numbers) only while each stream is read the same number of times in every
scenario. numpy's own samplers for some distributions (Poisson among them)
read a number of uniforms that depends on their parameters, so one firm whose
state differs between two scenarios would shift every later draw of the
stream. The samplers here read one uniform per value instead, and
:func:`firm_draws` keeps the firms that only some scenarios have (the tech
brokerage's spin-offs) from shifting the other firms' draws.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from ecosim.model import EcosystemModel


def poisson_from_uniform(u: np.ndarray, lam: np.ndarray) -> np.ndarray:
    """Poisson(``lam``) counts by inversion of one uniform each.

    The count is the smallest ``k`` with ``u <= P(X <= k)``, found by walking
    the cumulative distribution only for the rows still above it (a few steps
    for the small rates of the model). It is the same as
    ``scipy.stats.poisson.ppf(u, lam)``, about a hundred times faster for
    arrays of this model's size.

    Args:
        u: Uniform draws on [0, 1), one per value.
        lam: Poisson rates (≥ 0), one per value.

    Returns:
        The counts, as int64.
    """
    u = np.asarray(u, dtype=float)
    lam = np.asarray(lam, dtype=float)
    k = np.zeros(len(u), dtype=np.int64)
    p = np.exp(-lam)  # P(X = k)
    cdf = p.copy()  # P(X <= k)
    todo = np.flatnonzero(u > cdf)
    while todo.size:
        k[todo] += 1
        p[todo] *= lam[todo] / k[todo]
        cdf[todo] += p[todo]
        # Stop where the next probability underflows (the cumulative sum cannot grow further).
        todo = todo[(u[todo] > cdf[todo]) & (p[todo] > 0)]
    return k


#: Samplers that can fill an existing array and read the stream value by value (no buffered state).
_FILL_IN_PLACE = frozenset({"random", "standard_normal"})


def firm_draws(model: EcosystemModel, rng: np.random.Generator, sampler: str, *columns: int,
               **kwargs: Any) -> np.ndarray:
    """One block of random values per firm row (``out[row]``), read alike in every scenario.

    Firms that entered the ordinary way (the initial population and the monthly
    entrants) take their values from ``rng``, in row order; spin-offs of the
    tech brokerage, which exist only where the brokerage is switched on, take
    theirs from the ``spinoffs`` stream. A run with spin-offs therefore reads
    ``rng`` exactly as a run without them, and every other firm keeps its draws.

    Args:
        model: The model (its firm table and ``spinoff_rows``).
        rng: The phase's stream.
        sampler: A ``numpy.random.Generator`` method that takes ``size``
            (``"random"``, ``"standard_normal"``, ``"integers"``, ...).
        *columns: Values per row beyond one (e.g. ``3`` for three per row).
        **kwargs: Passed to the sampler (``low`` and ``high`` for ``integers``).

    Returns:
        An array of shape ``(len(model.firms), *columns)``.
    """
    n = len(model.firms)
    spin = model.spinoff_rows
    if len(spin) == 0:
        return getattr(rng, sampler)(size=(n, *columns), **kwargs)
    spun = getattr(model.streams.spinoffs, sampler)(size=(len(spin), *columns), **kwargs)
    if sampler not in _FILL_IN_PLACE:
        return interleave(getattr(rng, sampler)(size=(n - len(spin), *columns), **kwargs), spin, spun)
    # Fill the stretches between spin-offs in place, in row order: the same values as one call for
    # all ordinary rows (these samplers keep no state between calls), without a second array.
    out = np.empty((n, *columns))
    fill = getattr(rng, sampler)
    start = 0
    for row in spin.tolist():
        if row > start:
            fill(out=out[start:row], **kwargs)
        start = row + 1
    if n > start:
        fill(out=out[start:n], **kwargs)
    out[spin] = spun
    return out


def interleave(ordinary: np.ndarray, rows: np.ndarray, values: np.ndarray, offset: int = 0) -> np.ndarray:
    """Rows ``ordinary`` with ``values[k]`` placed at row ``rows[k] - offset`` (``rows`` ascending).

    The result has ``len(ordinary) + len(values)`` rows; the ordinary rows keep
    their order and fill the rows not named in ``rows``.
    """
    pieces, start = [], 0
    for k, row in enumerate((np.asarray(rows) - offset).tolist()):
        stop = row - k  # ordinary rows before this one
        pieces.append(ordinary[start:stop])
        pieces.append(values[k : k + 1])
        start = stop
    pieces.append(ordinary[start:])
    return np.concatenate(pieces)
