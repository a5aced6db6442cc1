"""The double-entry ledger through which every yuan moves.

Every agent (and every outside party money comes from or goes to) is an
*owner* with a small chart of accounts. Balances are kept debit-positive in one
numpy array, so a posting adds ``+amount`` to the debited account and
``-amount`` to the credited one. Each posting row debits and credits two
accounts of the *same* owner; a payment between two owners is therefore two
rows (the payer's and the payee's side), which keeps every owner's books
balanced on its own:

    assets - liabilities - equity = sum of the owner's debit-positive balances = 0

Money that enters or leaves the modelled economy (fiscal injections, founders'
capital, wages paid out, buyers at exit) is booked against named *external*
owners, so the whole system's balances also sum to zero.

Every account declares its normal side: an *asset* or *expense* (debit
balance), a *liability*, *equity*, *income* or *contra* (credit-balance
offset of an asset) account. Balanced books can still be wrong — an asset
credited past zero is money that does not exist — so the monthly check also
holds every asset to a balance ≥ 0 and every liability to a claim ≥ 0 (up to
rounding). Outside parties (:data:`EXTERNAL_CHART`) are exempt: their
``cash`` is the net of what the modelled economy took from or gave them.

Postings are vectorised: one call books thousands of rows at once. The model
calls :meth:`Ledger.check` after every month; a violation raises
:class:`BooksUnbalanced` (unbalanced owner or system) or
:class:`SignViolation` (an asset or liability on its wrong side) naming the
month, the owner, the account and the amount.
"""

from __future__ import annotations

import bisect
import math
from collections import defaultdict
from dataclasses import dataclass

import numpy as np

ASSET, LIABILITY, EQUITY, INCOME, EXPENSE, CONTRA = "asset", "liability", "equity", "income", "expense", "contra"
#: Normal sides of accounts, in the order of their codes in :attr:`Ledger.kind`.
SIDES = (ASSET, LIABILITY, EQUITY, INCOME, EXPENSE, CONTRA)
#: Sides whose balance is debit-positive (the rest are credit-positive).
DEBIT_SIDES = (ASSET, EXPENSE)
#: Sides whose sign the monthly check holds: an asset never below zero, a liability never a negative claim.
SIGNED_SIDES = (ASSET, LIABILITY)
#: Rounding allowed on a signed account, million yuan (one yuan).
SIGN_TOLERANCE = 1e-6

#: Argument types that make a posting a block of rows rather than a single row.
_ARRAYS = (np.ndarray, list, tuple)


class BooksUnbalanced(AssertionError):
    """The books do not balance: the message names the month, the accounts and the amount."""


class SignViolation(BooksUnbalanced):
    """An asset or liability on the wrong side of zero: the message names the month, owner, account and amount."""


@dataclass(frozen=True)
class Chart:
    """A chart of accounts: account names and their normal sides, in order.

    Attributes:
        accounts: ``(name, side)`` pairs; ``side`` is one of :data:`SIDES`.
        outside: Whether the owner is outside the modelled economy (its balances may take any sign).
    """

    accounts: tuple[tuple[str, str], ...]
    outside: bool = False

    def __post_init__(self) -> None:
        for name, side in self.accounts:
            if side not in SIDES:
                raise ValueError(f"account '{name}': side '{side}' must be one of {', '.join(SIDES)}")

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(name for name, _ in self.accounts)


#: Charts of accounts for each kind of owner.
FIRM_CHART = Chart(
    (("cash", ASSET), ("debt", LIABILITY), ("paid_in", EQUITY), ("retained", EQUITY))
)
BANK_CHART = Chart(
    (
        ("cash", ASSET),
        ("loans", ASSET),
        ("deposits", LIABILITY),
        ("relending", LIABILITY),
        ("capital", EQUITY),
        ("retained", EQUITY),
    )
)
GUARANTOR_CHART = Chart((("cash", ASSET), ("capital", EQUITY), ("retained", EQUITY)))
FUND_CHART = Chart(
    (
        ("cash", ASSET),
        ("investments", ASSET),
        ("lp_public", EQUITY),
        ("lp_private", EQUITY),
        ("retained", EQUITY),
    )
)
GOVERNMENT_CHART = Chart(
    (("cash", ASSET), ("fund_stakes", ASSET), ("equity_stakes", ASSET), ("net_position", EQUITY))
)
POOL_CHART = Chart((("cash", ASSET), ("endowment", EQUITY), ("retained", EQUITY)))
EXTERNAL_CHART = Chart((("cash", ASSET), ("net_flow", EQUITY)), outside=True)


