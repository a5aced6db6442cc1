"""The yearly evaluation of banks' service to tech firms, and the incentives it drives.

Each year end the central bank's evaluator scores every bank on ten indicator
classes of its tech lending (:data:`INDICATORS`), computed from the loan book
over the past year by :func:`bank_indicators`. Each class earns 0–10 points by
where the bank stands between the worst and the best bank (min–max scaling;
for NPL and rates lower is better; all banks equal earn 5), and the score is
the sum, 0–100 (:func:`score_banks`).

Scores drive incentives, which the credit code reads as attributes of
:class:`~ecosim.credit.bank.Bank`:

* ``relending_quota``: the share of the scenario's re-lending funding a bank may
  use, from ``evaluation.quota_floor`` for a score of 0 to 1 for 100;
* ``funding_discount``: the rediscount saving for banks at or above
  ``evaluation.rediscount_score``;
* ``accreditation``: the tech-branch ladder, 0 none, 1 reserve, 2 upgrading,
  3 accredited; one step up a year at ``promote_score``, one down below
  ``demote_score``. Each step raises ``appetite`` (extra rate headroom for tech
  loans) and ``delegated_multiplier`` (the branch's delegated approval limit).

Every bank's yearly indicators, points, score and incentives are kept in
:attr:`BankEvaluator.records` and written to ``banks.csv``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import mesa
import numpy as np
import pandas as pd

from ecosim.credit import loans as L
from ecosim.credit.bank import npl_ratios

if TYPE_CHECKING:
    from ecosim.model import EcosystemModel

#: The ten indicator classes: name -> (meaning, higher is better).
INDICATORS: dict[str, tuple[str, bool]] = {
    "tech_loan_balance": ("outstanding tech loans at year end, million yuan", True),
    "balance_growth": ("growth of the tech-loan balance over the year (1 = doubled; 1 from zero)", True),
    "tech_loan_share": ("tech-loan balance as a share of the bank's lending capacity", True),
    "tech_borrowers": ("tech firms with an outstanding loan from the bank", True),
    "first_time_borrowers": ("firms whose first loan ever came from the bank this year", True),
    "credit_loan_share": ("share of the year's new lending without collateral or guarantee", True),
    "medium_long_share": ("share of the year's new lending with tenor over 12 months", True),
    "mean_rate": ("principal-weighted mean rate of the year's new loans", False),
    "npl_ratio": ("the bank's NPL ratio at year end", False),
    "young_firm_share": ("share of the year's new lending to firms under three years old", True),
}
#: Accreditation ladder of tech branches.
LADDER: tuple[str, ...] = ("none", "reserve", "upgrading", "accredited")


def bank_indicators(model: EcosystemModel, since: int, previous_balance: np.ndarray | None = None) -> pd.DataFrame:
    """Each bank's ten indicators over the months after ``since`` up to now.

    Args:
        model: The model.
        since: Last month of the previous evaluation period (loans starting after it are new).
        previous_balance: Each bank's tech-loan balance at the previous evaluation (zeros if none).

    Returns:
        One row per bank (index = bank index), one column per indicator.
    """
    n = len(model.banks)
    loans = model.loans
    f = model.firms
    m = len(loans)
    bank = loans.bank[:m].astype(np.int64)
    act = loans.status[:m] == L.ACTIVE
    balance = np.bincount(bank[act], weights=loans.outstanding[:m][act], minlength=n)
    prev = np.zeros(n) if previous_balance is None else np.asarray(previous_balance, dtype=float)
    growth = np.where(prev > 0, (balance - prev) / np.where(prev > 0, prev, 1.0), np.where(balance > 0, 1.0, 0.0))
    capacity = np.array([max(b.equity, 0.0) / model.params.banks.capital_ratio for b in model.banks])
    share = np.where(capacity > 0, balance / np.where(capacity > 0, capacity, 1.0), 0.0)
    firm = loans.firm[:m].astype(np.int64)
    start = loans.start[:m]
    new = start > since
    # Borrowers: distinct (bank, firm) pairs among active loans, counted per bank.
    pairs = np.sort(bank[act] * max(len(f), 1) + firm[act])
    pairs = pairs[np.r_[True, pairs[1:] != pairs[:-1]]] if len(pairs) else pairs
    borrowers = np.bincount(pairs // max(len(f), 1), minlength=n)
    # First-time borrowers: the firm's first loan ever started in the period, at this bank. That is
    # the earliest new loan (the earlier one among equal starts) of a firm with no loan before.
    borrowed_before = np.zeros(len(f), dtype=bool)
    borrowed_before[firm[~new]] = True
    candidates = np.flatnonzero(new & ~borrowed_before[firm])
    order = candidates[np.lexsort((start[candidates], firm[candidates]))]  # stable
    firsts = order[np.r_[True, firm[order][1:] != firm[order][:-1]]] if len(order) else order
    first_time = np.bincount(bank[firsts], minlength=n).astype(float)
    principal = loans.principal[:m]
    new_total = np.bincount(bank[new], weights=principal[new], minlength=n)

    def new_share(mask: np.ndarray) -> np.ndarray:
        part = np.bincount(bank[new & mask], weights=principal[new & mask], minlength=n)
        return np.where(new_total > 0, part / np.where(new_total > 0, new_total, 1.0), 0.0)

    credit = (loans.collateral[:m] <= 0) & ~loans.guaranteed[:m]
    medium = loans.tenor[:m] > 12
    young = (start - f.founded[firm]) < 36 if m else np.zeros(0, dtype=bool)
    rate_sum = np.bincount(bank[new], weights=(principal * loans.rate[:m])[new], minlength=n)
    mean_rate = np.where(new_total > 0, rate_sum / np.where(new_total > 0, new_total, 1.0), np.nan)
    return pd.DataFrame(
        {
            "tech_loan_balance": balance,
            "balance_growth": growth,
            "tech_loan_share": share,
            "tech_borrowers": borrowers.astype(float),
            "first_time_borrowers": first_time,
            "credit_loan_share": new_share(credit),
            "medium_long_share": new_share(medium),
            "mean_rate": mean_rate,
            "npl_ratio": npl_ratios(model),  # every bank's Bank.npl_ratio in one pass
            "young_firm_share": new_share(young),
        },
        index=pd.RangeIndex(n, name="bank"),
    )


def score_banks(indicators: pd.DataFrame) -> pd.DataFrame:
    """Points (0–10) per indicator class and the total score (0–100) of each bank.

    A class's points scale each bank between the worst (0) and the best (10) bank;
    lower is better for ``mean_rate`` and ``npl_ratio``; when all banks are equal
    every bank earns 5; a missing value (no new loans to price) earns 0.
    """
    points = {}
    for name, (_, higher) in INDICATORS.items():
        x = indicators[name].to_numpy(dtype=float)
        ok = ~np.isnan(x)
        pts = np.zeros(len(x))
        if ok.any():
            lo, hi = x[ok].min(), x[ok].max()
            if hi > lo:
                scaled = (x[ok] - lo) / (hi - lo)
                pts[ok] = 10.0 * (scaled if higher else 1.0 - scaled)
            else:
                pts[ok] = 5.0
        points[f"points_{name}"] = pts
    out = pd.DataFrame(points, index=indicators.index)
    out["score"] = out.sum(axis=1)
    return out


class BankEvaluator(mesa.Agent):
    """The central bank's evaluator: scores banks each year end and sets their incentives.

    Attributes:
        records: One dict per bank per evaluation (indicators, points, score, incentives).
        latest: The latest evaluation's table (None before the first).
        score_mean: Mean score of the banks at the latest evaluation (NaN before the first).
    """

    def __init__(self, model: EcosystemModel) -> None:
        super().__init__(model)
        self.records: list[dict] = []
        self.last_month = 0
        self.last_balance = np.zeros(len(model.banks))
        self.latest: pd.DataFrame | None = None
        self.score_mean = float("nan")
        model.graph.add_node(self.unique_id, "central_bank")

    @property
    def params(self):
        return self.model.params.evaluation

    def evaluate(self) -> pd.DataFrame:
        """Score every bank on the year just ended, apply the incentives, keep the record."""
        model = self.model
        ind = bank_indicators(model, self.last_month, self.last_balance)
        pts = score_banks(ind)
        self.apply_incentives(pts["score"].to_numpy())
        banks = model.banks
        n = len(banks)
        columns = {
            "year": np.full(n, model.month // 12, dtype=np.int64),
            "month": np.full(n, model.month, dtype=np.int64),
            **{name: ind[name].to_numpy() for name in ind.columns},
            **{name: pts[name].to_numpy() for name in pts.columns},
            "accreditation": [LADDER[b.accreditation] for b in banks],
            "relending_quota": [b.relending_quota for b in banks],
            "rediscount": [b.funding_discount > 0 for b in banks],
            "appetite": [b.appetite for b in banks],
            "delegated_multiplier": [b.delegated_multiplier for b in banks],
        }
        table = pd.DataFrame(columns, index=ind.index)
        # One record per bank, with plain Python values.
        names = ["bank", *columns]
        values = [ind.index.tolist(), *(np.asarray(v).tolist() for v in columns.values())]
        self.records.extend(dict(zip(names, row, strict=True)) for row in zip(*values, strict=True))
        self.last_month = model.month
        self.last_balance = ind["tech_loan_balance"].to_numpy().copy()
        self.latest = table
        self.score_mean = float(table["score"].mean())
        return table

    def apply_incentives(self, scores: np.ndarray) -> None:
        """Re-lending quotas, rediscount access and one step on the accreditation ladder per bank."""
        p = self.params
        for bank, s in zip(self.model.banks, scores.tolist(), strict=True):
            bank.relending_quota = p.quota_floor + (1.0 - p.quota_floor) * s / 100.0
            bank.funding_discount = p.rediscount_benefit if s >= p.rediscount_score else 0.0
            if s >= p.promote_score:
                bank.accreditation = min(bank.accreditation + 1, len(LADDER) - 1)
            elif s < p.demote_score:
                bank.accreditation = max(bank.accreditation - 1, 0)
            bank.appetite = p.appetite_step * bank.accreditation
            bank.delegated_multiplier = 1.0 + p.authority_step * bank.accreditation

    def frame(self) -> pd.DataFrame:
        """Every bank's yearly evaluations, one row per bank per year."""
        cols = ["year", "month", "bank", *INDICATORS, *(f"points_{k}" for k in INDICATORS), "score",
                "accreditation", "relending_quota", "rediscount", "appetite", "delegated_multiplier"]
        return pd.DataFrame(self.records, columns=cols)


