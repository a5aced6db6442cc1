"""The ecosystem model and its monthly cycle.

:class:`EcosystemModel` is a Mesa ``Model``. Startups live in numpy columns
(``model.firms``) with a Mesa handle each (made when Mesa's agent sets are first
read); institutions are ordinary Mesa agents. One step is one month, and a month is the explicit list of phases in
:data:`MONTH`, run top to bottom. A researcher can read it, reorder it or
extend it (``model.phases`` is a copy per model)::

    model = EcosystemModel("baseline", rng=42, firms=1000, months=120)
    model.phases.insert(model.phases.index(lend) + 1, my_phase)
    model.run_model()

After every month the ledger checks that every owner's books balance and
Mesa's ``DataCollector`` collects the monthly metrics (one model reporter per
metric); ``running`` turns False at the scenario's horizon.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Mapping
from functools import partial
from pathlib import Path
from typing import Any

import mesa
import networkx as nx
import numpy as np
import pandas as pd
from mesa.experimental.scenarios import Scenario as MesaScenario

from ecosim.columns import ColumnTable
from ecosim.credit.bank import Bank, recapitalise_banks
from ecosim.credit.lending import lend
from ecosim.credit.loans import LoanBook
from ecosim.credit.servicing import service_loans
from ecosim.equity.boards import climb_boards
from ecosim.equity.funds import Investor, MotherFund, build_funds
from ecosim.equity.grants import GrantEquity
from ecosim.equity.holdings import Holdings
from ecosim.equity.investing import invest, manage_funds
from ecosim.events import EventLog
from ecosim.firms import state as S
from ecosim.firms.phases import (
    create_startups,
    develop_startups,
    enter_startups,
    exit_startups,
    fail_startups,
    seek_finance,
    trade,
)
from ecosim.information.brokerage import broker_research, build_brokerage
from ecosim.information.brokers import build_brokers, visit_firms
from ecosim.information.evaluation import BankEvaluator, evaluate_banks
from ecosim.information.platform import build_platforms, rate_firms
from ecosim.ledger import Ledger
from ecosim.model_args import carrying_scenario, resolve_parameters
from ecosim.network import RelationGraph
from ecosim.outputs.metrics import METRIC_NAMES, monthly_metrics
from ecosim.public.government import Government
from ecosim.risk.chain import GuaranteeChain
from ecosim.risk.pool import RiskPool
from ecosim.risk.shocks import adverse_shocks
from ecosim.scenario import JINAN_FIRMS, Scenario

Phase = Callable[["EcosystemModel"], None]

#: Reference counts at Jinan's size, to which institutions scale.
JINAN_BANKS = 121
JINAN_VC_FUNDS = 40
JINAN_AIC_FUNDS = 8


class Streams:
    """Independent random streams for each part of the month, all derived from the run's seed.

    Splitting the run's randomness by purpose keeps common random numbers across
    scenarios: the same seed gives the same entrants, shocks and draws in every
    scenario, because each phase reads a fixed number of values per firm row
    from its stream whatever the policy does (see ``ecosim.common_random``). A
    firm's draws therefore stay the same across scenarios for as long as it
    operates in both. Draws whose number depends on the policy (one per
    investor, whose number the fund levers set) come from the ``funds`` stream,
    so they do not shift the firms' draws; and the tech brokerage's spin-offs,
    firms that only scenarios with the brokerage have, take their per-row draws
    from the ``spinoffs`` stream (``ecosim.common_random.firm_draws``).
    """

    NAMES = ("entry", "firms", "credit", "equity", "info", "funds", "spinoffs")

    def __init__(self, rng: np.random.Generator) -> None:
        seeds = rng.bit_generator.seed_seq.spawn(len(self.NAMES))
        for name, seq in zip(self.NAMES, seeds, strict=True):
            setattr(self, name, np.random.default_rng(seq))


def budget(model: EcosystemModel) -> None:
    """At the start of each year the treasury pays the sci-tech budget into the government's account."""
    if model.month % 12 == 1:
        model.government.receive_budget(model.params.government.budget * model.params.scale)


