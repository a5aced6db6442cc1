"""The startup state columns, declared once.

Each startup is one row. Stages and statuses are small integer codes named
below. Latent quality has five dimensions (technology, team, market, IP,
governance), each standard normal; ``quality`` is their mean scaled back to
unit variance. Nobody in the model sees latent quality directly: lenders and
investors see ratings, revenue, collateral, age and soft information.
"""

from __future__ import annotations

import numpy as np

from ecosim.columns import Column

#: Stage codes, in order of development.
SEED, EARLY, GROWTH, MATURE = 0, 1, 2, 3
STAGES: tuple[str, ...] = ("seed", "early", "growth", "mature")

#: Status codes.
ACTIVE, FAILED, ACQUIRED, LISTED = 0, 1, 2, 3
STATUSES: tuple[str, ...] = ("active", "failed", "acquired", "listed")

#: Failure causes (``exit_cause``): none, insolvent for months with no bridge left, a latent
#: technical or market failure, a missed loan payment.
CAUSE_NONE, CAUSE_INSOLVENT, CAUSE_QUALITY, CAUSE_LOAN_DEFAULT = 0, 1, 2, 3
CAUSES: tuple[str, ...] = ("none", "insolvent", "quality", "loan_default")

#: ``doomed_since`` of a firm no technical or market failure has struck: below every month, the
#: pre-history's negative months included.
NOT_STRUCK = -1_000_000

QUALITY_DIMENSIONS: tuple[str, ...] = ("technology", "team", "market", "ip", "governance")

FIRM_COLUMNS: tuple[Column, ...] = (
    Column("agent_id", np.int64, -1, "Mesa unique_id of the startup's handle"),
    Column("sector", np.int8, 0, "index into ecosim.scenario.SECTORS"),
    Column("stage", np.int8, SEED, "development stage code (SEED..MATURE)"),
    Column("status", np.int8, ACTIVE, "ACTIVE, FAILED, ACQUIRED or LISTED"),
    Column("founded", np.int32, 0, "month the firm entered"),
    Column("exit_month", np.int32, -1, "month the firm left (failed, acquired, listed); -1 while active"),
    # latent quality, five dimensions plus the composite
    Column("q_technology", np.float32, 0.0, "latent technology quality (sd units)"),
    Column("q_team", np.float32, 0.0, "latent team quality"),
    Column("q_market", np.float32, 0.0, "latent market quality"),
    Column("q_ip", np.float32, 0.0, "latent intellectual-property quality"),
    Column("q_governance", np.float32, 0.0, "latent governance quality"),
    Column("quality", np.float32, 0.0, "composite latent quality (unit variance)"),
    # operations
    Column("progress", np.float32, 0.0, "progress toward the next milestone (1 = reached)"),
    Column("fixed_costs", np.float64, 0.0, "monthly fixed costs at full operation (core staff, rent, R&D), million yuan"),
    Column("burn", np.float64, 0.0, "this month's operating costs (fixed after cuts plus variable), million yuan"),
    Column("market_size", np.float64, 0.0, "monthly revenue at which a median firm's market saturates, million yuan"),
    Column("revenue", np.float64, 0.0, "monthly revenue, million yuan"),
    Column("employees", np.float32, 0.0, "social-insurance payers"),
    Column("patents", np.int32, 0, "patents filed to date"),
    Column("first_sale", np.int32, -1, "month of the firm's first sale; -1 before it sells"),
    # survival effort
    Column("hibernating", np.bool_, False, "fixed costs cut and R&D slowed because cash runs short"),
    Column("paid_share", np.float32, 1.0, "share of last month's operating costs the firm could pay"),
    Column("months_insolvent", np.int16, 0, "consecutive months the firm could not pay its costs in full"),
    Column("bridges", np.int16, 0, "bridge rounds received from founders and insiders"),
    Column("doomed_since", np.int32, NOT_STRUCK, "month a technical or market failure struck; NOT_STRUCK when none"),
    Column("exit_cause", np.int8, CAUSE_NONE, "why a failed firm failed (CAUSES); CAUSE_NONE otherwise"),
    Column("collateral", np.float64, 0.0, "pledgeable fixed assets, million yuan"),
    # financing history
    Column("debt_raised", np.float64, 0.0, "total loan principal ever received"),
    Column("equity_raised", np.float64, 0.0, "total equity ever raised from investors"),
    Column("grants", np.float64, 0.0, "total grants received"),
    Column("need_since", np.int32, -1, "month the current need for money began; -1 when none"),
    Column("pending_until", np.int32, -1, "month an approved loan is paid out; -1 when none"),
    Column("applications", np.int32, 0, "loan applications made"),
    Column("fund_backed", np.bool_, False, "a guidance fund holds equity (a signal to others)"),
    Column("valuation", np.float64, 0.0, "post-money valuation at the last round, million yuan"),
    Column("rounds", np.int16, 0, "equity rounds raised from investors"),
    Column("first_fund_month", np.int32, -1, "month of the first guidance-fund investment; -1 when none"),
    Column("seed_financed", np.bool_, False, "raised an equity round while at seed stage"),
    # capital-market ladder (codes in ecosim.equity.boards.BOARDS)
    Column("board", np.int8, -1, "board the firm is listed on; -1 when none"),
    Column("board_since", np.int32, -1, "month the firm joined its current board"),
    Column("regional_since", np.int32, -1, "month the firm joined the regional equity market; -1 when never"),
    Column("admit_month", np.int32, -1, "month a pending NEEQ application is admitted; -1 when none"),
    Column("revenue_last", np.float64, 0.0, "last month's revenue (for growth criteria)"),
    # what outsiders can see
    Column("rating", np.float32, np.nan, "platform rating (noisy reading of quality); NaN when unrated"),
    Column("rating_precision", np.float32, 0.0, "precision of the rating as a reading of quality"),
    Column("soft_signal", np.float32, 0.0, "soft information about quality held by the relationship bank"),
    Column("soft_precision", np.float32, 0.0, "precision of the soft information (0 = none)"),
    Column("rel_bank", np.int32, -1, "index of the relationship bank; -1 when none"),
    Column("visits", np.int32, 0, "partner-team visits received"),
    # ledger accounts
    Column("acct_cash", np.int64, -1, "ledger account: cash"),
    Column("acct_debt", np.int64, -1, "ledger account: loans payable"),
    Column("acct_paid_in", np.int64, -1, "ledger account: paid-in equity"),
    Column("acct_retained", np.int64, -1, "ledger account: retained earnings"),
)


def struck(doomed_since: np.ndarray) -> np.ndarray:
    """Whether a technical or market failure has struck each firm (``doomed_since`` holds its month)."""
    return doomed_since > NOT_STRUCK
