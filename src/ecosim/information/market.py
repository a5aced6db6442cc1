"""The municipal product marketplace (泉融通): which banks and products a firm reaches.

Off the marketplace a firm knows the products of one bank: its relationship
bank, or one bank it finds by its own search. On the marketplace it sees every
listed bank's products (121 institutions and 427 products in Jinan) and the
platform matches it to the listed bank that can see the most about it (the
ratings that bank recognises, plus soft information if it is the firm's own
bank). The marketplace widens the firm's search; it carries no risk.

The municipal platform also hosts the data-based small loan (泉融e贷) and the
guaranteed tech loan scored on social-insurance and IP data; the lending code
can ask :func:`on_marketplace` which applicants reach those products.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from ecosim.information.platform import get_platform

if TYPE_CHECKING:
    from ecosim.model import EcosystemModel


def on_marketplace(model: EcosystemModel, rows: np.ndarray) -> np.ndarray:
    """Per firm in ``rows``: whether it is on the municipal marketplace."""
    platform = get_platform(model, "municipal")
    rows = np.asarray(rows, dtype=np.int64)
    if platform is None:
        return np.zeros(len(rows), dtype=bool)
    platform.sync()
    return platform.covered[rows]


def banks_reached(model: EcosystemModel, rows: np.ndarray, found: np.ndarray | None = None) -> np.ndarray:
    """Which banks each firm can apply to: a boolean matrix (firms × banks).

    Args:
        model: The model.
        rows: Firm rows.
        found: For firms without a relationship bank, the bank their own search finds
            (default: bank 0).
    """
    rows = np.asarray(rows, dtype=np.int64)
    n_banks = len(model.banks)
    f = model.firms
    own = f.rel_bank[rows]
    found = np.zeros(len(rows), dtype=np.int64) if found is None else np.asarray(found, dtype=np.int64)
    known = np.where(own >= 0, own, found)
    out = np.zeros((len(rows), n_banks), dtype=bool)
    out[np.arange(len(rows)), known] = True
    listed = listed_banks(model)
    out[on_marketplace(model, rows)] |= listed
    return out


def listed_banks(model: EcosystemModel) -> np.ndarray:
    """Per bank: whether it lists products on the municipal marketplace."""
    platform = get_platform(model, "municipal")
    if platform is None:
        return np.zeros(len(model.banks), dtype=bool)
    return platform.recognised_by.copy()


def products_reached(model: EcosystemModel, rows: np.ndarray, found: np.ndarray | None = None) -> np.ndarray:
    """How many loan products each firm can see and apply to (products per bank × banks reached)."""
    per_bank = model.params.platforms.products_per_bank
    return banks_reached(model, rows, found).sum(axis=1) * per_bank


def choose_bank(model: EcosystemModel, rows: np.ndarray, found: np.ndarray) -> np.ndarray:
    """The bank each applicant applies to.

    A firm off the marketplace applies to its relationship bank, or to the bank its
    own search found. A firm on the marketplace is matched to the reachable bank
    that sees the most about it: the precision of the platform ratings the bank
    recognises, plus the soft information of the firm's own bank, among banks
    with lending room; ties go to the bank the firm would have applied to
    anyway, then to the next banks after it (which spreads the load).

    Args:
        model: The model.
        rows: Applicant firm rows.
        found: The bank each firm's own search finds (one per applicant).
    """
    rows = np.asarray(rows, dtype=np.int64)
    found = np.asarray(found, dtype=np.int64)
    f = model.firms
    own = f.rel_bank[rows]
    default = np.where(own >= 0, own, found)
    market = on_marketplace(model, rows)
    if not market.any():
        return default
    m_rows = rows[market]
    reach = banks_reached(model, m_rows, found[market])
    score = np.zeros(reach.shape)
    for platform in model.platforms:
        platform.sync()
        score += np.outer(platform.covered[m_rows], platform.recognised_by) * platform.precision
    has_own = own[market] >= 0
    idx = np.flatnonzero(has_own)
    score[idx, own[market][has_own]] += f.soft_precision[m_rows[has_own]]
    # Ties go to the bank the firm would have applied to, then round the banks from it (spreads the load).
    n_banks = len(model.banks)
    score -= 1e-6 * ((np.arange(n_banks)[None, :] - default[market][:, None]) % n_banks) / n_banks
    room = np.array([bk.lending_room() for bk in model.banks]) > 0
    if room.any():
        reach &= room[None, :] | (np.arange(n_banks)[None, :] == default[market][:, None])
    score[~reach] = -np.inf
    out = default.copy()
    out[market] = np.argmax(score, axis=1)
    return out
