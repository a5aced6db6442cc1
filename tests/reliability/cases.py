"""Bad inputs generated from the scenario schema: every lever with wrong types, bounds, NaN/inf, strings, tables.

Each :class:`Case` is one invocation of the ``ecosim`` command line that must
be refused: exit status 2, one line on stderr, naming ``expect`` (the field or
option), no traceback. Lever cases come from
:func:`ecosim.scenario.parameter_table` — a lever added to the schema gets its
bad values here without editing this file — each as a scenario file and as a
``--set`` value. Structural cases cover the file itself (broken TOML, binary,
non-UTF-8, a folder, a device), ``extends`` and the command's options.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from pathlib import Path

from ecosim.scenario import MAX_EXTENDS_DEPTH, MAX_SCENARIO_BYTES, parameter_table

#: Options that keep an accidentally accepted case short.
SMALL = ["--months", "1", "--firms", "10", "--quiet"]


@dataclass
class Case:
    """One bad invocation.

    Attributes:
        name: Short label (the pytest id).
        args: ``ecosim`` arguments; ``{tmp}`` is replaced by the case's folder and
            ``{out}`` by a fresh results folder in it.
        expect: Text the one-line error must contain (the field or option named).
        files: Files to create in the case's folder before running: name -> bytes.
        folders: Folders to create in the case's folder.
        links: Symbolic links to create in the case's folder: name -> target.
    """

    name: str
    args: list[str]
    expect: str
    files: dict[str, bytes] = field(default_factory=dict)
    folders: list[str] = field(default_factory=list)
    links: dict[str, str] = field(default_factory=dict)

    def materialise(self, tmp: Path) -> list[str]:
        """Create the case's files under ``tmp``; return its arguments with the paths filled in."""
        for folder in self.folders:
            (tmp / folder).mkdir(parents=True, exist_ok=True)
        for name, content in self.files.items():
            path = tmp / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(content)
        for name, target in self.links.items():
            (tmp / name).symlink_to(target)
        return [a.replace("{tmp}", str(tmp)).replace("{out}", str(tmp / "out")) for a in self.args]


def _bad_values(row: dict) -> list[tuple[str, str]]:
    """``(label, TOML value)`` pairs that the lever must refuse, from its declared type and range."""
    kind = str(row["type"])
    lo, hi = row["min"], row["max"]
    common = [("table", "{ a = 1 }"), ("array", "[1, 2]"), ("date", "1979-05-27"), ("text", '"abc"')]
    if kind.startswith("bool"):
        return [*common, ("int1", "1"), ("int0", "0"), ("float", "1.0"), ("str_true", '"true"'), ("str_off", '"off"')]
    out = [*common, ("true", "true"), ("false", "false"), ("nan", "nan"), ("inf", "inf"), ("neg_inf", "-inf")]
    if kind.startswith("int"):
        base = lo if lo is not None else 1
        out += [("float_int", f"{float(base):.1f}"), ("num_str", f'"{int(base)}"'), ("frac", f"{base + 0.5}")]
        if lo is not None:
            out.append(("below", str(int(lo) - 1)))
        if hi is not None:
            out.append(("above", str(int(hi) + 1)))
    else:
        base = lo if lo is not None else 0.0
        out += [("num_str", f'"{base}"')]
        if lo is not None:
            out.append(("below", repr(float(lo) - max(1.0, abs(float(lo))))))
        if hi is not None:
            out.append(("above", repr(float(hi) + max(1.0, abs(float(hi))))))
    return out


def lever_cases() -> list[Case]:
    """Every lever × every bad value, as a scenario file and as a ``--set`` value."""
    cases = []
    for row in parameter_table():
        section, key = row["path"].split(".", 1)
        small = [] if section == "run" else SMALL
        for label, value in _bad_values(row):
            text = f'extends = "baseline"\n\n[{section}]\n{key} = {value}\n'.encode()
            cases.append(Case(f"file-{row['path']}-{label}", ["run", "{tmp}/bad.toml", "--out", "{out}", *small],
                              row["path"], files={"bad.toml": text}))
            cases.append(Case(f"set-{row['path']}-{label}",
                              ["run", "baseline", "--set", f"{row['path']}={value}", "--out", "{out}", *small],
                              row["path"]))
    return cases


