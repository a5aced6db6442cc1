"""The crowding-in signal: a guidance fund on a firm's cap table tells others the firm is worth backing.

A guidance-fund investment is public, screened and costly to the government,
so private VCs, AIC funds and banks read it as a signal of quality. The signal
shifts their view of the firm's quality by ``funds.crowding_in`` standard
deviations (0 switches it off). The firm columns it reads are
``fund_backed`` and ``first_fund_month`` (:mod:`ecosim.firms.state`); banks
read it through :func:`crowding_in` as the ``signal_bonus`` of
:func:`ecosim.credit.officer.lender_view`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from ecosim.model import EcosystemModel


def crowding_in(model: EcosystemModel, rows: np.ndarray) -> np.ndarray:
    """Shift of outsiders' view of quality (sd units) for the given firm rows.

    Args:
        model: The model.
        rows: Firm rows.

    Returns:
        ``funds.crowding_in`` where a guidance fund has invested in the firm, else 0.
    """
    return model.params.funds.crowding_in * model.firms.fund_backed[rows].astype(float)
