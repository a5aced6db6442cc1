"""The lending phase: applications, officers' decisions, guarantees and disbursal.

Each month four kinds of firms apply: firms that need money (short runway or a
milestone ahead, see ``ecosim.firms.phases.seek_finance``), with a chance that a
partner team's visit raises; selling firms without a loan that want working
capital; firms with patents or a rating that want to fund an R&D project; and a
few growth or mature firms that want to acquire. Each applies to
its relationship bank or to a bank it finds.

The officer forms a view (:mod:`ecosim.credit.officer`), and for every product
the bank offers (:mod:`ecosim.credit.products`) sizes the loan to the firm's
need, the product's line and the firm's repayment capacity, estimates the
default risk with the loan's instalments added, and decides. The firm takes
the cheapest approved product that covers its need, or else the one that lends most.
A guaranteed loan needs the municipal guarantor to accept the firm and to have
room under its leverage limit; otherwise the firm falls back on the best
product approved without a guarantee.

Approved loans are paid out at once when the branch may approve them itself
(delegated approval), otherwise after the head office's approval lag; the
months from need to money are recorded as time-to-loan.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from ecosim.common_random import firm_draws
from ecosim.credit import loans as L
from ecosim.credit.bank import exemptions_active, lending_rooms
from ecosim.credit.officer import (
    capacity_amount,
    debt_service,
    decide,
    lender_view,
    loan_pd,
    rating_input,
    runway_after,
)
from ecosim.credit.products import (
    ACQUISITION,
    NEED,
    OFFERS,
    RD_PROJECT,
    WORKING_CAPITAL,
    Applicants,
    ma_eligible,
    purpose_in,
)
from ecosim.equity.signals import crowding_in
from ecosim.firms.state import ACTIVE
from ecosim.information.evaluation import incentive_terms
from ecosim.information.market import choose_bank
from ecosim.information.view import district_terms

if TYPE_CHECKING:
    from ecosim.model import EcosystemModel
    from ecosim.scenario import Scenario

#: Smallest loan worth booking, million yuan.
MIN_LOAN = 0.05
#: Age bands (months) for approval rates: under 1 year, 1-3 years, 3 years and more.
AGE_BANDS: tuple[tuple[str, int, int], ...] = (("0_1", 0, 12), ("1_3", 12, 36), ("3_plus", 36, 10**6))


def money_sought(model: EcosystemModel, rows: np.ndarray) -> np.ndarray:
    """What each firm in need asks for: the larger of its runway gap and its expansion need.

    The runway gap is ``need_months`` of net burn less the cash it has; ahead of a
    milestone a firm also seeks ``expansion_months`` of its burn.
    """
    f = model.firms
    p = model.params.firms
    cash = model.ledger.balance[f.acct_cash[rows]]
    net_burn = np.maximum(f.burn[rows] - f.revenue[rows], 0.0)
    gap = p.need_months * net_burn - cash
    expansion = np.where(f.progress[rows] >= p.milestone_lead, p.expansion_months * f.burn[rows], 0.0)
    return np.maximum(np.maximum(gap, expansion), MIN_LOAN)


def funding_cost(model: EcosystemModel) -> tuple[float, float]:
    """A bank's annual funding cost on a qualifying tech loan, and the share funded by re-lending.

    PBoC tech re-lending funds ``relending_share`` of the principal at the re-lending rate,
    and the funds-transfer-pricing rebate lowers the branch's internal cost of the rest.
    """
    inc = model.params.incentives
    b = model.params.banks
    share = inc.relending_share if inc.relending else 0.0
    cost = (1 - share) * b.funding_rate + share * inc.relending_rate - inc.ftp_rebate
    return cost, share


def loan_prime_rate(p, tenor: np.ndarray) -> np.ndarray:
    """The loan prime rate a loan of ``tenor`` months is priced off: the 5-year LPR from five years, else the 1-year."""
    return np.where(np.asarray(tenor) >= 60, p.banks.lpr_5y, p.banks.lpr_1y)


def existing_service(model: EcosystemModel) -> np.ndarray:
    """Per firm row: this month's debt service (instalment, interest, guarantee fee) on its active loans."""
    loans = model.loans
    act = loans.active()
    out = loans.outstanding[act]
    due = out / np.maximum(loans.months_left[act], 1) + out * (loans.rate[act] + loans.fee_rate[act]) / 12.0
    return np.bincount(loans.firm[act], weights=due, minlength=len(model.firms))