def housekeeping(model: EcosystemModel) -> None:
    """Month start: banks roll their NPL record and branches that lost their equity are recapitalised;
    the guarantee chain refreshes its books and enters the month in the year's guaranteed balance."""
    for bank in model.banks:
        bank.roll_month()
    recapitalise_banks(model)
    model.guarantee_chain.refresh()
    model.guarantee_chain.open_month()
    model.guarantee_chain.monthly_check()


#: The month, in order. Each phase is a function of the model acting on all firms at once.
MONTH: tuple[Phase, ...] = (
    housekeeping,  # banks roll NPL windows, insolvent branches recapitalised, guarantor books refresh
    budget,  # yearly fiscal budget into the government account
    enter_startups,  # new firms, founders' capital, start-up grants
    broker_research,  # the tech brokerage spins off startups and licenses projects
    rate_firms,  # platforms onboard and rate firms
    develop_startups,  # hibernation, R&D milestones, first sales, revenue, patents, costs, staff
    adverse_shocks,  # setbacks cost cash and revenue, more often for weak firms (ecosim.risk.shocks)
    visit_firms,  # partner teams visit, introduce banks, pass soft information
    seek_finance,  # firms with a short runway start looking for money
    lend,  # applications, officers' decisions, guarantees, disbursal
    invest,  # guidance sub-funds and private VCs invest
    trade,  # revenue in, insiders' bridge money, costs out, payouts
    service_loans,  # interest, amortisation, guarantee fees, funding costs
    fail_startups,  # insolvent, defaulted and latent failures; loans default; investors write off
    climb_boards,  # regional boards, NEEQ, exchange listings (IPO exits)
    exit_startups,  # acquisitions; stakes cashed out
    manage_funds,  # sub-funds at the end of their life sell to secondary funds
    evaluate_banks,  # year end: the central bank scores banks and sets their incentives
)


def _metric_reporter(name: str, model: EcosystemModel) -> float:
    """Mesa model reporter: one metric of the month's row (computed once for all metrics)."""
    return model.current[name]


