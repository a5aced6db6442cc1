"""The startup's economics as rules over arrays: costs, staff, milestones, sales, growth, failure risk.

Every rule here is a pure function of the firm section of the scenario
(``p = scenario.firms``) and numpy arrays, one value per firm. The monthly
phases (:mod:`ecosim.firms.phases`) apply them to the model's columns; the
pre-history that builds the initial population (:mod:`ecosim.firms.prehistory`)
applies the same rules, so both follow one set of economics.

Sector data (gross margins, relative market sizes) are model assumptions of
the order of listed firms' figures by industry; they are declared in
``docs/ODD.md`` as such.
"""

from __future__ import annotations

import numpy as np

from ecosim.scenario import FirmSection

#: Gross margin (revenue less cost of goods sold, share of revenue) by sector, in the order of
#: ``ecosim.scenario.SECTORS``: AI/software, space information, biomedicine, new materials,
#: high-end equipment, new energy, other tech. Model assumption, of the order of listed firms' gross
#: margins in software (about 0.6-0.7), pharmaceuticals (0.6-0.7), specialty chemicals and machinery
#: (0.3-0.4) and renewable-energy manufacturing (0.2-0.3).
GROSS_MARGIN = np.array([0.62, 0.45, 0.65, 0.38, 0.36, 0.30, 0.45])
#: Relative size of each sector's market for one firm (times ``firms.market_size``); model assumption.
MARKET_WEIGHT = np.array([1.0, 0.6, 1.3, 0.8, 1.0, 1.4, 0.7])


def fixed_costs_at(p: FirmSection, stage: np.ndarray) -> np.ndarray:
    """Monthly fixed costs of a firm at full operation in each stage (they step up with every milestone)."""
    return (p.burn_seed * p.burn_stage_multiplier ** np.arange(4.0))[stage]


def variable_cost_share(p: FirmSection, sector: np.ndarray) -> np.ndarray:
    """Costs that grow with revenue, per yuan of revenue: cost of goods sold plus selling and admin costs."""
    return 1.0 - GROSS_MARGIN[sector] + p.opex_share


def operating_costs(p: FirmSection, fixed: np.ndarray, revenue: np.ndarray, variable_share: np.ndarray,
                    hibernating: np.ndarray) -> np.ndarray:
    """This month's operating costs: fixed costs (less the hibernation cut) plus variable costs
    (``variable_share``: :func:`variable_cost_share` of each firm's sector)."""
    return fixed * (1.0 - p.hibernation_cut * hibernating) + variable_share * revenue


def staff_needed(p: FirmSection, fixed: np.ndarray, revenue: np.ndarray, hibernating: np.ndarray) -> np.ndarray:
    """Staff the business needs: core staff paid from fixed costs plus staff that handle the revenue."""
    core = p.employees_seed * fixed * (1.0 - p.hibernation_cut * hibernating) / p.burn_seed
    return core + revenue / p.revenue_per_employee


def adjust_staff(p: FirmSection, staff: np.ndarray, needed: np.ndarray) -> np.ndarray:
    """Hire or let go part of the gap to the staff needed (at least one person stays)."""
    return np.maximum(staff + p.staff_adjustment * (needed - staff), 1.0)


def milestone_progress(p: FirmSection, q_technology: np.ndarray, spent: np.ndarray, z: np.ndarray) -> np.ndarray:
    """This month's progress towards the next milestone (1 = reached): stochastic, faster for better
    technology, slower when less of the planned money is spent (a log-normal shock of mean one)."""
    s = p.milestone_noise
    pace = np.exp(p.quality_pace * q_technology + s * z - 0.5 * s * s) / p.stage_months
    share = np.clip(spent, 0.0, 1.0)
    if np.ndim(pace) == 0 or np.shape(share) != np.shape(pace):  # a single firm, or a broadcast spending share
        return pace * share ** p.rd_spend_elasticity
    # Most firms spend all they planned: their factor is 1 ** elasticity = 1, so the power is taken
    # only for the others (the same values, without a power per firm).
    slowed = np.flatnonzero(share != 1.0)
    pace[slowed] *= share[slowed] ** p.rd_spend_elasticity
    return pace


def first_sale_base(p: FirmSection, q_market: np.ndarray) -> np.ndarray:
    """A seed-stage firm's monthly rate of first sale (better market quality sells sooner)."""
    return p.first_sale_rate * np.exp(p.first_sale_quality * q_market)


def first_sale_probability(p: FirmSection, stage: np.ndarray, q_market: np.ndarray,
                           base: np.ndarray | None = None) -> np.ndarray:
    """Monthly chance that a firm not yet selling makes its first sale (any stage; sooner for better
    market quality and at later stages). ``base``: :func:`first_sale_base`, when already computed."""
    rate = (first_sale_base(p, q_market) if base is None else base) * (1.0 + stage)
    return 1.0 - np.exp(-rate)


