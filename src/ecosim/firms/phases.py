"""Monthly phases that act on all startups at once.

* :func:`enter_startups` — new firms arrive with latent quality, founders' capital and, for some, a grant.
* :func:`develop_startups` — R&D progress, milestones (stage ups), patents, revenue, staff and burn.
* :func:`seek_finance` — firms whose runway is short start looking for money.
* :func:`trade` — revenue comes in, costs go out; a firm that cannot pay its costs is distressed.
* :func:`fail_startups` — distressed firms and firms hit by technical or market failure close;
  their loans default and their investors write off.
* :func:`exit_startups` — acquisitions and listings.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from ecosim import macro
from ecosim.common_random import firm_draws, poisson_from_uniform
from ecosim.firms import economics as E
from ecosim.firms import state as S
from ecosim.ledger import FIRM_CHART
from ecosim.scenario import SECTORS

if TYPE_CHECKING:
    from ecosim.model import EcosystemModel

#: Weights of the five quality dimensions in the composite score.
QUALITY_WEIGHTS = np.array([0.3, 0.2, 0.25, 0.15, 0.1])
#: Sector shares of new startups (six fund-cluster sectors, then other tech).
SECTOR_SHARES = np.array([0.16, 0.08, 0.14, 0.12, 0.16, 0.12, 0.22])


def draw_founding(rng: np.random.Generator, p, n: int, quality_shift: float = 0.0) -> dict[str, np.ndarray]:
    """What a new firm brings: latent quality, sector, founders' capital, collateral, rating noise."""
    q = rng.standard_normal((n, 5)) + quality_shift
    composite = (q @ QUALITY_WEIGHTS) / np.sqrt((QUALITY_WEIGHTS**2).sum())
    sector = rng.choice(len(SECTORS), size=n, p=SECTOR_SHARES)
    capital = p.founder_capital * np.exp(p.founder_capital_sigma * rng.standard_normal(n))
    has_collateral = rng.random(n) < p.collateral_share
    collateral = has_collateral * rng.exponential(p.collateral_mean, size=n)
    return {"q": q, "quality": composite, "sector": sector, "capital": capital, "collateral": collateral,
            "rating_noise": rng.standard_normal(n)}


def create_startups(model: EcosystemModel, n: int, *, age_months: np.ndarray | None = None,
                    quality_shift: float = 0.0, founding: dict[str, np.ndarray] | None = None) -> np.ndarray:
    """Create ``n`` startups (rows, Mesa ids, ledger accounts, founders' capital); return their rows.

    Each firm's Mesa handle (:class:`~ecosim.firms.agent.Startup`) gets its ``unique_id`` here and is
    made when the model's agents are first asked for (:meth:`EcosystemModel.reserve_startup_ids`).

    Args:
        model: The model.
        n: How many.
        age_months: Ages for an initial population (0 for entrants).
        quality_shift: Added to every quality dimension (e.g. spin-offs from research institutes).
        founding: What the firms bring (:func:`draw_founding`), when already drawn (the initial
            population's pre-history); ``capital`` is then the cash they hold at month 0.
    """
    if n <= 0:
        return np.zeros(0, dtype=np.int64)
    p = model.params.firms
    d = founding if founding is not None else draw_founding(model.streams.entry, p, n, quality_shift)
    q, composite, sector, capital, collateral = d["q"], d["quality"], d["sector"], d["capital"], d["collateral"]
    rating_noise = d["rating_noise"]
    age = np.zeros(n, dtype=int) if age_months is None else age_months
    start = len(model.firms)
    names = [f"firm{start + i}" for i in range(n)]
    accts = model.ledger.open_many(names, FIRM_CHART)
    rows = model.firms.add(
        n,
        sector=sector,
        founded=model.month - age,
        q_technology=q[:, 0], q_team=q[:, 1], q_market=q[:, 2], q_ip=q[:, 3], q_governance=q[:, 4],
        quality=composite,
        fixed_costs=p.burn_seed,
        burn=p.burn_seed,
        market_size=p.market_size * E.MARKET_WEIGHT[sector],
        employees=p.employees_seed,
        collateral=collateral,
        acct_cash=accts["cash"], acct_debt=accts["debt"], acct_paid_in=accts["paid_in"],
        acct_retained=accts["retained"],
    )
    model.rating_noise = _extend(model.rating_noise, rating_noise)
    model.distressed = _extend(model.distressed, np.zeros(n, dtype=bool))
    founders = model.ledger.external_owner("founders")
    model.ledger.transfer("founders_capital", founders["cash"], founders["net_flow"], accts["cash"],
                          accts["paid_in"], capital)
    ids = model.reserve_startup_ids(n)  # the Mesa handles are made when first asked for
    model.firms.agent_id[rows] = ids
    model.graph.add_nodes(ids, "startup")
    model.events.record(model.month, "entry", firm_id=ids, amount=capital)
    return rows


