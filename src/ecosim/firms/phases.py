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

from ecosim import macro  # downturn hooks (ecosim.macro)
from ecosim.common_random import firm_draws, poisson_from_uniform
from ecosim.firms import state as S
from ecosim.firms.agent import Startup
from ecosim.ledger import FIRM_CHART
from ecosim.scenario import SECTORS

if TYPE_CHECKING:
    from ecosim.model import EcosystemModel

#: Weights of the five quality dimensions in the composite score.
QUALITY_WEIGHTS = np.array([0.3, 0.2, 0.25, 0.15, 0.1])
#: Sector shares of new startups (six fund-cluster sectors, then other tech).
SECTOR_SHARES = np.array([0.16, 0.08, 0.14, 0.12, 0.16, 0.12, 0.22])


def create_startups(model: EcosystemModel, n: int, *, age_months: np.ndarray | None = None,
                    quality_shift: float = 0.0) -> np.ndarray:
    """Create ``n`` startups (rows, Mesa handles, ledger accounts, founders' capital); return their rows.

    Args:
        model: The model.
        n: How many.
        age_months: Ages for an initial population (0 for entrants).
        quality_shift: Added to every quality dimension (e.g. spin-offs from research institutes).
    """
    if n <= 0:
        return np.zeros(0, dtype=np.int64)
    rng = model.streams.entry
    p = model.params.firms
    q = rng.standard_normal((n, 5)) + quality_shift
    composite = (q @ QUALITY_WEIGHTS) / np.sqrt((QUALITY_WEIGHTS**2).sum())
    sector = rng.choice(len(SECTORS), size=n, p=SECTOR_SHARES)
    capital = p.founder_capital * np.exp(p.founder_capital_sigma * rng.standard_normal(n))
    has_collateral = rng.random(n) < p.collateral_share
    collateral = has_collateral * rng.exponential(p.collateral_mean, size=n)
    rating_noise = rng.standard_normal(n)
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
        burn=p.burn_seed,
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
    agents = [Startup(model, int(r)) for r in rows]
    ids = np.fromiter((a.unique_id for a in agents), dtype=np.int64, count=n)
    model.firms.agent_id[rows] = ids
    model.startup_handles.extend(agents)
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
    """R&D progress and milestones, patents, revenue growth, staff and burn."""
    f = model.firms
    p = model.params.firms
    rng = model.streams.firms
    shocks = firm_draws(model, rng, "standard_normal", 3)  # three per row every month (common random numbers)
    alive = f.status == S.ACTIVE
    active_rows = np.flatnonzero(alive & (f.stage < S.MATURE))
    # Milestones: quality sets the pace; money shortfalls do not speed it up.
    pace = (1.0 / p.stage_months) * np.exp(p.quality_pace * f.q_technology[active_rows]
                                           + 0.15 * shocks[active_rows, 0])
    f.progress[active_rows] += pace
    up = active_rows[f.progress[active_rows] >= 1.0]
    if len(up):
        f.progress[up] = 0.0
        f.stage[up] += 1
        f.burn[up] *= p.burn_stage_multiplier
        f.employees[up] *= 1.0 + 0.6 * np.exp(0.2 * f.q_team[up])
        starting = up[(f.stage[up] == S.EARLY) & (f.revenue[up] <= 0)]
        f.revenue[starting] = p.revenue_start * f.burn[starting] * np.exp(0.3 * f.q_market[starting])
        model.tally["stage_ups"] += len(up)
    # Revenue grows with market quality once a firm sells.
    selling = np.flatnonzero(alive & (f.revenue > 0))
    growth = p.revenue_growth + p.revenue_growth_quality * f.q_market[selling] + 0.03 * shocks[selling, 1]
    growth += macro.revenue_growth_shift(model)  # downturn (ecosim.macro): lower growth while it lasts
    f.revenue[selling] *= np.exp(growth)
    # Patents from IP quality: one uniform per row, so the stream is read the same in every scenario.
    patent_draw = firm_draws(model, rng, "random")
    operating = np.flatnonzero(alive)
    lam = p.patent_rate * np.exp(0.5 * f.q_ip[operating]) * (1 + f.stage[operating])
    new_pat = poisson_from_uniform(patent_draw[operating], lam)
    f.patents[operating] += new_pat.astype(np.int32)
    model.tally["patents_new"] += int(new_pat.sum())
    # Staff follow revenue in later stages.
    f.employees[selling] = np.maximum(f.employees[selling], 4.0 * f.revenue[selling] / 0.1 * 0.1 + p.employees_seed)


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
    """Revenue in, costs out; a firm that cannot cover its costs is distressed."""
    f = model.firms
    led = model.ledger
    alive = np.flatnonzero(f.status == S.ACTIVE)
    market = led.external_owner("market")
    cash_acct, retained, burn = f.acct_cash[alive], f.acct_retained[alive], f.burn[alive]
    led.transfer("revenue", market["cash"], market["net_flow"], cash_acct, retained, f.revenue[alive])
    paid = np.minimum(burn, np.maximum(led.balance[cash_acct], 0.0))
    led.transfer("operating_costs", cash_acct, retained, market["cash"], market["net_flow"], paid)
    short = paid < burn - 1e-12
    model.distressed[alive[short]] = True


def fail_startups(model: EcosystemModel) -> None:
    """Distressed firms and firms hit by technical or market failure close."""
    f = model.firms
    p = model.params.firms
    draws = firm_draws(model, model.streams.firms, "random")
    alive = np.flatnonzero(f.status == S.ACTIVE)
    hazard = (p.tech_failure_hazard * np.exp(-p.quality_hazard_slope * f.quality[alive])
              * (f.stage[alive] < S.MATURE))
    hazard = hazard * macro.failure_multiplier(model)  # downturn (ecosim.macro): higher failure risk
    failing = alive[model.distressed[alive] | (draws[alive] < hazard)]
    model.distressed[:] = False
    if len(failing) == 0:
        return
    close_firms(model, failing, S.FAILED)


def close_firms(model: EcosystemModel, rows: np.ndarray, status: int) -> None:
    """A firm fails: its cash pays down its loans, the rest of each loan defaults, investors write off."""
    from ecosim.equity.holdings import write_off
    from ecosim.risk.defaults import repay_funding, resolve_defaults

    f = model.firms
    led = model.ledger
    loans = model.loans
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
