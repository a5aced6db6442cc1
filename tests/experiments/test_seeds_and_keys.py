"""Seeds derive from one root and are reused across scenarios; run keys identify what determines a result."""

from __future__ import annotations

from ecosim.experiments.seeds import derive_seeds, independent_seeds
from ecosim.experiments.tasks import make_tasks, run_key
from ecosim.experiments.variants import Variant, resolve, resolve_all


def test_seeds_are_reproducible_distinct_and_a_prefix_family():
    a = derive_seeds(8, root=7)
    assert a == derive_seeds(8, root=7)
    assert len(set(a)) == 8
    assert derive_seeds(3, root=7) == a[:3]
    assert derive_seeds(3, root=8) != a[:3]
    assert all(0 <= s < 2**63 for s in a)


def test_independent_seeds_do_not_overlap_between_scenarios():
    lists = independent_seeds(4, 3, root=7)
    flat = [s for lst in lists for s in lst]
    assert len(set(flat)) == 12


def test_every_scenario_gets_the_same_seed_list():
    variants = resolve_all(["baseline", "no_policy"], months=6, firms=100)
    tasks = make_tasks(variants, [11, 22, 33])
    by = {}
    for t in tasks:
        by.setdefault(t.scenario, []).append(t.seed)
    assert by == {"baseline": [11, 22, 33], "no_policy": [11, 22, 33]}


def test_run_key_changes_with_parameters_seed_horizon_size_and_version_not_with_the_label():
    base = resolve("baseline", months=6, firms=100)
    renamed = resolve(Variant("other_label", "baseline"), months=6, firms=100)
    changed = resolve(Variant("x", "baseline", {"pool.share": 0.4}), months=6, firms=100)
    h = base.content_hash
    assert renamed.content_hash == h
    assert changed.content_hash != h
    k = run_key(h, 1, 6, 100, "0.1.0")
    assert k == run_key(h, 1, 6, 100, "0.1.0")
    assert len({k, run_key(h, 2, 6, 100, "0.1.0"), run_key(h, 1, 7, 100, "0.1.0"), run_key(h, 1, 6, 101, "0.1.0"),
                run_key(h, 1, 6, 100, "0.2.0"), run_key(changed.content_hash, 1, 6, 100, "0.1.0")}) == 6