def _extend(arr: np.ndarray, new: np.ndarray) -> np.ndarray:
    return np.concatenate([arr, new]) if arr is not None else new


def enter_startups(model: EcosystemModel) -> None:
    """New startups enter; the government gives a share of them a start-up grant."""
    p = model.params
    n = int(model.streams.entry.poisson(p.firms.entry_rate * p.run.firms))
    rows = create_startups(model, n)
    model.tally["entered"] += n
    give_grants(model, rows)


def give_grants(model: EcosystemModel, rows: np.ndarray) -> None:
    """Start-up grants to a share of new firms, paid from the government budget."""
    g = model.params.government
    if len(rows) == 0 or g.grant_size <= 0:
        return
    chosen = rows[model.streams.entry.random(len(rows)) < g.grant_rate]
    from ecosim.equity.grants import convert_grants

    chosen = convert_grants(model, chosen, g.grant_size)  # grants-to-investment: some grants become stakes
    if len(chosen) == 0:
        return
    gov = model.government
    total = g.grant_size * len(chosen)
    gov.ensure_cash(total)
    f = model.firms
    model.ledger.transfer("grant", gov.accounts["cash"], gov.accounts["net_position"], f.acct_cash[chosen],
                          f.acct_retained[chosen], np.full(len(chosen), g.grant_size))
    f.grants[chosen] += g.grant_size
    gov.record_spending("grants", total)
    model.events.record(model.month, "grant", firm_id=f.agent_id[chosen], counterparty_id=gov.unique_id,
                        amount=g.grant_size)


def develop_startups(model: EcosystemModel) -> None:
    """Hibernation, R&D milestones, first sales, revenue growth, patents, operating costs and staff."""
    f = model.firms
    rng = model.streams.firms
    shocks = firm_draws(model, rng, "standard_normal", 3)  # three per row every month (common random numbers)
    operating = np.flatnonzero(f.status == S.ACTIVE)
    decide_hibernation(model, operating)
    advance_milestones(model, operating, shocks[operating, 0])
    make_first_sales(model, operating, shocks[operating, 2])
    grow_revenue(model, operating, shocks[operating, 1])
    file_patents(model, operating, firm_draws(model, rng, "random"))
    set_costs_and_staff(model, operating)


def decide_hibernation(model: EcosystemModel, rows: np.ndarray) -> None:
    """Firms whose cash covers few months of their full-operation net burn hibernate; others resume."""
    f = model.firms
    p = model.params.firms
    full = E.operating_costs(p, f.fixed_costs[rows], f.revenue[rows], E.variable_cost_share(p, f.sector[rows]),
                             False)
    runway = E.runway_months(model.ledger.balance[f.acct_cash[rows]], full, f.revenue[rows])
    f.hibernating[rows] = E.hibernation(p, f.hibernating[rows], runway, S.struck(f.doomed_since[rows]))


