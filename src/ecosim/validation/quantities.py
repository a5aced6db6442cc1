"""Simulated quantities that the validation targets compare with published figures.

Each quantity is one small function of a :class:`RunData` (what one run left
behind: summary, monthly metrics, firms, loans, defaults and equity deals),
registered under a name with :func:`quantity`. A function raises
:class:`NotAvailable` when the model version does not produce what it needs
(a loan product, a summary key, a long enough horizon); the scorecard then
lists the target as "not available in this model version" and counts it as a
failure instead of silently skipping it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ecosim.validation.survival import share_not_failed


class NotAvailable(Exception):
    """The quantity cannot be computed from this model version (the message says why)."""


@dataclass
class RunData:
    """What one run left behind, in plain tables (small enough to send between processes).

    Attributes:
        summary: ``RunResult.summary``.
        metrics: Monthly metrics, one row per month.
        months: Months simulated.
        firms: One row per firm ever: ``founded``, ``exit_month`` (-1 while operating), ``status``.
        loans: One row per loan: ``firm``, ``product`` (name), ``start`` (month of disbursal), ``principal``,
            ``guaranteed``, ``fee_rate``, ``rate``, ``defaulted`` (written off or in workout), ``repaid``.
        defaults: One row per defaulted loan: ``product`` (name), ``amount`` (loss after collateral),
            ``loss_bank``, ``loss_guarantors``, ``loss_pool``.
        deals: One row per equity stake: ``cost``, ``proceeds``, ``active``, ``guidance``.
        initial_firms: Startups at month 0 (``run.firms``), the model's size relative to Jinan.
        shrinking: Shares of firm-years with falling revenue and with falling staff (year-end panel).
    """

    summary: dict[str, float]
    metrics: pd.DataFrame
    months: int
    firms: pd.DataFrame
    loans: pd.DataFrame
    defaults: pd.DataFrame
    deals: pd.DataFrame
    initial_firms: int = 0
    shrinking: tuple[float, float] = (float("nan"), float("nan"))

    @classmethod
    def from_model(cls, model, metrics: pd.DataFrame, summary: dict[str, float]) -> RunData:
        """Collect the tables from a finished model."""
        from ecosim.credit import loans as L
        from ecosim.events import EVENT_KINDS
        from ecosim.firms import state as S

        f = model.firms
        firms = pd.DataFrame({"founded": f.founded.astype(np.int64), "exit_month": f.exit_month.astype(np.int64),
                              "status": f.status.astype(np.int8)})
        firms.attrs["failed_code"] = S.FAILED
        lb = model.loans
        n = len(lb)
        names = np.array(L.PRODUCTS, dtype=object)
        loans = pd.DataFrame({
            "firm": lb.firm[:n].copy(),
            "product": names[lb.product[:n]] if n else np.array([], dtype=object),
            "start": lb.start[:n].astype(np.int64),
            "principal": lb.principal[:n].copy(),
            "guaranteed": lb.guaranteed[:n].copy(),
            "fee_rate": lb.fee_rate[:n].copy(),
            "rate": lb.rate[:n].copy(),
            "defaulted": (lb.status[:n] == L.DEFAULTED) | (lb.status[:n] == L.WORKOUT),
            "repaid": lb.status[:n] == L.REPAID,
        })
        ev = model.events.table
        m = len(ev)
        is_default = ev.kind[:m] == EVENT_KINDS.index("default")
        codes = ev.product[:m][is_default]
        defaults = pd.DataFrame({
            "product": np.where(codes >= 0, names[np.maximum(codes, 0)], ""),
            "amount": ev.amount[:m][is_default],
            "loss_bank": ev.loss_bank[:m][is_default],
            "loss_guarantors": (ev.loss_guarantor_municipal[:m] + ev.loss_guarantor_provincial[:m]
                                + ev.loss_guarantor_national[:m])[is_default],
            "loss_pool": ev.loss_pool[:m][is_default],
        })
        h = model.holdings
        k = len(h)
        guidance = np.array([getattr(inv, "guidance", False) for inv in model.investors], dtype=bool)
        deals = pd.DataFrame({
            "cost": h.cost[:k].copy(),
            "proceeds": h.proceeds[:k].copy(),
            "active": h.active[:k].copy(),
            "guidance": guidance[h.investor[:k]] if k else np.array([], dtype=bool),
        })
        from ecosim.validation.lifecycle import shrinking_shares

        return cls(summary=dict(summary), metrics=metrics, months=int(model.month), firms=firms, loans=loans,
                   defaults=defaults, deals=deals, initial_firms=int(model.params.run.firms),
                   shrinking=shrinking_shares(model.panel))


Quantity = Callable[[RunData], float]

#: Every registered quantity, by name (the ``quantity`` field of a target).
QUANTITIES: dict[str, Quantity] = {}


def quantity(name: str) -> Callable[[Quantity], Quantity]:
    """Register a function as the simulated quantity ``name``."""

    def register(fn: Quantity) -> Quantity:
        QUANTITIES[name] = fn
        return fn

    return register


def measure(run: RunData, names: list[str] | None = None) -> tuple[dict[str, float], dict[str, str]]:
    """Compute quantities of one run.

    Returns:
        ``(values, unavailable)``: the value of each quantity that could be computed, and for the
        others the reason it is not available in this model version.
    """
    values: dict[str, float] = {}
    missing: dict[str, str] = {}
    for name in names or list(QUANTITIES):
        fn = QUANTITIES.get(name)
        if fn is None:
            missing[name] = f"no function computes '{name}'"
            continue
        try:
            values[name] = float(fn(run))
        except NotAvailable as exc:
            missing[name] = str(exc)
    return values, missing


# --------------------------------------------------------------------------- helpers


def _summary_key(run: RunData, key: str) -> float:
    if key not in run.summary:
        raise NotAvailable(f"summary key '{key}' is not produced")
    return float(run.summary[key])


def _settled(run: RunData, column: str, warmup: int = 12) -> pd.Series:
    """A monthly metric after the first ``warmup`` months (the initial population settles)."""
    if column not in run.metrics:
        raise NotAvailable(f"monthly metric '{column}' is not produced")
    series = run.metrics[column]
    if len(series) > warmup:
        series = series.iloc[warmup:]
    series = series.dropna()
    if series.empty:
        raise NotAvailable(f"monthly metric '{column}' has no values")
    return series


def _per_borrower(run: RunData, product: str, granted: bool = False) -> float:
    """Credit of one product per firm that received it (total principal / distinct borrowers).

    With ``granted``, the credit *granted* per firm (授信): the largest loan each borrower drew, its line,
    rather than the sum of the loans it drew and renewed over the run.
    """
    from ecosim.credit.loans import PRODUCTS

    if product not in PRODUCTS:
        raise NotAvailable(f"the model has no '{product}' loan product")
    loans = run.loans[run.loans["product"] == product]
    borrowers = loans["firm"].nunique()
    if borrowers == 0:
        raise NotAvailable(f"no '{product}' loans were made")
    if granted:
        return float(loans.groupby("firm")["principal"].max().mean())
    return float(loans["principal"].sum() / borrowers)


def _survival_at(run: RunData, age_months: int) -> float:
    f = run.firms
    failed = f["status"].to_numpy() == f.attrs.get("failed_code", 1)
    value = share_not_failed(f["founded"].to_numpy(), f["exit_month"].to_numpy(), failed, run.months,
                             [age_months])[0]
    if np.isnan(value):
        raise NotAvailable(f"no firm observed at age {age_months} months (run too short)")
    return float(value)


# --------------------------------------------------------------------------- credit


@quantity("credit_per_firm_rating_credit")
def credit_per_firm_rating_credit(run: RunData) -> float:
    """Rating-based credit granted (provincial platform) per borrowing firm: its largest loan, million yuan."""
    return _per_borrower(run, "rating_credit", granted=True)


@quantity("credit_per_firm_data_credit")
def credit_per_firm_data_credit(run: RunData) -> float:
    """Data-based small credit loans (government-service data) per borrowing firm, million yuan."""
    return _per_borrower(run, "data_credit")


@quantity("credit_per_firm_guaranteed")
def credit_per_firm_guaranteed(run: RunData) -> float:
    """Guaranteed tech loans per borrowing firm, million yuan."""
    return _per_borrower(run, "guaranteed")


@quantity("mean_guarantee_fee")
def mean_guarantee_fee(run: RunData) -> float:
    """Principal-weighted mean annual guarantee fee on guaranteed loans."""
    g = run.loans[run.loans["guaranteed"]]
    if g.empty or g["principal"].sum() <= 0:
        raise NotAvailable("no guaranteed loans were made")
    return float(np.average(g["fee_rate"], weights=g["principal"]))


@quantity("bank_share_guaranteed_loss")
def bank_share_guaranteed_loss(run: RunData) -> float:
    """Share of the loss on guaranteed defaults that the lending bank keeps after the guarantee chain.

    Measured before the risk-compensation pool (a separate instrument): the bank's write-off plus
    what the pool reimbursed it, over the loss after collateral.
    """
    d = run.defaults[(run.defaults["product"] == "guaranteed") | (run.defaults["loss_guarantors"] > 0)]
    loss = d["amount"].sum()
    if d.empty or loss <= 0:
        raise NotAvailable("no guaranteed loan defaulted with a loss")
    return float((d["loss_bank"].sum() + d["loss_pool"].sum()) / loss)


@quantity("credit_access_rate")
def credit_access_rate(run: RunData) -> float:
    """Mean share of operating startups with an outstanding bank loan (after the first year)."""
    return float(_settled(run, "credit_access_rate").mean())


@quantity("npl_ratio")
def npl_ratio(run: RunData) -> float:
    """Mean NPL ratio of loans to tech startups (after the first year, when its 12-month window is full).

    Every loan in the model is a loan to a tech startup, so the model's NPL ratio is the NPL ratio
    of tech loans; a dedicated summary key ``tech_npl_ratio`` is used when the model produces one.
    """
    if "tech_npl_ratio" in run.summary:
        return float(run.summary["tech_npl_ratio"])
    return float(_settled(run, "npl_ratio").mean())


def _months_mean(run: RunData, column: str, first: int, last: int) -> float:
    """Mean of a monthly metric over months ``first``..``last`` (inclusive)."""
    if column not in run.metrics:
        raise NotAvailable(f"monthly metric '{column}' is not produced")
    if run.months < last:
        raise NotAvailable(f"the run has {run.months} months, fewer than the {last} needed")
    m = run.metrics
    sel = m.loc[(m["month"] >= first) & (m["month"] <= last), column].dropna()
    if sel.empty:
        raise NotAvailable(f"monthly metric '{column}' has no values in months {first}..{last}")
    return float(sel.mean())


@quantity("npl_stock_after_year_2")
def npl_stock_after_year_2(run: RunData) -> float:
    """Mean NPL ratio as banks report it (stock of loans in workout or 90+ days overdue over the book), after year 2."""
    return _months_mean(run, "npl_ratio", 25, run.months)


@quantity("npl_persistence")
def npl_persistence(run: RunData) -> float:
    """Mean NPL ratio in years 9–10 over its mean in years 3–4 (1 = steady; below 0.5 = a fall of more than half)."""
    early = _months_mean(run, "npl_ratio", 25, 48)
    late = _months_mean(run, "npl_ratio", 97, 120)
    if early <= 0:
        raise NotAvailable("no non-performing loans in years 3–4")
    return late / early


def _loan_rates(run: RunData) -> pd.DataFrame:
    if "rate" not in run.loans:
        raise NotAvailable("the loan book has no rates")
    loans = run.loans[run.loans["principal"] > 0]
    if loans.empty:
        raise NotAvailable("no loans were made")
    return loans


@quantity("loan_rate_weighted")
def loan_rate_weighted(run: RunData) -> float:
    """Principal-weighted annual interest rate of all loans made."""
    loans = _loan_rates(run)
    return float(np.average(loans["rate"], weights=loans["principal"]))


@quantity("rate_gap_defaulted")
def rate_gap_defaulted(run: RunData) -> float:
    """How much more loans that later defaulted were charged than loans repaid, within each product.

    Security and cover rightly lower a loan's price (they lower the loss the bank bears), so a
    defaulted loan against collateral or with a guarantee may cost less than a repaid unsecured one:
    the comparison is made between loans of the same product (the same security and cover), each
    product's gap in principal-weighted rates weighted by its defaulted principal.
    """
    loans = _loan_rates(run)
    gap = gap_within_product(loans["product"].to_numpy(), loans["rate"].to_numpy(), loans["principal"].to_numpy(),
                             loans["defaulted"].to_numpy(), loans["repaid"].to_numpy())
    if np.isnan(gap):
        raise NotAvailable("no product with both defaulted and repaid loans")
    return gap


def gap_within_product(product: np.ndarray, rate: np.ndarray, principal: np.ndarray, defaulted: np.ndarray,
                       repaid: np.ndarray) -> float:
    """Principal-weighted rate of defaulted minus repaid loans within each product, averaged over the
    products with both kinds of loan with their defaulted principal as weights (NaN where there are none)."""
    gaps, weights = [], []
    for code in pd.unique(product):
        sel = product == code
        bad, good = defaulted & sel, repaid & sel
        if not bad.any() or not good.any():
            continue
        gaps.append(np.average(rate[bad], weights=principal[bad]) - np.average(rate[good], weights=principal[good]))
        weights.append(principal[bad].sum())
    if not gaps or sum(weights) <= 0:
        return float("nan")
    return float(np.average(gaps, weights=weights))


@quantity("rate_gap_defaulted_pooled")
def rate_gap_defaulted_pooled(run: RunData) -> float:
    """Principal-weighted rate of all loans that later defaulted minus that of all loans repaid (products pooled)."""
    loans = _loan_rates(run)
    bad, good = loans[loans["defaulted"]], loans[loans["repaid"]]
    if bad.empty or good.empty:
        raise NotAvailable("no defaulted or no repaid loans")
    return float(np.average(bad["rate"], weights=bad["principal"]) - np.average(good["rate"], weights=good["principal"]))


@quantity("losses_over_balance")
def losses_over_balance(run: RunData) -> float:
    """Credit losses per year (banks, guarantors and the pool, after recoveries) over the loan balance, after year 2."""
    m = run.metrics
    for col in ("loss_bank", "loss_guarantors", "loss_government", "loan_balance"):
        if col not in m:
            raise NotAvailable(f"monthly metric '{col}' is not produced")
    late = m[m["month"] > 24]
    balance = late["loan_balance"].mean()
    if late.empty or balance <= 0:
        raise NotAvailable("no loan balance after year 2")
    return float(12 * (late["loss_bank"] + late["loss_guarantors"] + late["loss_government"]).mean() / balance)


# --------------------------------------------------------------------------- firms


def _survival_quantity(years: int) -> Quantity:
    def share(run: RunData) -> float:
        return _survival_at(run, 12 * years)

    share.__name__ = f"survival_{years}y"
    share.__doc__ = (f"Share of a cohort not failed by age {years} year{'s' if years > 1 else ''} "
                     f"({12 * years} months), by cohort age.")
    return share


#: Survival ages (years) with a quantity each: the published survival targets, and six years.
SURVIVAL_YEARS = (1, 3, 5, 6, 10)
for _years in SURVIVAL_YEARS:
    quantity(f"survival_{_years}y")(_survival_quantity(_years))


# --------------------------------------------------------------------------- equity and markets


@quantity("regional_upgrade_rate")
def regional_upgrade_rate(run: RunData) -> float:
    """Share of firms on the regional equity market's boards that moved up (to NEEQ or an exchange)."""
    return _summary_key(run, "regional_upgrade_rate")