def _row(accounts: np.ndarray, i: int) -> int:
    """Account of row ``i`` of a posting side (a single account serves every row)."""
    return int(accounts) if accounts.ndim == 0 else int(accounts[i])


def _book(balance: np.ndarray, legs: tuple[tuple[np.ndarray, np.ndarray, int], ...]) -> None:
    """Book the legs ``(accounts, amount, sign)`` in one pass: ``sign * amount[i]`` onto ``balance[accounts[i]]``.

    Row by row, leg after leg, in order (a single account serves every row of its leg), so every
    account receives the same additions in the same order as booking each leg on its own would give
    (subtracting an amount and adding its negation are the same operation in floating point).
    """
    if len(legs) == 1 and legs[0][0].ndim == 1:
        accounts, amount, sign = legs[0]
        (np.add if sign > 0 else np.subtract).at(balance, accounts, amount)
        return
    n = len(legs[0][1])
    accounts = np.concatenate([a.repeat(n) if a.ndim == 0 else a for a, _, _ in legs])
    amounts = np.concatenate([amount if sign > 0 else -amount for _, amount, sign in legs])
    np.add.at(balance, accounts, amounts)


class AccountNames:
    """``owner:account`` label of every account, spelled out only when one is asked for (error messages).

    Accounts are opened in blocks of owners sharing a chart, so a label follows
    from the block, the owner's position in it and the chart.
    """

    def __init__(self, ledger: Ledger) -> None:
        self._ledger = ledger
        self._starts: list[int] = []
        self._charts: list[Chart] = []

    def add_block(self, first_account: int, chart: Chart) -> None:
        """Record that accounts from ``first_account`` on belong to owners with ``chart``."""
        self._starts.append(first_account)
        self._charts.append(chart)

    def __getitem__(self, account) -> str:
        account = int(account)
        if not 0 <= account < self._ledger.n_accounts:
            raise IndexError(account)
        block = bisect.bisect_right(self._starts, account) - 1
        names = self._charts[block].names
        position = (account - self._starts[block]) % len(names)
        return f"{self._ledger.owner_names[self._ledger.owner[account]]}:{names[position]}"

    def __len__(self) -> int:
        return self._ledger.n_accounts