def applications(model: EcosystemModel) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """This month's applicants: (rows, purpose, amount sought, month the need began).

    Draws a fixed number of values per firm row whatever the policy (common random numbers).
    """
    f = model.firms
    p = model.params
    rng = model.streams.credit
    draws = firm_draws(model, rng, "random", 3)
    # Masks over the whole firm table: most rows are operating firms, so reading the columns in order
    # costs less than gathering the operating rows first.
    alive = (f.status == ACTIVE) & (f.pending_until < 0)
    need_draw, product_draw, ma_draw = draws[:, 0], draws[:, 1], draws[:, 2]
    has_loan = model.has_loan()
    revenue, stage = f.revenue, f.stage
    in_need = f.need_since >= 0
    chance = p.firms.apply_probability + p.brokers.apply_boost * (f.visits > 0)
    need = alive & in_need & (need_draw < chance)
    wc = alive & ~in_need & ~has_loan & (revenue > 0) & (product_draw < p.products.working_capital_apply)
    ma = alive & ~need & ~wc & ma_eligible(p, stage, revenue) & (ma_draw < p.products.ma_apply)
    # R&D projects draw from the other end of the same uniform, so a selling firm may seek either.
    rd = (alive & ~in_need & ~has_loan & ~wc
          & ((f.patents > 0) | ~np.isnan(f.rating))
          & (1.0 - product_draw < p.products.rd_apply * p.products.rd_enabled))
    rows = np.flatnonzero(need | wc | ma | rd)
    purpose = np.full(len(rows), RD_PROJECT, dtype=np.int8)
    purpose[ma[rows]] = ACQUISITION
    purpose[wc[rows]] = WORKING_CAPITAL
    purpose[need[rows]] = NEED
    sought = np.zeros(len(rows))
    sel = purpose == NEED
    sought[sel] = money_sought(model, rows[sel])
    sel = purpose == WORKING_CAPITAL
    sought[sel] = p.products.working_capital_months * f.revenue[rows[sel]]
    sel = purpose == ACQUISITION
    sought[sel] = p.products.ma_revenue_months * f.revenue[rows[sel]]
    sel = purpose == RD_PROJECT
    sought[sel] = p.products.rd_months * p.products.rd_cost_share * f.burn[rows[sel]]
    since = np.where(purpose == NEED, f.need_since[rows], model.month).astype(np.int32)
    return rows, purpose, np.maximum(sought, MIN_LOAN), since


def screening_effort(b, cover: np.ndarray, shielded: np.ndarray) -> np.ndarray:
    """Due-diligence effort an officer spends on each offer (0..1).

    Effort falls with the share of the loss the offer's cover bears (the guarantee chain's or the
    pool's) and when the officer is shielded by the due-diligence exemption:
    ``1 - screening_cover_cut × cover - screening_exempt_cut × shielded`` (``b`` is the scenario's
    bank section). The side effects of risk sharing and of the exemption on loan quality follow
    from this rule.
    """
    return np.clip(1.0 - b.screening_cover_cut * np.asarray(cover) - b.screening_exempt_cut * shielded, 0.0, 1.0)