def advance_milestones(model: EcosystemModel, rows: np.ndarray, z: np.ndarray) -> None:
    """Stochastic R&D progress (quality and money spent set the pace); a milestone raises fixed costs."""
    f = model.firms
    p = model.params.firms
    dev = f.stage[rows] < S.MATURE
    rows, z = rows[dev], z[dev]
    spent = f.paid_share[rows] * (1.0 - p.hibernation_cut * f.hibernating[rows])
    f.progress[rows] += E.milestone_progress(p, f.q_technology[rows], spent, z)
    up = rows[f.progress[rows] >= 1.0]
    if len(up):
        f.progress[up] = 0.0
        f.stage[up] += 1
        f.fixed_costs[up] = E.fixed_costs_at(p, f.stage[up])
        model.tally["stage_ups"] += len(up)


def make_first_sales(model: EcosystemModel, rows: np.ndarray, z: np.ndarray) -> None:
    """Firms not yet selling make their first sale with a chance that rises with market quality and stage."""
    from scipy.special import ndtr

    f = model.firms
    p = model.params.firms
    waiting = f.revenue[rows] <= 0
    rows, u = rows[waiting], ndtr(z[waiting])  # one normal per row, read as a uniform
    start = rows[u < E.first_sale_probability(p, f.stage[rows], f.q_market[rows])]
    f.revenue[start] = E.first_revenue(p, f.fixed_costs[start], f.q_market[start])
    f.first_sale[start] = model.month


def revenue_drift(model: EcosystemModel, rows: np.ndarray) -> np.ndarray:
    """Expected monthly log growth of revenue of firms ``rows`` before shocks (``economics.growth_drift``).

    The one place where a macro condition shifts revenue growth.
    """
    f = model.firms
    drift = E.growth_drift(model.params.firms, f.q_market[rows], f.revenue[rows], f.market_size[rows],
                           f.hibernating[rows], S.struck(f.doomed_since[rows]))
    return drift + macro.revenue_growth_shift(model)  # a downturn lowers growth while it lasts


def grow_revenue(model: EcosystemModel, rows: np.ndarray, z: np.ndarray) -> None:
    """Revenue moves by its drift plus a two-sided shock: firms grow, stall and shrink."""
    f = model.firms
    selling = f.revenue[rows] > 0
    rows, z = rows[selling], z[selling]
    f.revenue[rows] *= np.exp(revenue_drift(model, rows) + E.revenue_shock_sd(model.params.firms, f.revenue[rows]) * z)


def file_patents(model: EcosystemModel, rows: np.ndarray, u: np.ndarray) -> None:
    """Patents from IP quality and stage (one uniform per row, read alike in every scenario)."""
    f = model.firms
    p = model.params.firms
    lam = p.patent_rate * np.exp(0.5 * f.q_ip[rows]) * (1 + f.stage[rows])
    new_pat = poisson_from_uniform(u[rows], lam)
    f.patents[rows] += new_pat.astype(np.int32)
    model.tally["patents_new"] += int(new_pat.sum())


def set_costs_and_staff(model: EcosystemModel, rows: np.ndarray) -> None:
    """This month's operating costs, and staff hired or let go towards what the business needs."""
    f = model.firms
    p = model.params.firms
    fixed, revenue, hib = f.fixed_costs[rows], f.revenue[rows], f.hibernating[rows]
    f.burn[rows] = E.operating_costs(p, fixed, revenue, E.variable_cost_share(p, f.sector[rows]), hib)
    f.employees[rows] = E.adjust_staff(p, f.employees[rows], E.staff_needed(p, fixed, revenue, hib))


def seek_finance(model: EcosystemModel) -> None:
    """Firms start looking for money when their runway is short or a milestone approaches.

    A firm whose cash covers fewer than ``runway_trigger`` months of net burn needs
    money to survive; a firm ``milestone_lead`` of the way to its next stage needs
    expansion money ahead of the milestone. The need ends when the runway is long again.
    """
    f = model.firms
    p = model.params.firms
    alive = np.flatnonzero(f.status == S.ACTIVE)
    cash = model.ledger.balance[f.acct_cash[alive]]
    net_burn = np.maximum(f.burn[alive] - f.revenue[alive], 0.0)
    runway = np.where(net_burn > 0, cash / np.maximum(net_burn, 1e-12), np.inf)
    short = runway < p.runway_trigger
    ahead = (f.stage[alive] < S.MATURE) & (f.progress[alive] >= p.milestone_lead) & ~model.has_loan()[alive]
    starts = alive[(f.need_since[alive] < 0) & (short | ahead)]
    f.need_since[starts] = model.month
    ends = alive[(f.need_since[alive] >= 0) & (runway >= 1.5 * p.runway_trigger) & ~ahead]
    f.need_since[ends] = -1