def _realised(run: RunData) -> pd.DataFrame:
    d = run.deals[~run.deals["active"] & (run.deals["cost"] > 0)]
    if len(d) < 1:
        raise NotAvailable("no equity deal was realised (exited or written off)")
    return d


@quantity("deals_losing_money")
def deals_losing_money(run: RunData) -> float:
    """Share of realised equity deals (exits and write-offs) that returned less than their cost."""
    d = _realised(run)
    return float((d["proceeds"] < d["cost"]).mean())


@quantity("deals_over_5x")
def deals_over_5x(run: RunData) -> float:
    """Share of realised equity deals that returned more than five times their cost."""
    d = _realised(run)
    return float((d["proceeds"] > 5.0 * d["cost"]).mean())


@quantity("falling_revenue_share")
def falling_revenue_share(run: RunData) -> float:
    """Share of firm-years with revenue in both years whose revenue fell."""
    if run.months < 24:
        raise NotAvailable("fewer than two year ends")
    return float(run.shrinking[0])


@quantity("falling_staff_share")
def falling_staff_share(run: RunData) -> float:
    """Share of firm-years with staff in both years whose staff fell."""
    if run.months < 24:
        raise NotAvailable("fewer than two year ends")
    return float(run.shrinking[1])


@quantity("population_drift")
def population_drift(run: RunData) -> float:
    """Firms operating in the run's last year over those in its second year (1 = a stationary population)."""
    early = _months_mean(run, "firms_alive", 13, 24)
    late = _months_mean(run, "firms_alive", run.months - 11, run.months)
    if early <= 0:
        raise NotAvailable("no firms operating in the second year")
    return late / early