def _file(name: str, content: bytes, expect: str) -> Case:
    return Case(f"file-{name}", ["run", "{tmp}/s.toml", "--out", "{out}", *SMALL], expect, files={"s.toml": content})


def _extends(name: str, value: str, expect: str, **extra) -> Case:
    files = {"s.toml": f"extends = {value}\n".encode(), **extra.pop("files", {})}
    return Case(f"extends-{name}", ["run", "{tmp}/s.toml", "--out", "{out}", *SMALL], expect, files=files, **extra)


def structural_cases() -> list[Case]:
    """Broken files, ``extends`` cases, bad top-level keys and bad command options."""
    chain = {f"c{i}.toml": f'extends = "c{i + 1}"\n'.encode() for i in range(MAX_EXTENDS_DEPTH + 8)}
    chain[f"c{MAX_EXTENDS_DEPTH + 8}.toml"] = b'extends = "baseline"\n'
    cases = [
        # the file itself
        _file("broken-toml-bracket", b"[run\nmonths = 3\n", "not valid TOML"),
        _file("broken-toml-equals", b'extends = "baseline"\nmonths 3\n', "not valid TOML"),
        _file("broken-toml-dup", b"[run]\nmonths = 3\nmonths = 4\n", "not valid TOML"),
        _file("broken-toml-string", b'name = "unterminated\n', "not valid TOML"),
        _file("binary", bytes(range(256)) * 8, "s.toml"),
        _file("nul", b'extends = "baseline"\x00\n', "s.toml"),
        _file("latin1", 'extends = "baseline"\nname = "caf\u00e9"\n'.encode("latin-1"), "UTF-8"),
        _file("utf16", 'extends = "baseline"\n'.encode("utf-16"), "s.toml"),
        _file("oversize", b"# " + b"x" * (MAX_SCENARIO_BYTES + 10) + b"\n", "limit"),
        _file("name-number", b'extends = "baseline"\nname = 5\n', "name"),
        _file("description-table", b'extends = "baseline"\ndescription = { a = 1 }\n', "description"),
        _file("section-number", b'extends = "baseline"\nguarantee = 3\n', "guarantee"),
        _file("unknown-section", b'extends = "baseline"\n[nonsense]\na = 1\n', "nonsense"),
        _file("unknown-key", b'extends = "baseline"\n[pool]\nshare_x = 0.5\n', "pool.share_x"),
        _file("split-not-one", b'extends = "baseline"\n[guarantee]\nshare_bank = 0.9\n', "guarantee"),
        Case("scenario-folder", ["run", "{tmp}/d.toml", "--out", "{out}", *SMALL], "not a regular file",
             folders=["d.toml"]),
        Case("scenario-dev-zero", ["run", "/dev/zero", "--out", "{out}", *SMALL], ".toml"),
        Case("scenario-dev-zero-toml", ["run", "{tmp}/z.toml", "--out", "{out}", *SMALL], "not a regular file",
             links={"z.toml": "/dev/zero"}),
        Case("scenario-missing", ["run", "{tmp}/missing.toml", "--out", "{out}", *SMALL], "not found"),
        Case("scenario-outside-name", ["run", "../../pyproject", "--out", "{out}", *SMALL], "pyproject"),
        Case("scenario-empty-name", ["run", "", "--out", "{out}", *SMALL], "empty"),
        Case("scenario-unknown-name", ["run", "no_such_scenario", "--out", "{out}", *SMALL], "no_such_scenario"),
        # extends
        _extends("number", "5", "extends"),
        _extends("float", "1.5", "extends"),
        _extends("bool", "true", "extends"),
        _extends("array", '["baseline"]', "extends"),
        _extends("table", '{ a = "baseline" }', "extends"),
        _extends("date", "1979-05-27", "extends"),
        _extends("empty", '""', "extends"),
        _extends("blank", '"   "', "extends"),
        _extends("dot", '"."', "."),
        _extends("folder", '"sub.toml"', "not a regular file", folders=["sub.toml"]),
        _extends("dev-zero", '"/dev/zero"', ".toml"),
        _extends("dev-zero-link", '"z.toml"', "not a regular file", links={"z.toml": "/dev/zero"}),
        _extends("self", '"s"', "cycle"),
        _extends("self-path", '"s.toml"', "cycle"),
        _extends("cycle", '"a"', "cycle", files={"a.toml": b'extends = "b"\n', "b.toml": b'extends = "s"\n'}),
        _extends("deep-chain", '"c0"', "deeper", files=chain),
        _extends("missing", '"nowhere"', "nowhere"),
        _extends("missing-path", '"sub/nowhere.toml"', "nowhere"),
        _extends("binary-parent", '"p.toml"', "p.toml", files={"p.toml": bytes(range(256))}),
        _extends("parent-bad-value", '"p"', "pool.share",
                 files={"p.toml": b'extends = "baseline"\n[pool]\nshare = "half"\n'}),
        # options
        Case("out-empty", ["run", "baseline", "--out", "", *SMALL], "--out"),
        Case("out-file", ["run", "baseline", "--out", "{tmp}/f", *SMALL], "--out", files={"f": b"x"}),
        Case("out-below-file", ["run", "baseline", "--out", "{tmp}/f/sub", *SMALL], "--out", files={"f": b"x"}),
        Case("out-dev-null", ["run", "baseline", "--out", "/dev/null", *SMALL], "--out"),
        Case("out-newline", ["run", "baseline", "--out", "{tmp}/a\nb", *SMALL], "--out"),
        Case("seed-negative", ["run", "baseline", "--seed", "-1", "--out", "{out}", *SMALL], "--seed"),
        Case("seed-huge", ["run", "baseline", "--seed", str(2**64), "--out", "{out}", *SMALL], "--seed"),
        Case("set-multiline", ["run", "baseline", "--set", "exemption.max_loan=5\nname = 1", "--out", "{out}",
                               *SMALL], "exemption.max_loan"),
        Case("set-and-months", ["run", "baseline", "--set", "run.months=abc", "--months", "6", "--out", "{out}"],
             "run.months"),
        Case("set-no-equals", ["run", "baseline", "--set", "pool.share", "--out", "{out}", *SMALL], "pool.share"),
        Case("set-unknown", ["run", "baseline", "--set", "pool.nothing=1", "--out", "{out}", *SMALL], "pool.nothing"),
        Case("firms-word", ["run", "baseline", "--firms", "many", "--months", "1", "--out", "{out}"], "firms"),
        Case("firms-float", ["run", "baseline", "--firms", "10.5", "--months", "1", "--out", "{out}"], "firms"),
        Case("firms-zero", ["run", "baseline", "--firms", "0", "--months", "1", "--out", "{out}"], "run.firms"),
        Case("months-zero", ["run", "baseline", "--months", "0", "--firms", "10", "--out", "{out}"], "run.months"),
        Case("compare-workers-zero", ["compare", "baseline", "--workers", "0", "--seeds", "1", "--out", "{out}",
                                      *SMALL], "--workers"),
        Case("compare-workers-negative", ["compare", "baseline", "--workers", "-2", "--seeds", "1", "--out", "{out}",
                                          *SMALL], "--workers"),
        Case("compare-root-seed", ["compare", "baseline", "--root-seed", "-1", "--seeds", "1", "--out", "{out}",
                                   *SMALL], "--root-seed"),
        Case("compare-seeds-zero", ["compare", "baseline", "--seeds", "0", "--out", "{out}", *SMALL], "--seeds"),
        Case("compare-out-empty", ["compare", "baseline", "--seeds", "1", "--out", "", *SMALL], "--out"),
        Case("compare-out-file", ["compare", "baseline", "--seeds", "1", "--out", "{tmp}/f", *SMALL], "--out",
             files={"f": b"x"}),
        Case("compare-executor", ["compare", "baseline", "--executor", "threads", "--seeds", "1", "--out", "{out}",
                                  *SMALL], "executor"),
        Case("compare-scheduler-bad", ["compare", "baseline", "--scheduler", "nonsense", "--seeds", "1", "--out",
                                       "{out}", *SMALL], "--scheduler"),
        Case("compare-scheduler-closed", ["compare", "baseline", "--scheduler", "tcp://127.0.0.1:9", "--seeds", "1",
                                          "--out", "{out}", *SMALL], "--scheduler"),
        Case("sweep-huge-grid", ["sweep", "baseline", "--param", "pool.share=0:1:2000000", "--seeds", "1", "--out",
                                 "{out}", *SMALL], "points"),
        Case("sweep-huge-product", ["sweep", "baseline", "--param", "pool.share=0:1:1000", "--param",
                                    "guarantee.fee_rate=0:0.015:1000", "--seeds", "1", "--out", "{out}", *SMALL],
             "points"),
        Case("sweep-param-nan", ["sweep", "baseline", "--param", "pool.share=nan,0.5", "--seeds", "1", "--out",
                                 "{out}", *SMALL], "pool.share"),
        Case("sweep-param-string", ["sweep", "baseline", "--param", "pool.share=a,b", "--seeds", "1", "--out",
                                    "{out}", *SMALL], "pool.share"),
        Case("sweep-param-unknown", ["sweep", "baseline", "--param", "pool.zzz=0:1", "--seeds", "1", "--out",
                                     "{out}", *SMALL], "pool.zzz"),
        Case("sweep-workers-zero", ["sweep", "baseline", "--param", "pool.share=0:1:2", "--workers", "0", "--seeds",
                                    "1", "--out", "{out}", *SMALL], "--workers"),
        Case("sobol-tiny", ["sensitivity", "baseline", "--param", "pool.share=0:0.8", "--param",
                            "guarantee.fee_rate=0.003:0.015", "--method", "sobol", "--samples", "3", "--out",
                            "{out}", *SMALL], "--samples"),
        Case("sobol-not-power", ["sensitivity", "baseline", "--param", "pool.share=0:0.8", "--method", "sobol",
                                 "--samples", "12", "--out", "{out}", *SMALL], "--samples"),
        Case("morris-one", ["sensitivity", "baseline", "--param", "pool.share=0:0.8", "--method", "morris",
                            "--samples", "1", "--out", "{out}", *SMALL], "--samples"),
        Case("sensitivity-method", ["sensitivity", "baseline", "--param", "pool.share=0:0.8", "--method", "anova",
                                    "--samples", "8", "--out", "{out}", *SMALL], "--method"),
        Case("fast-tiny", ["sensitivity", "baseline", "--param", "pool.share=0:0.8", "--method", "fast",
                           "--samples", "8", "--out", "{out}", *SMALL], "--samples"),
        Case("results-not-store", ["results", "{tmp}"], "not a results folder"),
        Case("results-corrupt-part", ["results", "{tmp}/st"], "part-bad.parquet",
             files={"st/store.json": b'{"format": "ecosim-results", "version": 1}\n',
                    "st/runs/part-bad.parquet": b"not parquet at all"}),
        Case("results-corrupt-journal", ["results", "{tmp}/st"], "compact.json",
             files={"st/store.json": b'{"format": "ecosim-results", "version": 1}\n',
                    "st/compact.json": b"{not json"}),
        Case("results-journal-traversal", ["results", "{tmp}/st"], "compact.json",
             files={"st/store.json": b'{"format": "ecosim-results", "version": 1}\n',
                    "st/compact.json": b'{"table": "runs", "new": "part-x.parquet", "old": ["../../victim"]}'}),
        Case("calibrate-history-folder", ["calibrate", "--history", "{tmp}", "--budget", "1"], "--history"),
    ]
    return cases


def all_cases() -> list[Case]:
    """Every generated case: levers from the schema, then the structural ones."""
    return lever_cases() + structural_cases()


def default_sample(cases: list[Case], size: int = 240, seed: int = 17) -> list[Case]:
    """A fixed sample for the default suite: every structural case plus random lever cases up to ``size``."""
    structural = [c for c in cases if not c.name.startswith(("file-", "set-")) or c.name.startswith(
        ("file-broken", "file-binary", "file-nul", "file-latin1", "file-utf16", "file-oversize", "file-name",
         "file-description", "file-section", "file-unknown", "file-split"))]
    levers = [c for c in cases if c not in structural]
    rng = random.Random(seed)
    return structural + rng.sample(levers, max(0, size - len(structural)))