def trade(model: EcosystemModel) -> None:
    """Revenue in; insiders bridge firms that cannot pay; costs out; excess cash of profitable firms paid out."""
    f = model.firms
    led = model.ledger
    u = firm_draws(model, model.streams.firms, "random")  # one per row every month (common random numbers)
    alive = np.flatnonzero(f.status == S.ACTIVE)
    market = led.external_owner("market")
    cash_acct, retained, burn = f.acct_cash[alive], f.acct_retained[alive], f.burn[alive]
    led.transfer("revenue", market["cash"], market["net_flow"], cash_acct, retained, f.revenue[alive])
    bridge_from_insiders(model, alive, u[alive])
    paid = np.minimum(burn, np.maximum(led.balance[cash_acct], 0.0))
    led.transfer("operating_costs", cash_acct, retained, market["cash"], market["net_flow"], paid)
    f.paid_share[alive] = np.where(burn > 0, paid / np.maximum(burn, 1e-12), 1.0)
    short = paid < burn - 1e-12
    f.months_insolvent[alive] = np.where(short, f.months_insolvent[alive] + 1, 0)
    pay_out_excess_cash(model, alive)


def bridge_from_insiders(model: EcosystemModel, rows: np.ndarray, u: np.ndarray) -> None:
    """Founders and insiders put in bridge money (paid-in equity) when a firm cannot pay this month's costs.

    They know the firm's latent quality: the chance rises with it (``economics.bridge_chance``); a firm
    gets at most ``firms.bridge_rounds`` such rounds.
    """
    f = model.firms
    p = model.params.firms
    led = model.ledger
    cash = led.balance[f.acct_cash[rows]]
    shortfall = f.burn[rows] - cash
    asks = (shortfall > 1e-12) & (f.bridges[rows] < p.bridge_rounds) & ~S.struck(f.doomed_since[rows])
    rows, u, shortfall = rows[asks], u[asks], shortfall[asks]
    got = u < E.bridge_chance(p, f.quality[rows])
    rows, shortfall = rows[got], shortfall[got]
    if len(rows) == 0:
        return
    amount = E.bridge_amount(p, shortfall, f.burn[rows] - f.revenue[rows])
    founders = led.external_owner("founders")
    led.transfer("insider_bridge", founders["cash"], founders["net_flow"], f.acct_cash[rows], f.acct_paid_in[rows],
                 amount)
    f.bridges[rows] += 1
    model.tally["bridges"] += len(rows)
    model.events.record(model.month, "bridge", firm_id=f.agent_id[rows], amount=amount)


def pay_out_excess_cash(model: EcosystemModel, rows: np.ndarray) -> None:
    """At each year end profitable firms keep ``firms.payout_buffer`` months of costs and pay the excess
    to their owners."""
    if model.month % 12 != 0:
        return
    f = model.firms
    p = model.params.firms
    led = model.ledger
    profitable = rows[f.revenue[rows] > f.burn[rows]]
    if len(profitable) == 0:
        return
    excess = led.balance[f.acct_cash[profitable]] - p.payout_buffer * f.burn[profitable]
    keep = excess > 0
    profitable, excess = profitable[keep], excess[keep]
    if len(profitable) == 0:
        return
    owners = led.external_owner("founders")
    led.transfer("payout", f.acct_cash[profitable], f.acct_retained[profitable], owners["cash"],
                 owners["net_flow"], excess)