def screened_view(mean: np.ndarray, sd: np.ndarray, bonus: np.ndarray, quality: np.ndarray, noise: np.ndarray,
                  precision: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The view after the officer's screening: the prior view updated with a reading of ``precision``.

    Args:
        mean: The bank's view of quality before screening (including the guidance-fund shift ``bonus``).
        sd: Its posterior sd.
        bonus: The guidance-fund shift included in ``mean``.
        quality: The firm's latent quality (what screening reads, with noise).
        noise: A standard normal draw per offer: the reading is ``quality + noise / sqrt(precision)``.
        precision: The precision of this screening (effort × ``banks.screening_precision``).

    Returns:
        ``(mean, sd)`` of the screened view.
    """
    prior = 1.0 / np.square(sd)
    post = prior + precision
    reading = quality + noise / np.sqrt(np.maximum(precision, 1e-12))
    mean = np.where(precision > 0, (prior * (mean - bonus) + precision * reading) / post + bonus, mean)
    return mean, 1.0 / np.sqrt(post)


def see_applicants(model: EcosystemModel, rows, purpose, sought, bank_idx) -> tuple[Applicants, np.ndarray, np.ndarray]:
    """What each applicant's bank sees of it before its officer screens it.

    Returns:
        The applicants, the posterior sd of the bank's view (opacity) and the guidance-fund shift
        included in the view's mean.
    """
    f = model.firms
    p = model.params
    led = model.ledger
    rating, rating_prec = rating_input(model, rows, bank_idx)
    own_soft = f.rel_bank[rows] == bank_idx
    bonus = np.broadcast_to(np.asarray(crowding_in(model, rows), dtype=float), len(rows))  # guidance-fund signal
    view = lender_view(rating, rating_prec, f.soft_signal[rows], np.where(own_soft, f.soft_precision[rows], 0.0),
                       bonus)
    patents = f.patents[rows]
    ip_value = patents * p.products.ip_value_per_patent * np.exp(0.5 * f.q_ip[rows])
    apps = Applicants(
        rows=rows, purpose=purpose, sought=sought, age=model.month - f.founded[rows], stage=f.stage[rows],
        cash=led.balance[f.acct_cash[rows]], revenue=f.revenue[rows], burn=f.burn[rows],
        debt=-led.balance[f.acct_debt[rows]], service=existing_service(model)[rows], collateral=f.collateral[rows],
        patents=patents.astype(float), ip_value=ip_value, employees=f.employees[rows].astype(float),
        valuation=f.valuation[rows], equity_raised=f.equity_raised[rows], view_mean=view.mean,
        rated=~np.isnan(rating),
    )
    return apps, view.sd, bonus


def lend(model: EcosystemModel) -> None:
    """The monthly lending phase: pay out queued loans, then take and decide new applications."""
    disburse_queued(model)
    f = model.firms
    p = model.params
    b = p.banks
    rng = model.streams.credit
    rows, purpose, sought, since = applications(model)
    bank_draw = firm_draws(model, rng, "integers", low=0, high=max(len(model.banks), 1))[rows]
    screening_noise = firm_draws(model, rng, "standard_normal")[rows]  # the officer's due diligence
    if len(rows) == 0 or not model.banks:
        return
    f.applications[rows] += 1
    model.tally["applications"] += len(rows)
    bank_idx = choose_bank(model, rows, bank_draw)  # own bank, own search, or the marketplace's match
    exempt_bank = exemptions_active(model)[bank_idx]
    a, view_sd, bonus = see_applicants(model, rows, purpose, sought, bank_idx)
    quality = f.quality[rows].astype(float)  # read, with noise, by the officer's own due diligence
    coverage = a.revenue / np.maximum(a.burn, 1e-9)
    bank_terms = incentive_terms(model, bank_idx)  # the yearly bank evaluation's incentives, per bank
    cost, relend_share = bank_terms["funding_cost"], bank_terms["relending_share"]
    district_line = district_terms(model, rows, bank_idx)[0]  # co-building banks' pre-approved line by grade
    chain = model.guarantee_chain
    chain_open = chain is not None and chain.open_for_business()
    pool = model.pool

    n, codes = len(rows), list(OFFERS)
    offers = [OFFERS[code](a, p) for code in codes]
    credit = offers[codes.index(L.CREDIT)]
    credit.line = np.where(purpose_in(a.purpose, (NEED, WORKING_CAPITAL, RD_PROJECT)),
                           np.maximum(credit.line, district_line - a.debt), 0.0)
    # One row per product, one column per applicant.
    tenor = np.stack([o.tenor for o in offers])
    security = np.stack([o.security for o in offers])
    amount = np.minimum(np.minimum(a.sought, np.stack([o.line for o in offers])), largest_loans(p, codes)[:, None])

    # The officer prices every offer worth booking: (product j, applicant i) pairs, longest tenors
    # first, each sized to the firm's repayment capacity. A pair's ``cell`` is its position in the
    # flattened product-by-applicant tables.
    longest_first = np.argsort(-tenor.max(axis=1, initial=0), kind="stable")
    worth = np.flatnonzero((amount >= MIN_LOAN)[longest_first])  # positions in the reordered table
    rank = worth // n
    i = worth - rank * n
    j = longest_first[rank]
    cell = j * n + i
    ten = tenor.ravel()[cell]
    amt = np.minimum(amount.ravel()[cell], capacity_amount(a.revenue[i], a.cash[i], a.service[i], ten, b.rate_cap,
                                                           b.debt_service_share))
    sized = np.flatnonzero(amt >= MIN_LOAN)
    j, i, cell, amt, ten = j[sized], i[sized], cell[sized], amt[sized], ten[sized]
    service = a.service[i] + debt_service(amt, ten, b.rate_cap)
    g = codes.index(L.GUARANTEED)
    # Pledged patents and unlisted shares lose value with the failing firm; fixed assets keep theirs.
    lgd_floor = np.array([b.pledge_lgd_floor if code in (L.IP_PLEDGE, L.EQUITY_PLEDGE) else b.secured_lgd_floor
                          for code in codes])
    is_g = j == g
    # Guaranteed loans carry the guarantee chain's cover; other loans within the pool's size
    # limit carry the risk-compensation pool's. Cover and the exemption lower the officer's
    # screening effort on the offer, and with it what the officer learns of the firm.
    pool_cover = pool.expected_cover() if pool is not None else 0.0
    cover = np.where(is_g, chain.covered_share if chain is not None else 0.0,
                     np.where(amt <= p.pool.max_loan, pool_cover, 0.0))
    shielded = exempt_bank[i] & (amt <= p.exemption.max_loan)
    view_mean, offer_sd = screened_view(a.view_mean[i], view_sd[i], bonus[i], quality[i], screening_noise[i],
                                        b.screening_precision * screening_effort(b, cover, shielded))
    pd = loan_pd(view_mean, coverage[i], a.age[i], runway_after(a.cash[i], a.burn[i], a.revenue[i], service), ten,
                 offer_sd)
    # The bank's credit policy refuses offers above its risk ceiling, and a guaranteed loan needs
    # the guarantor open for business and within its own ceiling; the officer decides the rest.
    considered = (pd <= b.max_pd) & np.where(is_g, chain_open & (pd <= p.guarantee.max_pd), True)
    considered = np.flatnonzero(considered)  # one index for the many arrays it selects from
    j, i, cell, amt, ten = j[considered], i[considered], cell[considered], amt[considered], ten[considered]
    pd, is_g, cover = pd[considered], is_g[considered], cover[considered]
    shielded, offer_sd = shielded[considered], offer_sd[considered]
    lgd = np.maximum(b.loss_given_default * (1 - np.minimum(security.ravel()[cell] / np.maximum(amt, 1e-9), 1.0)),
                     lgd_floor[j] * b.loss_given_default)
    dec = decide(pd=pd, view_sd=offer_sd, loss_given_default=lgd, cover=cover, funding_cost=cost[i],
                 base_margin=b.base_margin, rate_cap=bank_terms["rate_cap"][i], officer_penalty=b.officer_penalty,
                 opacity_aversion=b.opacity_aversion, exempt=shielded,
                 max_pd=b.max_pd, reference_rate=loan_prime_rate(p, ten),
                 capital_charge=b.capital_ratio * b.capital_return, funding_saving=b.funding_rate - cost[i],
                 pass_through=b.subsidy_pass_through, risk_premium=b.risk_premium)

    # The firm takes the cheapest approved product that covers its need, else the one lending most.
    yes = np.flatnonzero(dec.approve)
    j, i, cell, amt, is_g = j[yes], i[yes], cell[yes], amt[yes], is_g[yes]
    rate, exempt, officer_pd = dec.rate[yes], dec.exempt[yes], dec.officer_pd[yes]
    fee = p.guarantee.fee_rate if chain is not None else 0.0
    all_in = rate + np.where(is_g, fee, 0.0)
    covers = amt >= 0.999 * a.sought[i]
    # One column per applicant with an approved offer ("bidder"): the score of each product's
    # offer, and which approved offer it is (-1 for none).
    bidding = np.zeros(n, dtype=bool)
    bidding[i] = True
    bidders = np.flatnonzero(bidding)
    column = (np.cumsum(bidding) - 1)[i]
    score = np.full((len(codes), len(bidders)), -np.inf)
    score[j, column] = np.where(covers, 1e6 - all_in, amt - 1e-3 * all_in)
    offer_no = np.full((len(codes), len(bidders)), -1)
    offer_no[j, column] = np.arange(len(j))
    plain = score.copy()
    plain[g] = -np.inf
    best_plain = plain.argmax(axis=0)
    use_g = score.argmax(axis=0) == g
    if use_g.any():
        # The municipal guarantor's room under its leverage limit, first come first served.
        want = np.where(use_g, amt[offer_no[g]], 0.0)
        fits = np.cumsum(want) <= chain.room()
        model.tally["guarantee_rationed"] += float(want[use_g & ~fits].sum())
        use_g &= fits
    taken = np.full(n, -1)  # per applicant: the approved offer it takes, -1 for none
    taken[bidders] = offer_no[np.where(use_g, g, best_plain), np.arange(len(bidders))]
    approve = taken >= 0
    lent = np.zeros(n)
    lent[approve] = amt[taken[approve]]

    in_plan = lent.copy()  # what each approval asks of its bank's tech-loan credit plan
    in_plan[approve] *= in_credit_plan(p, np.asarray(codes)[j[taken[approve]]])
    within_capital(model, bank_idx, in_plan, approve)

    tally_approvals(model, a.age, approve)
    model.record_decisions(rows, approve)

    idx = np.flatnonzero(approve)
    if len(idx) == 0:
        return
    chosen = taken[idx]
    ch, chosen_cell = j[chosen], cell[chosen]
    product = np.array(codes)[ch]
    guaranteed = product == L.GUARANTEED
    inc = p.incentives
    principal = lent[idx]
    delegated = inc.delegated_approval & (principal <= bank_terms["delegated_limit"][idx])
    lag = np.where(delegated, 0, b.approval_lag)
    terms = {
        "firm": rows[idx],
        "bank": bank_idx[idx],
        "product": product.astype(np.int8),
        "principal": principal,
        "rate": rate[chosen],
        "tenor": tenor.ravel()[chosen_cell],
        "collateral": np.concatenate([o.pledged for o in offers])[chosen_cell],
        "security": np.minimum(security.ravel()[chosen_cell], principal),
        "guaranteed": guaranteed,
        "fee_rate": np.where(guaranteed, chain.fee_rate(principal) if chain is not None else 0.0, 0.0),
        "relending_share": relend_share[idx],
        "exempt": exempt[chosen],
        "officer_pd": officer_pd[chosen],
        "need_since": since[idx],
    }
    now = lag == 0
    disburse(model, {k: v[now] for k, v in terms.items()})
    later = ~now
    if later.any():
        due = model.month + lag[later]
        f.pending_until[terms["firm"][later]] = due
        for d in np.unique(due):
            sel = later.copy()
            sel[later] = due == d
            model.loan_queue.setdefault(int(d), []).append({k: v[sel] for k, v in terms.items()})
    if chain is not None and guaranteed.any():
        chain.refresh()  # cover recomputed from the loan book and the queue


def largest_loans(p: Scenario, codes: list[int]) -> np.ndarray:
    """Per product code in ``codes``: the largest single loan (``products.ma_max_loan`` for M&A loans,
    ``banks.max_loan`` for the others)."""
    return np.array([p.products.ma_max_loan if code == L.MA else p.banks.max_loan for code in codes])


def in_credit_plan(p: Scenario, product: np.ndarray) -> np.ndarray:
    """Whether loans of each ``product`` draw on the capital of the banks' tech-loan credit plan.

    Every product does, except M&A loans when ``products.ma_in_credit_plan`` is off (corporate loans
    booked against the bank's whole balance sheet).
    """
    return (np.asarray(product) != L.MA) | p.products.ma_in_credit_plan


def tally_approvals(model: EcosystemModel, age: np.ndarray, approve: np.ndarray) -> None:
    """Count this month's applications and approvals, young and old and by age band (:data:`AGE_BANDS`)."""
    t = model.tally
    n, approved = len(age), int(np.count_nonzero(approve))
    young = age < 36
    young_approved = int(np.count_nonzero(approve & young))
    t["applications_young"] += int(np.count_nonzero(young))
    t["approvals_young"] += young_approved
    t["applications_old"] += n - int(np.count_nonzero(young))
    t["approvals_old"] += approved - young_approved
    # The bands are contiguous: position k + 1 among the edges is band k (0 and the last: outside every band).
    edges = [lo for _, lo, _ in AGE_BANDS] + [AGE_BANDS[-1][2]]
    band = np.searchsorted(edges, age, side="right")
    applied_in, approved_in = (np.bincount(b, minlength=len(edges) + 1) for b in (band, band[approve]))
    for k, (name, _, _) in enumerate(AGE_BANDS, start=1):
        t[f"applications_age_{name}"] += int(applied_in[k])
        t[f"approvals_age_{name}"] += int(approved_in[k])
    t["approvals"] += approved


def within_capital(model: EcosystemModel, bank_idx: np.ndarray, amount: np.ndarray, approve: np.ndarray) -> None:
    """Withdraw approvals once a bank's capital requirement binds, in application order (``approve`` in place).

    Each bank lends from its room (:meth:`ecosim.credit.bank.Bank.lending_room`) until an
    application asks for more than is left; that one is refused and later, smaller ones may
    still fit.
    """
    room = lending_rooms(model)
    approved = np.flatnonzero(approve)
    bank_of = bank_idx[approved]
    asked = np.bincount(bank_of, weights=amount[approved], minlength=len(room))
    # Banks asked for clearly less than their room approve everything; the others go one by one.
    refused = []
    for k in np.flatnonzero(asked > (1.0 - 1e-9) * room).tolist():
        left = float(room[k])
        queue = approved[bank_of == k]
        for i, asks in zip(queue.tolist(), amount[queue].tolist(), strict=True):
            if asks > left:
                refused.append(i)
            else:
                left -= asks
    approve[refused] = False


def disburse_queued(model: EcosystemModel) -> None:
    """Pay out loans whose head-office approval comes through this month (firms still alive)."""
    for terms in model.loan_queue.pop(model.month, []):
        alive = model.firms.status[terms["firm"]] == ACTIVE
        model.firms.pending_until[terms["firm"]] = -1
        disburse(model, {k: v[alive] for k, v in terms.items()})
    if model.guarantee_chain is not None:
        model.guarantee_chain.refresh()  # loans of firms that died while queued drop out of the cover


def disburse(model: EcosystemModel, terms: dict[str, np.ndarray]) -> None:
    """Book new loans: the bank raises deposits (and re-lending), then pays the firm."""
    n = len(terms["firm"])
    if n == 0:
        return
    f = model.firms
    led = model.ledger
    rows = terms["firm"]
    banks = terms["bank"]
    principal = terms["principal"]
    ba = model.bank_accounts
    dep = led.external_owner("depositors")
    cb = led.external_owner("central_bank")
    rel = principal * terms["relending_share"]
    led.transfer("deposit_funding", dep["cash"], dep["net_flow"], ba["cash"][banks], ba["deposits"][banks],
                 principal - rel)
    led.transfer("relending_funding", cb["cash"], cb["net_flow"], ba["cash"][banks], ba["relending"][banks], rel)
    led.transfer("loan_disbursal", ba["cash"][banks], ba["loans"][banks], f.acct_cash[rows], f.acct_debt[rows],
                 principal)
    ttl = np.maximum(model.month - terms["need_since"], 0)
    model.loans.add(
        n,
        firm=rows, bank=banks, product=terms["product"], start=model.month, principal=principal,
        outstanding=principal, rate=terms["rate"], tenor=terms["tenor"], months_left=terms["tenor"],
        collateral=terms["collateral"], security=terms["security"], guaranteed=terms["guaranteed"],
        fee_rate=terms["fee_rate"],
        relending_share=terms["relending_share"], exempt=terms["exempt"], officer_pd=terms["officer_pd"],
        time_to_loan=ttl,
    )
    f.debt_raised[rows] += principal
    f.rel_bank[rows] = banks
    f.need_since[rows] = -1
    bank_ids = model.bank_ids[banks]
    model.graph.link(f.agent_id[rows], bank_ids, "lending")
    if terms["guaranteed"].any() and model.guarantee_chain is not None:
        g_rows = rows[terms["guaranteed"]]
        model.graph.link(f.agent_id[g_rows], np.full(len(g_rows), model.guarantee_chain.municipal.unique_id),
                         "guarantee")
    model.events.record(model.month, "loan", firm_id=f.agent_id[rows], counterparty_id=bank_ids,
                        amount=principal, product=terms["product"], detail=terms["rate"], rate=terms["rate"],
                        tenor=terms["tenor"].astype(np.int16))
    model.tally["new_loans"] += float(principal.sum())
    model.tally["new_loan_rate_weighted"] += float((terms["rate"] * principal).sum())
    model.tally["loans_made"] += n
    model.tally["loans_exempt"] += int(terms["exempt"].sum())
    model.tally["guarantee_fee_weighted"] += float((terms["fee_rate"] * principal).sum())
    model.tally["time_to_loan_sum"] += float(ttl.sum())
    made = np.bincount(terms["product"], minlength=len(L.PRODUCTS))
    # Volume and count by product; a stable sort lists each product's loans together, in their order.
    by_product = principal[np.argsort(terms["product"], kind="stable")]
    ends = np.cumsum(made)
    for prod in np.flatnonzero(made).tolist():
        model.tally[f"new_loans_{L.PRODUCTS[prod]}"] += float(by_product[ends[prod] - made[prod]:ends[prod]].sum())
        model.tally[f"loans_made_{L.PRODUCTS[prod]}"] += int(made[prod])