class Ledger:
    """One double-entry ledger for the whole model.

    Attributes:
        balance: Debit-positive balance of every account.
        owner: Owner id of every account.
        flows: Amount booked this month by transaction kind (reset by :meth:`close_month`).
    """

    def __init__(self, capacity: int = 1024) -> None:
        self.balance = np.zeros(capacity)
        self.owner = np.zeros(capacity, dtype=np.int64)
        self.kind = np.zeros(capacity, dtype=np.int8)  # index into SIDES
        self.signed = np.zeros(capacity, dtype=bool)  # sign held by the monthly check
        # +1 for a held asset, -1 for a held liability, 0 for the rest: balance × this is the natural balance
        # of every held account and 0 elsewhere (what check_signs compares with the tolerance).
        self._held_sign = np.zeros(capacity)
        self.n_accounts = 0
        self.owner_names: list[str] = []
        self.account_names = AccountNames(self)
        self.external: dict[str, int] = {}
        self.flows: dict[str, float] = defaultdict(float)
        self.totals: dict[str, float] = defaultdict(float)

    # ------------------------------------------------------------------ accounts

    def _grow(self, needed: int) -> None:
        cap = len(self.balance)
        if needed <= cap:
            return
        new = max(needed, cap * 2)
        self.balance = np.concatenate([self.balance, np.zeros(new - cap)])
        self.owner = np.concatenate([self.owner, np.zeros(new - cap, dtype=np.int64)])
        self.kind = np.concatenate([self.kind, np.zeros(new - cap, dtype=np.int8)])
        self.signed = np.concatenate([self.signed, np.zeros(new - cap, dtype=bool)])
        self._held_sign = np.concatenate([self._held_sign, np.zeros(new - cap)])

    def open(self, name: str, chart: Chart) -> dict[str, int]:
        """Open the accounts of one owner; return ``{account name: account id}``."""
        ids = self.open_many([name], chart)
        return {acct: int(ids[acct][0]) for acct in chart.names}

    def open_many(self, names: list[str], chart: Chart) -> dict[str, np.ndarray]:
        """Open accounts for many owners of one kind at once.

        Args:
            names: One label per owner (used in error messages).
            chart: Their chart of accounts.

        Returns:
            ``{account name: array of account ids, one per owner}``.
        """
        n, k = len(names), len(chart.accounts)
        first_owner = len(self.owner_names)
        start = self.n_accounts
        self._grow(start + n * k)
        ids = start + np.arange(n * k).reshape(n, k)
        owners = first_owner + np.arange(n)
        self.owner[start : start + n * k] = np.repeat(owners, k)
        kinds = np.array([SIDES.index(t) for _, t in chart.accounts], dtype=np.int8)
        self.kind[start : start + n * k] = np.tile(kinds, n)
        signed = np.array([t in SIGNED_SIDES and not chart.outside for _, t in chart.accounts], dtype=bool)
        self.signed[start : start + n * k] = np.tile(signed, n)
        held = np.where(signed, np.where(kinds == SIDES.index(ASSET), 1.0, -1.0), 0.0)
        self._held_sign[start : start + n * k] = np.tile(held, n)
        self.n_accounts += n * k
        self.owner_names.extend(names)
        self.account_names.add_block(start, chart)
        return {acct: ids[:, j].copy() for j, acct in enumerate(chart.names)}

    def external_owner(self, name: str) -> dict[str, int]:
        """Accounts of a named outside party (opened on first use)."""
        if name not in self.external:
            accts = self.open(f"external:{name}", EXTERNAL_CHART)
            self.external[name] = accts["cash"]
            self._external_accts = getattr(self, "_external_accts", {})
            self._external_accts[name] = accts
        return self._external_accts[name]

    # ------------------------------------------------------------------ posting

    def post(self, kind: str, debit, credit, amount) -> None:
        """Book balanced rows: debit ``debit[i]`` and credit ``credit[i]`` by ``amount[i]``.

        Both accounts of a row must belong to the same owner. Scalars broadcast.

        Raises:
            BooksUnbalanced: When a row's two accounts belong to different owners,
                or an amount is not finite.
        """
        total = self._post(kind, debit, credit, amount)
        self.flows[kind] += total
        self.totals[kind] += total

    def transfer(self, kind: str, payer_cash, payer_contra, payee_cash, payee_contra, amount) -> None:
        """Pay ``amount`` from one owner's cash to another's, each side booked against a contra account.

        The payer debits ``payer_contra`` (an expense, a new asset or a reduced liability) and
        credits its cash; the payee debits its cash and credits ``payee_contra`` (income, a new
        liability or new equity, or a reduced asset). The flow is counted once under ``kind``.
        """
        if not (isinstance(amount, _ARRAYS) or isinstance(payer_cash, _ARRAYS) or isinstance(payee_cash, _ARRAYS)
                or isinstance(payer_contra, _ARRAYS) or isinstance(payee_contra, _ARRAYS)):
            total = self._post_one(kind, int(payer_contra), int(payer_cash), float(amount))
            self._post_one(kind, int(payee_cash), int(payee_contra), total)
        else:
            amount, total = self._amounts(kind, amount, (payer_contra, payer_cash, payee_cash, payee_contra))
            if amount.size:
                payer_contra, payer_cash = self._sides(kind, payer_contra, payer_cash, amount)
                payee_cash, payee_contra = self._sides(kind, payee_cash, payee_contra, amount)
                _book(self.balance, ((payer_contra, amount, 1), (payer_cash, amount, -1),
                                     (payee_cash, amount, 1), (payee_contra, amount, -1)))
        self.flows[kind] += total
        self.totals[kind] += total

    def _post(self, kind: str, debit, credit, amount) -> float:
        if not (isinstance(debit, _ARRAYS) or isinstance(credit, _ARRAYS) or isinstance(amount, _ARRAYS)):
            return self._post_one(kind, int(debit), int(credit), float(amount))
        amount, total = self._amounts(kind, amount, (debit, credit))
        self._rows(kind, debit, credit, amount)
        return total

    def _amounts(self, kind: str, amount, accounts: tuple) -> tuple[np.ndarray, float]:
        """A posting's amounts as one row each (a single amount serves every row), and their total.

        Raises:
            BooksUnbalanced: When an amount is not finite, naming the accounts of its row.
        """
        amount = np.asarray(amount, dtype=float)
        if amount.ndim != 1:
            n = max((np.size(a) for a in accounts), default=1)
            amount = np.full(n, amount) if amount.ndim == 0 else amount.ravel()
        total = float(amount.sum())
        if not math.isfinite(total) and not np.isfinite(amount).all():
            bad = int(np.flatnonzero(~np.isfinite(amount))[0])
            debit, credit = (np.asarray(a, dtype=np.int64) for a in accounts[:2])
            raise BooksUnbalanced(
                f"{kind}: non-finite amount {amount[bad]} between {self.account_names[_row(debit, bad)]} "
                f"and {self.account_names[_row(credit, bad)]}"
            )
        return amount, total

    def _rows(self, kind: str, debit, credit, amount: np.ndarray) -> None:
        """Book ``amount[i]`` from ``credit[i]`` to ``debit[i]``: both of one owner (a single account serves every row)."""
        if amount.size == 0:
            return
        debit, credit = self._sides(kind, debit, credit, amount)
        _book(self.balance, ((debit, amount, 1), (credit, amount, -1)))

    def _sides(self, kind: str, debit, credit, amount: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The debit and credit accounts of a block of rows, as int64 arrays, checked to be of one owner each row.

        Raises:
            ValueError: When a side has neither one account nor one per row.
            BooksUnbalanced: When a row's two accounts belong to different owners.
        """
        debit = np.asarray(debit, dtype=np.int64)
        credit = np.asarray(credit, dtype=np.int64)
        for side in (debit, credit):
            if side.ndim > 1 or (side.ndim == 1 and len(side) != len(amount)):
                raise ValueError(f"{kind}: {side.size} accounts for {len(amount)} amounts")
        owner = self.owner
        if (owner[debit] != owner[credit]).any():
            mismatch = np.broadcast_to(owner[debit] != owner[credit], amount.shape)
            i = int(np.flatnonzero(mismatch)[0])
            raise BooksUnbalanced(
                f"{kind}: a row debits {self.account_names[_row(debit, i)]} but credits "
                f"{self.account_names[_row(credit, i)]} (different owners), amount {amount[i]:.6f}"
            )
        return debit, credit

    def _post_one(self, kind: str, debit: int, credit: int, amount: float) -> float:
        """One row: the same checks as :meth:`_post`, without array overhead."""
        if not math.isfinite(amount):
            raise BooksUnbalanced(f"{kind}: non-finite amount {amount} between {self.account_names[debit]} "
                                  f"and {self.account_names[credit]}")
        if self.owner[debit] != self.owner[credit]:
            raise BooksUnbalanced(
                f"{kind}: a row debits {self.account_names[debit]} but credits "
                f"{self.account_names[credit]} (different owners), amount {amount:.6f}"
            )
        self.balance[debit] += amount
        self.balance[credit] -= amount
        return amount

    def get(self, account) -> np.ndarray | float:
        """Debit-positive balance of one account or an array of accounts."""
        if np.isscalar(account):
            return float(self.balance[account])
        return self.balance[np.asarray(account, dtype=np.int64)]

    def credit_balance(self, account) -> np.ndarray | float:
        """Balance of liability or equity accounts, credit-positive."""
        return -self.get(account)

    # ------------------------------------------------------------------ checks

    def check(self, month: int, tol: float = 1e-6) -> None:
        """Verify every owner's assets = liabilities + equity and that the whole system sums to zero.

        Raises:
            BooksUnbalanced: Naming the month, the owner's accounts and the amount.
        """
        n = self.n_accounts
        bal = self.balance[:n]
        per_owner = np.bincount(self.owner[:n], weights=bal, minlength=len(self.owner_names))
        # The tolerance is relative to the owner's gross balances (at least 1): only owners off by more
        # than ``tol`` can fail it, so the gross balances are summed for those alone.
        suspect = np.flatnonzero(np.abs(per_owner) > tol)
        if len(suspect):
            in_suspect = np.isin(self.owner[:n], suspect)
            scale = np.bincount(self.owner[:n][in_suspect], weights=np.abs(bal[in_suspect]),
                                minlength=len(self.owner_names))
            bad = np.zeros(len(per_owner), dtype=bool)
            bad[suspect] = np.abs(per_owner[suspect]) > tol * np.maximum(1.0, scale[suspect])
        else:
            bad = np.zeros(0, dtype=bool)
        if bad.any():
            o = int(np.flatnonzero(bad)[0])
            accts = np.flatnonzero(self.owner[:n] == o)
            detail = ", ".join(f"{self.account_names[a]}={bal[a]:.6f}" for a in accts)
            raise BooksUnbalanced(
                f"month {month}: {self.owner_names[o]} is out of balance by {per_owner[o]:.6f} "
                f"(assets - liabilities - equity); accounts: {detail}"
            )
        total = float(bal.sum())
        if abs(total) > tol and abs(total) > tol * max(1.0, float(np.abs(bal).sum())):
            raise BooksUnbalanced(f"month {month}: the system's balances sum to {total:.6f}, not zero")
        self.check_signs(month)

    def check_signs(self, month: int, tol: float = SIGN_TOLERANCE) -> None:
        """Verify that no asset is below zero and no liability is a negative claim (beyond ``tol``).

        Raises:
            SignViolation: Naming the month, the owner, the account and its balance, for the worst account.
        """
        n = self.n_accounts
        if not (self.balance[:n] * self._held_sign[:n] < -tol).any():  # the common case: nothing to report
            return
        # natural balance: debit-positive for assets, credit-positive for liabilities
        natural = np.where(self.kind[:n] == SIDES.index(ASSET), self.balance[:n], -self.balance[:n])
        wrong = self.signed[:n] & (natural < -tol)
        if wrong.any():
            bad = np.flatnonzero(wrong)
            a = int(bad[np.argmin(natural[bad])])
            owner, account = self.account_names[a].rsplit(":", 1)
            side = SIDES[self.kind[a]]
            raise SignViolation(
                f"month {month}: {owner} has {side} '{account}' at {natural[a]:.6f} million yuan, below zero "
                f"({len(bad)} account(s) on the wrong side)"
            )

    def close_month(self) -> dict[str, float]:
        """Return this month's flows by kind and start a new month."""
        flows = dict(self.flows)
        self.flows = defaultdict(float)
        return flows

    def statement(self, owner_accounts: dict[str, int]) -> dict[str, float]:
        """Balances of one owner's accounts, each with its natural sign (assets and claims positive)."""
        out = {}
        debit = {SIDES.index(side) for side in DEBIT_SIDES}
        for name, acct in owner_accounts.items():
            sign = 1.0 if self.kind[acct] in debit else -1.0
            out[name] = sign * float(self.balance[acct])
        return out