def failure_hazard(model: EcosystemModel, rows: np.ndarray) -> np.ndarray:
    """Monthly technical or market failure hazard of firms ``rows`` (``economics.latent_hazard``).

    It depends on composite latent quality and on the stage, not on cash: a well-funded weak firm can
    fail. The one place where a macro condition scales the failure hazard.
    """
    f = model.firms
    hazard = E.latent_hazard(model.params.firms, f.stage[rows], f.quality[rows])
    return hazard * macro.failure_multiplier(model)  # a downturn raises it while it lasts


def fail_startups(model: EcosystemModel) -> None:
    """Firms insolvent too long with no bridge left, firms that missed a loan payment, and firms hit by a
    technical or market failure close."""
    f = model.firms
    p = model.params.firms
    draws = firm_draws(model, model.streams.firms, "random")
    alive = np.flatnonzero(f.status == S.ACTIVE)
    # A technical or market failure strikes: the firm's revenue decays, insiders stop bridging it, and it
    # spends at full rate trying to recover until its money runs out or `failure_months` have passed.
    struck = alive[~S.struck(f.doomed_since[alive]) & (draws[alive] < failure_hazard(model, alive))]
    f.doomed_since[struck] = model.month
    doomed = S.struck(f.doomed_since[alive])
    insolvent = f.months_insolvent[alive] >= p.insolvent_months
    defaulted = model.distressed[alive]
    given_up = doomed & (model.month - f.doomed_since[alive] >= p.failure_months)
    failing = insolvent | defaulted | given_up
    model.distressed[:] = False
    if not failing.any():
        return
    rows = alive[failing]
    f.exit_cause[rows] = np.where(doomed[failing], S.CAUSE_QUALITY,
                                  np.where(insolvent[failing], S.CAUSE_INSOLVENT, S.CAUSE_LOAN_DEFAULT))
    close_firms(model, rows, S.FAILED)


def close_firms(model: EcosystemModel, rows: np.ndarray, status: int) -> None:
    """A firm fails: its staff's severance is paid first, then its cash pays down its loans, the rest of
    each loan defaults, investors write off."""
    from ecosim.equity.holdings import write_off
    from ecosim.risk.defaults import repay_funding, resolve_defaults

    f = model.firms
    led = model.ledger
    loans = model.loans
    pay_severance(model, rows)
    lidx = loans.of_firms(rows)
    # Remaining cash goes to the lenders first, loan by loan.
    if len(lidx):
        firm = loans.firm[lidx]
        order = np.argsort(firm, kind="stable")
        lidx, firm = lidx[order], firm[order]
        owed = loans.outstanding[lidx]
        before = np.cumsum(owed) - owed
        first = np.searchsorted(firm, firm)  # first loan of the same firm
        before -= before[first]
        cash_left = np.maximum(led.balance[f.acct_cash[firm]], 0.0)
        pay = np.clip(cash_left - before, 0.0, owed)
        banks = loans.bank[lidx]
        ba = model.bank_accounts
        led.transfer("principal_repayment", f.acct_cash[firm], f.acct_debt[firm], ba["cash"][banks],
                     ba["loans"][banks], pay)
        repay_funding(model, banks, pay, loans.relending_share[lidx])
        loans.outstanding[lidx] -= pay
    resolve_defaults(model, lidx)
    # What is left is spent winding the firm down.
    cash = led.balance[f.acct_cash[rows]]
    market = led.external_owner("market")
    led.transfer("wind_down", f.acct_cash[rows], f.acct_retained[rows], market["cash"], market["net_flow"],
                 np.maximum(cash, 0.0))
    write_off(model, rows)
    f.status[rows] = status
    f.exit_month[rows] = model.month
    f.need_since[rows] = -1
    model.graph.remove_nodes(f.agent_id[rows])
    model.events.record(model.month, "failure", firm_id=f.agent_id[rows],
                        amount=np.zeros(len(rows)))
    model.tally["failed"] += len(rows)