def evaluate_banks(model: EcosystemModel) -> None:
    """Yearly phase (each twelfth month): the evaluator scores banks and sets their incentives."""
    if model.evaluator is not None and model.month % 12 == 0:
        model.evaluator.evaluate()


def incentive_terms(model: EcosystemModel, bank_idx: np.ndarray) -> dict[str, np.ndarray]:
    """What the evaluation's incentives mean for loans at banks ``bank_idx`` (one entry per loan).

    Returns:
        ``funding_cost`` (annual, after the bank's re-lending quota and rediscount
        saving), ``relending_share`` (of principal), ``rate_cap`` (the scenario's cap
        plus the bank's appetite) and ``delegated_limit`` (the scenario's limit times
        the bank's multiplier). With the default bank attributes these equal the
        scenario's uniform terms.
    """
    from ecosim.credit.lending import funding_cost

    p = model.params
    inc = p.incentives
    bank_idx = np.asarray(bank_idx, dtype=np.int64)
    quota = np.array([b.relending_quota for b in model.banks])[bank_idx]
    discount = np.array([b.funding_discount for b in model.banks])[bank_idx]
    appetite = np.array([b.appetite for b in model.banks])[bank_idx]
    multiplier = np.array([b.delegated_multiplier for b in model.banks])[bank_idx]
    base_cost, base_share = funding_cost(model)
    share = base_share * quota
    # Re-lending the bank loses to a smaller quota is funded at the deposit rate instead.
    cost = base_cost + (base_share - share) * (p.banks.funding_rate - inc.relending_rate) - discount
    return {
        "funding_cost": cost,
        "relending_share": share,
        "rate_cap": p.banks.rate_cap + appetite,
        "delegated_limit": inc.delegated_limit * multiplier,
    }