# --------------------------------------------------------------------------- product volumes

#: Jinan's number of tech startups: a run of ``run.firms`` startups is ``run.firms / JINAN_FIRMS`` of Jinan.
JINAN_FIRMS = 20_000
#: Months of ramp-up left out of the yearly volumes: the initial population starts without loans and
#: borrows its first working-capital and R&D loans in a burst over the first year.
RAMP_UP_MONTHS = 12


def _yearly_at_jinan_scale(run: RunData, product: str) -> pd.DataFrame:
    """Loans of ``product`` disbursed after the ramp-up year, and the factor to Jinan-years.

    Returns:
        The loans, with ``attrs["per_jinan_year"]``: the factor turning their sum into a yearly
        figure at Jinan scale, ``(20,000 / run.firms) × 12 / months after the ramp-up``.
    """
    from ecosim.credit.loans import PRODUCTS

    if product not in PRODUCTS:
        raise NotAvailable(f"the model has no '{product}' loan product")
    if run.initial_firms <= 0:
        raise NotAvailable("the run's initial number of firms is not recorded")
    if "start" not in run.loans:
        raise NotAvailable("loans carry no month of disbursal")
    span = run.months - RAMP_UP_MONTHS
    if span < 12:
        raise NotAvailable(f"run shorter than {RAMP_UP_MONTHS + 12} months (ramp-up year and one year)")
    loans = run.loans[(run.loans["product"] == product) & (run.loans["start"] >= RAMP_UP_MONTHS)]
    loans.attrs["per_jinan_year"] = JINAN_FIRMS / run.initial_firms * 12.0 / span
    return loans