def pay_severance(model: EcosystemModel, rows: np.ndarray) -> None:
    """Closing firms pay their staff severance before any lender: one month's wage per year of the firm's
    age (at least one, at most twelve), as far as their cash goes.

    Labour Contract Law of the PRC, art. 47 (one month's wage per year of service, twelve at most for
    high earners); Enterprise Bankruptcy Law of the PRC, art. 113 (wages, social insurance and
    compensation owed to employees rank before ordinary creditors).
    """
    f = model.firms
    led = model.ledger
    years = np.clip((model.month - f.founded[rows]) / 12.0, 1.0, 12.0)
    owed = model.params.firms.monthly_wage * f.employees[rows] * years
    cash = np.maximum(led.balance[f.acct_cash[rows]], 0.0)
    market = led.external_owner("market")
    led.transfer("severance", f.acct_cash[rows], f.acct_retained[rows], market["cash"], market["net_flow"],
                 np.minimum(owed, cash))


def exit_startups(model: EcosystemModel) -> None:
    """Acquisitions of growth and mature firms; listings of mature firms that meet the revenue bar."""
    from ecosim.equity.holdings import cash_out

    f = model.firms
    p = model.params.firms
    draws = firm_draws(model, model.streams.firms, "random", 2)
    alive = f.status == S.ACTIVE
    # With the capital-market ladder on, listings happen board by board (ecosim.equity.boards).
    listable = alive & (f.stage == S.MATURE) & (f.revenue >= p.listing_revenue) & (not model.params.boards.enabled)
    listing = np.flatnonzero(listable & (draws[:, 0] < p.listing_probability))
    acq = np.flatnonzero(alive & (f.stage >= S.GROWTH) & ~listable & (draws[:, 1] < p.acquisition_hazard))
    for rows, status, kind, multiple in ((listing, S.LISTED, "listing", 10.0), (acq, S.ACQUIRED, "acquisition", 3.0)):
        if len(rows) == 0:
            continue
        value = exit_valuation(model, rows, multiple)
        # Outstanding loans are repaid from the proceeds before the firm leaves the model.
        settle_loans(model, rows)
        cash_out(model, rows, value, kind)
        cash = model.ledger.balance[f.acct_cash[rows]]
        founders = model.ledger.external_owner("founders")
        model.ledger.transfer("exit_distribution", f.acct_cash[rows], f.acct_paid_in[rows], founders["cash"],
                              founders["net_flow"], np.maximum(cash, 0.0))
        f.status[rows] = status
        f.exit_month[rows] = model.month
        model.graph.remove_nodes(f.agent_id[rows])
        model.events.record(model.month, kind, firm_id=f.agent_id[rows], amount=value)
        model.tally["listings" if kind == "listing" else "acquisitions"] += len(rows)


def exit_valuation(model: EcosystemModel, rows: np.ndarray, multiple: float) -> np.ndarray:
    """Equity value at exit: a multiple of annual revenue, never below the last round's valuation × 0.5."""
    f = model.firms
    value = multiple * 12.0 * f.revenue[rows] * np.exp(0.2 * f.quality[rows])
    return np.maximum(value, 0.5 * f.valuation[rows])


def settle_loans(model: EcosystemModel, rows: np.ndarray) -> None:
    """Repay the outstanding loans of exiting firms (the buyer or the listing proceeds pay them)."""
    from ecosim.credit import loans as L
    from ecosim.risk.defaults import repay_funding

    f = model.firms
    led = model.ledger
    loans = model.loans
    buyers = led.external_owner("exit_buyers")
    idx = loans.of_firms(rows)
    if len(idx) == 0:
        return
    firm, banks, amt = loans.firm[idx], loans.bank[idx], loans.outstanding[idx].copy()
    ba = model.bank_accounts
    led.transfer("exit_funding", buyers["cash"], buyers["net_flow"], f.acct_cash[firm], f.acct_paid_in[firm], amt)
    led.transfer("principal_repayment", f.acct_cash[firm], f.acct_debt[firm], ba["cash"][banks], ba["loans"][banks],
                 amt)
    repay_funding(model, banks, amt, loans.relending_share[idx])
    loans.outstanding[idx] = 0.0
    loans.months_left[idx] = 0
    loans.set_status(idx, L.REPAID)
    model.graph.unlink(f.agent_id[firm], model.bank_ids[banks], "lending")
