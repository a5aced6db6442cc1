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

from ecosim.credit.bank import lending_rooms
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


def recognition_classes(recognition: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The distinct rows of a banks × platforms recognition matrix, in lexicographic order, and each bank's class.

    Same result as ``np.unique(recognition, axis=0, return_inverse=True)``: each row is read as a
    binary number whose first platform is the most significant digit.
    """
    digits = np.arange(recognition.shape[1] - 1, -1, -1)
    key = (recognition.astype(np.int64) << digits).sum(axis=1)
    present = np.bincount(key, minlength=1) > 0
    class_keys = np.flatnonzero(present)
    classes = ((class_keys[:, None] >> digits) & 1).astype(bool)
    return classes, (np.cumsum(present) - 1)[key]


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
    m_default = default[market]
    n_banks = len(model.banks)
    platforms = list(model.platforms)
    for platform in platforms:
        platform.sync()
    # What a bank sees of a firm depends on the bank only through which platforms it
    # recognises, so banks fall into a few classes; a firm's score for each class is the
    # precision of the ratings it holds that the class recognises.
    recognition = (np.stack([pl.recognised_by for pl in platforms], axis=1) if platforms
                   else np.zeros((n_banks, 0), dtype=bool))
    classes, bank_class = recognition_classes(recognition)
    covered = (np.stack([pl.covered[m_rows] for pl in platforms], axis=1) if platforms
               else np.zeros((len(m_rows), 0), dtype=bool))
    precision = np.array([pl.precision for pl in platforms], dtype=float)
    class_score = (covered * precision) @ classes.T.astype(float) if platforms else np.zeros((len(m_rows), 1))
    has_own = own[market] >= 0  # a firm's own bank is its default bank
    own_soft = np.where(has_own, f.soft_precision[m_rows], 0.0)
    best_bank = m_default.copy()
    best = class_score[np.arange(len(m_rows)), bank_class[m_default]] + own_soft
    room = lending_rooms(model) > 0
    eligible = listed_banks(model) & (room if room.any() else True)
    every_bank = np.arange(n_banks)
    for c in range(len(classes)):
        banks = np.flatnonzero(eligible & (bank_class == c))
        if len(banks) == 0:
            continue
        # Per default bank: the first eligible bank of the class from it, cyclically, and a tie-break
        # that prefers the default bank, then the banks right after it (which spreads the load).
        next_bank = banks[np.searchsorted(banks, every_bank) % len(banks)]
        tie_break = -1e-6 * ((next_bank - every_bank) % n_banks) / n_banks
        cand = next_bank[m_default]
        score = class_score[:, c] + tie_break[m_default] + np.where(cand == m_default, own_soft, 0.0)
        better = score > best
        best = np.where(better, score, best)
        best_bank = np.where(better, cand, best_bank)
    out = default.copy()
    out[market] = best_bank
    return out