def _principal_per_year(run: RunData, product: str) -> float:
    loans = _yearly_at_jinan_scale(run, product)
    return float(loans["principal"].sum() / 1_000.0 * loans.attrs["per_jinan_year"])


def _loans_per_year(run: RunData, product: str) -> float:
    loans = _yearly_at_jinan_scale(run, product)
    return float(len(loans) * loans.attrs["per_jinan_year"])


def _borrowers_per_year(run: RunData, product: str) -> float:
    loans = _yearly_at_jinan_scale(run, product)
    return float(loans["firm"].nunique() * loans.attrs["per_jinan_year"])


@quantity("guaranteed_principal_per_year")
def guaranteed_principal_per_year(run: RunData) -> float:
    """Guaranteed tech loans (泉融通-科创贷) lent per year at Jinan scale, billion yuan."""
    return _principal_per_year(run, "guaranteed")


@quantity("guaranteed_loans_per_year")
def guaranteed_loans_per_year(run: RunData) -> float:
    """Guaranteed tech loans made per year at Jinan scale (loans)."""
    return _loans_per_year(run, "guaranteed")


@quantity("guaranteed_borrowers_per_year")
def guaranteed_borrowers_per_year(run: RunData) -> float:
    """Firms that took a guaranteed tech loan, per year of the run at Jinan scale (distinct firms)."""
    return _borrowers_per_year(run, "guaranteed")


@quantity("ma_principal_per_year")
def ma_principal_per_year(run: RunData) -> float:
    """M&A loans for tech firms lent per year at Jinan scale, billion yuan."""
    return _principal_per_year(run, "ma")


@quantity("ma_loans_per_year")
def ma_loans_per_year(run: RunData) -> float:
    """M&A loans for tech firms made per year at Jinan scale (loans)."""
    return _loans_per_year(run, "ma")


@quantity("rd_principal_per_year")
def rd_principal_per_year(run: RunData) -> float:
    """R&D loans (科研贷) lent per year at Jinan scale, billion yuan."""
    return _principal_per_year(run, "rd")


@quantity("rd_loans_per_year")
def rd_loans_per_year(run: RunData) -> float:
    """R&D loans (科研贷) made per year at Jinan scale (loans)."""
    return _loans_per_year(run, "rd")