class EcosystemModel(mesa.Model):
    """The sci-tech finance ecosystem of one region.

    Built like Mesa's example models, from keyword parameters; the defaults give a small, fast
    model (the ``baseline`` scenario at the ``demo`` size, 300 startups, for 24 months):

    >>> from ecosim import EcosystemModel
    >>> model = EcosystemModel("baseline", rng=1, firms=100, months=3, exemption__enabled=False)
    >>> model.run_model()                      # runs until the scenario's horizon
    >>> model.month, model.running
    (3, False)
    >>> model.datacollector.get_model_vars_dataframe()["firms_alive"].size
    3

    Args:
        scenario: A scenario name or path, a validated :class:`~ecosim.scenario.Scenario`, or its dict form
            (see :func:`ecosim.model_args.resolve_parameters`).
        rng: The run's seed (or a numpy Generator); every random draw derives from it.
        firms: Initial startups (number or size preset; see :func:`ecosim.model_args.resolve_parameters` for the default).
        months: Horizon: ``running`` turns False after this many months, so ``run_model()`` stops there.
        **overrides: Any scenario key, as ``exemption__enabled=False`` or ``**{"exemption.enabled": False}``.

    In a ``SolaraViz`` page, Reset rebuilds the model from the page's ``model_params`` and passes
    Mesa's own experiment ``Scenario`` in place of ``scenario``; that one carries the ecosim
    scenario of the model being reset (see :attr:`scenario`), and the page's parameters apply to it
    as overrides. A page offers a choice of ecosim scenarios as the ``ecosim_scenario`` parameter.

    Attributes:
        params: The scenario in force.
        month: Months completed.
        firms: Startup state columns (:mod:`ecosim.firms.state`).
        loans: The loan book. holdings: Equity stakes.
        ledger: The double-entry ledger. graph: Typed relationships. events: The event log.
        banks, teams, platforms, investors, mother_funds: The institutions.
        guarantee_chain, pool, government: Public-side institutions.
        phases: The month's phases, in order (a copy of :data:`MONTH`).
        streams: The run's random streams (:class:`Streams`).
        spinoff_rows: Firm rows of the tech brokerage's spin-offs, ascending.
        scenario: Mesa's experiment scenario of the model, carrying the ecosim scenario in force
            (``scenario.ecosim_scenario``), so that SolaraViz's Reset rebuilds the same one.
        datacollector: Mesa's ``DataCollector`` with one model reporter per monthly metric
            (:data:`ecosim.outputs.metrics.METRIC_NAMES`), collected after every month.
    """

    def __init__(
        self,
        scenario: str | Path | Scenario | Mapping[str, Any] | MesaScenario | None = "baseline",
        *,
        rng: int | np.random.Generator | None = 1,
        firms: int | str | None = None,
        months: int | None = None,
        **overrides: Any,
    ) -> None:
        params = resolve_parameters(scenario, firms=firms, months=months, overrides=overrides)
        super().__init__(rng=rng)
        self.params = params
        p = self.params
        self.month = 0
        self.streams = Streams(self.rng)
        self.phases: list[Phase] = list(MONTH)
        self.ledger = Ledger(capacity=8 * p.run.firms + 4096)
        self.graph = RelationGraph()
        self.events = EventLog()
        self.firms = ColumnTable(S.FIRM_COLUMNS, capacity=int(p.run.firms * (1.2 + p.firms.entry_rate * p.run.months)))
        self.loans = LoanBook()
        self.holdings = Holdings()
        self.loan_queue: dict[int, list[dict[str, np.ndarray]]] = {}
        self.tally: defaultdict[str, float] = defaultdict(float)
        self.rating_noise = np.zeros(0)
        self.distressed = np.zeros(0, dtype=bool)
        self.spinoff_rows = np.zeros(0, dtype=np.int64)
        self._startup_handles: list = []  # the startups' Mesa handles made so far, in row order
        self._has_loan: tuple[np.ndarray, np.ndarray] | None = None
        self.investors: list[Investor] = []
        self.decisions: list[tuple[np.ndarray, np.ndarray]] = []
        self._panel: list[pd.DataFrame] = []
        self._grid = None
        self._build_institutions()
        self._seed_population()
        self.current: dict[str, float] = {}
        # The metrics of a month are computed together, once (ecosim.outputs.metrics); each model
        # reporter reads its value from that row, so Mesa's tools (get_model_vars_dataframe,
        # batch_run, make_plot_component) see every metric at the cost of a dict lookup.
        self.datacollector = mesa.DataCollector(
            model_reporters={name: partial(_metric_reporter, name) for name in METRIC_NAMES})
        self.ledger.check(self.month)

    # ------------------------------------------------------------------ set-up

    def _scaled(self, given: int | None, jinan: int, minimum: int = 1) -> int:
        if given is not None:
            return given
        return max(minimum, int(round(jinan * self.params.run.firms / JINAN_FIRMS)))

    def _build_institutions(self) -> None:
        p = self.params
        s = p.scale
        self.government = Government(self)
        self.graph.add_node(self.government.unique_id, "government")
        n_banks = self._scaled(p.banks.count, JINAN_BANKS, minimum=3)
        self.banks = [Bank(self, i, p.banks.capital * JINAN_BANKS / n_banks * s) for i in range(n_banks)]
        self.bank_ids = np.array([b.unique_id for b in self.banks], dtype=np.int64)
        self.bank_accounts = {k: np.array([b.accounts[k] for b in self.banks]) for k in self.banks[0].accounts}
        self.graph.add_nodes(self.bank_ids, "bank")
        self.guarantee_chain = GuaranteeChain(self)
        for tier in self.guarantee_chain.tiers:
            self.graph.add_node(tier.unique_id, f"guarantor_{tier.tier}")
        self.pool = RiskPool(self, p.pool.size * s if p.pool.enabled else 0.0)
        self.graph.add_node(self.pool.unique_id, "risk_pool")
        self.platforms = build_platforms(self)
        self.teams = build_brokers(self)
        self.brokerage = build_brokerage(self)
        self.evaluator = BankEvaluator(self) if p.evaluation.enabled else None
        self.mother_funds: list[MotherFund] = []
        n_vc = self._scaled(p.venture.funds, JINAN_VC_FUNDS, minimum=1)
        n_aic = self._scaled(p.venture.aic_funds, JINAN_AIC_FUNDS, minimum=1)
        build_funds(self, n_vc, n_aic, jinan_vc=JINAN_VC_FUNDS, jinan_aic=JINAN_AIC_FUNDS)
        self.grant_equity = GrantEquity(self) if p.grant_equity.enabled else None

    def _seed_population(self) -> None:
        """The ecosystem at month 0: firms drawn from the steady state of their own dynamics.

        A pre-history (:mod:`ecosim.firms.prehistory`) simulates the firm population with constant
        entry; the firms operating at its end, with their ages, stages, revenue, staff and cash, are
        the initial population (their cash is booked as founders' capital).
        """
        from ecosim.firms.prehistory import steady_state_firms

        n = self.params.run.firms
        x = steady_state_firms(self.params.firms, n, self.streams.entry, risk=self.params.risk)
        rows = create_startups(self, n, age_months=x["age"], founding=x)
        f = self.firms
        f.stage[rows] = x["stage"]
        f.progress[rows] = x["progress"]
        f.fixed_costs[rows] = x["fixed"]
        f.burn[rows] = x["burn"]
        f.revenue[rows] = x["revenue"]
        f.market_size[rows] = x["market"]
        f.employees[rows] = x["staff"]
        f.hibernating[rows] = x["hib"]
        f.paid_share[rows] = x["paid"]
        f.months_insolvent[rows] = x["insolvent"]
        f.bridges[rows] = x["bridges"]
        f.doomed_since[rows] = x["doomed"]
        f.patents[rows] = x["patents"]
        f.first_sale[rows] = x["first_sale"]

    # ------------------------------------------------------------------ the month

    def step(self) -> None:
        """Advance one month: run every phase, check the books, collect the metrics.

        At the scenario's horizon (``params.run.months``) ``running`` turns False, which stops
        ``run_model()`` and ``mesa.batch_run``; stepping on past it still works.
        """
        self.month += 1
        self.tally = defaultdict(float)
        self.decisions = []
        for phase in self.phases:
            phase(self)
        self.ledger.check(self.month)
        self.current = monthly_metrics(self)
        self.datacollector.collect(self)
        if self.month % 12 == 0:
            self._panel.append(self._panel_rows())
        if self.month >= self.params.run.months:
            self.running = False

    def record_decisions(self, rows: np.ndarray, approved: np.ndarray) -> None:
        """Keep this month's credit decisions (for allocation-efficiency metrics)."""
        self.decisions.append((rows.copy(), approved.copy()))

    # ------------------------------------------------------------------ Mesa handles of the startups

    def reserve_startup_ids(self, n: int) -> np.ndarray:
        """Mesa ``unique_id`` for ``n`` new startups, in row order; their handles are made on first use.

        Making tens of thousands of Mesa agents one by one costs more than a month of the model, and
        the phases never use them, so a startup's handle (:class:`~ecosim.firms.agent.Startup`) is
        made when Mesa's agent sets (:attr:`agents`, :attr:`agents_by_type`, :attr:`agent_types`) or
        :attr:`startup_handles` are read, with the id it was given here. The ids are the ones creating
        the agents at once would give, so the ids of every agent are the same either way.
        """
        first = self.agent_id_counter
        self.agent_id_counter = first + n
        return np.arange(first, first + n, dtype=np.int64)

    def _make_startup_handles(self) -> None:
        """Make and register the Mesa handles of the startups that have none yet, with their reserved ids."""
        if "firms" not in self.__dict__:  # Mesa's own set-up, before the firm table exists
            return
        made = self._startup_handles
        n = len(self.firms)
        if len(made) == n:
            return
        from ecosim.firms.agent import Startup

        counter = self.agent_id_counter
        try:
            for row, uid in enumerate(self.firms.agent_id[len(made):n].tolist(), start=len(made)):
                self.agent_id_counter = uid  # Mesa gives a new agent the counter's value
                made.append(Startup(self, row))
        finally:
            self.agent_id_counter = counter

    @property
    def startup_handles(self) -> list:
        """The startups' Mesa handles, one per firm row (made on first use)."""
        self._make_startup_handles()
        return self._startup_handles

    @property
    def agents(self):
        """Mesa's set of all agents, the startups' handles included (see :meth:`reserve_startup_ids`)."""
        self._make_startup_handles()
        return mesa.Model.agents.fget(self)

    @agents.setter
    def agents(self, value: Any) -> None:
        mesa.Model.agents.fset(self, value)

    @property
    def agents_by_type(self):
        """Mesa's agent sets by type, the startups' handles included (``agents_by_type[Startup]``)."""
        self._make_startup_handles()
        return mesa.Model.agents_by_type.fget(self)

    @property
    def agent_types(self) -> list[type]:
        """Mesa's agent types, :class:`~ecosim.firms.agent.Startup` included."""
        self._make_startup_handles()
        return mesa.Model.agent_types.fget(self)

    def remove_all_agents(self) -> None:
        """Mesa's ``remove_all_agents``, the startups' handles included."""
        self._make_startup_handles()
        super().remove_all_agents()

    # ------------------------------------------------------------------ views

    @property
    def scenario(self) -> MesaScenario:
        """Mesa's experiment scenario of this model, carrying the ecosim scenario in force.

        (The ecosim scenario itself is :attr:`params`.) Made on first use, which is SolaraViz's.
        """
        current = self._scenario
        if type(current) is MesaScenario and "params" in self.__dict__:
            current = carrying_scenario(self.params, current.rng)
            self.scenario = current
        return current

    @scenario.setter
    def scenario(self, value: MesaScenario) -> None:
        self._scenario = value
        value.model = self

    def has_loan(self) -> np.ndarray:
        """Per firm row: whether it has an outstanding loan (read-only; kept until the active loans change)."""
        act = self.loans.active()
        cached = self._has_loan
        if cached is not None and cached[0] is act and len(cached[1]) == len(self.firms):
            return cached[1]
        out = np.zeros(len(self.firms), dtype=bool)
        out[self.loans.firm[act]] = True
        out.flags.writeable = False
        self._has_loan = (act, out)
        return out

    @property
    def grid(self):
        """The relationships as Mesa's ``Network`` space, each agent in its node's cell.

        This is what Mesa's space component draws (``make_space_component(portrayal)`` in a
        SolaraViz page). Built on demand and kept for the month. Nodes are numbered 0..n-1 in
        the graph's order (``cell.coordinate``), as Mesa's network drawing expects; each node's
        ``unique_id`` and ``kind`` attributes name the agent and its type (``bank``, ``firm``…).
        """
        if self._grid is None or self._grid[0] != self.month:
            self._grid = (self.month, self._network_grid())
        return self._grid[1]

    def _network_grid(self):
        from mesa.discrete_space import Network

        graph = nx.convert_node_labels_to_integers(self.graph.G, label_attribute="unique_id")
        space = Network(graph, layout=None, random=self.random)
        agents = {agent.unique_id: agent for agent in self.agents}
        for node, uid in graph.nodes(data="unique_id"):
            agent = agents.get(uid)
            if agent is not None:
                cell = space._cells[node]
                cell.add_agent(agent)
                agent.cell = cell
        return space

    @property
    def alive(self) -> np.ndarray:
        """Rows of startups still operating."""
        return np.flatnonzero(self.firms.status == S.ACTIVE)

    def _panel_rows(self) -> pd.DataFrame:
        f = self.firms
        rows = self.alive
        led = self.ledger
        return pd.DataFrame(
            {
                "firm_id": f.agent_id[rows],
                "year": np.full(len(rows), self.month // 12, dtype=np.int32),
                "age_months": (self.month - f.founded[rows]).astype(np.int32),
                "stage": pd.Categorical.from_codes(f.stage[rows].astype(int), categories=list(S.STAGES)),
                "employees": f.employees[rows].astype(float),
                "revenue": f.revenue[rows],
                "cash": led.balance[f.acct_cash[rows]],
                "debt": -led.balance[f.acct_debt[rows]],
                "rating": f.rating[rows].astype(float),
            }
        )

    @property
    def panel(self) -> pd.DataFrame:
        """One row per operating firm per year end."""
        if not self._panel:
            return self._panel_rows().iloc[0:0]
        return pd.concat(self._panel, ignore_index=True)

    def metrics_frame(self) -> pd.DataFrame:
        """Monthly metrics as a pandas DataFrame (one row per month, the columns of ``METRIC_NAMES``)."""
        data = self.datacollector.model_vars
        return pd.DataFrame({name: data[name] for name in METRIC_NAMES})