def first_revenue(p: FirmSection, fixed: np.ndarray, q_market: np.ndarray) -> np.ndarray:
    """Monthly revenue at the first sale."""
    return p.revenue_start * fixed * np.exp(0.3 * q_market)


def revenue_shock_sd(p: FirmSection, revenue: np.ndarray) -> np.ndarray:
    """Monthly log-sd of a selling firm's revenue shocks: ``revenue_noise`` up to the reference size,
    falling as ``(revenue / noise_reference_revenue) ** -noise_size_elasticity`` above it (larger firms
    are diversified over more customers and products, so their growth is less volatile)."""
    rel = np.maximum(revenue, 1e-12) / p.noise_reference_revenue
    return p.revenue_noise * np.minimum(1.0, rel ** -p.noise_size_elasticity)


def growth_drift(p: FirmSection, q_market: np.ndarray, revenue: np.ndarray, market_size: np.ndarray,
                 hibernating: np.ndarray, doomed: np.ndarray | bool = False) -> np.ndarray:
    """Expected monthly log growth of revenue before shocks.

    A small firm grows at ``revenue_growth`` plus ``revenue_growth_quality`` per sd of market quality;
    the growth falls by ``revenue_growth`` times revenue over the firm's market size (saturation: a
    median firm stops growing at its market size and shrinks above it, a better one settles higher);
    a hibernating firm sells less hard; a firm struck by a technical or market failure loses
    ``failure_revenue_decay`` of its revenue a month.
    """
    return (p.revenue_growth + p.revenue_growth_quality * q_market
            - abs(p.revenue_growth) * revenue / market_size - p.hibernation_growth_penalty * hibernating
            - p.failure_revenue_decay * doomed)


def quality_hazard(p: FirmSection, quality: np.ndarray) -> np.ndarray:
    """A seed-stage firm's monthly technical or market failure hazard: weaker firms fail more.

    It falls with composite latent quality, in which technology and market weigh most and team, IP
    and governance count too (a weak team or poor governance also loses a firm its market).
    """
    return p.tech_failure_hazard * np.exp(-p.quality_hazard_slope * quality)


def stage_hazard(p: FirmSection, stage: np.ndarray) -> np.ndarray:
    """How the technical/market hazard falls with the stage (``stage_hazard_ratio`` per stage)."""
    return (p.stage_hazard_ratio ** np.arange(4.0))[stage]


def latent_hazard(p: FirmSection, stage: np.ndarray, quality: np.ndarray,
                  base: np.ndarray | None = None) -> np.ndarray:
    """Monthly hazard of a technical or market failure, whatever the firm's cash: higher for weaker
    firms (composite latent quality), falling as the firm reaches later stages. ``base``:
    :func:`quality_hazard`, when already computed."""
    return (quality_hazard(p, quality) if base is None else base) * stage_hazard(p, stage)


def bridge_chance(p: FirmSection, quality: np.ndarray) -> np.ndarray:
    """Chance that founders and insiders bridge a firm that cannot pay its costs (they know its quality)."""
    bp = min(max(p.bridge_probability, 1e-9), 1.0 - 1e-9)
    logit = np.log(bp / (1.0 - bp)) + p.bridge_quality_slope * quality
    return 1.0 / (1.0 + np.exp(-logit))


def bridge_amount(p: FirmSection, shortfall: np.ndarray, net_burn: np.ndarray) -> np.ndarray:
    """Bridge money: this month's shortfall plus ``bridge_months`` of net burn."""
    return shortfall + p.bridge_months * np.maximum(net_burn, 0.0)


def runway_months(cash: np.ndarray, costs: np.ndarray, revenue: np.ndarray) -> np.ndarray:
    """Months the cash lasts at the current net burn (infinite for a firm that pays its way)."""
    net = np.maximum(costs - revenue, 0.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(net > 0, np.maximum(cash, 0.0) / np.maximum(net, 1e-12), np.inf)


def hibernation(p: FirmSection, hibernating: np.ndarray, runway: np.ndarray,
                doomed: np.ndarray | bool = False) -> np.ndarray:
    """Whether each firm hibernates this month: it starts below ``hibernation_runway`` months of runway
    and resumes full operation above twice that. A firm struck by a technical or market failure does
    not hibernate: it spends at full rate trying to recover."""
    start = runway < p.hibernation_runway
    resume = runway >= 2.0 * p.hibernation_runway
    return np.where(hibernating, ~resume, start) & ~np.asarray(doomed, dtype=bool)
