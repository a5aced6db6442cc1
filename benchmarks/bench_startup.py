"""Start-up time of the command line and of ``import ecosim``.

Each command runs ``--repeat`` times as a fresh process; the fastest and the
median wall seconds are printed, with the target (0.5 s). The machine's load
changes wall times, so compare versions by their fastest runs measured in
alternation. What the commands import is checked by
``tests/package/test_startup.py``.

    python benchmarks/bench_startup.py [--repeat 7]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

TARGET_SECONDS = 0.5
BIN = Path(sys.executable).parent

COMMANDS: dict[str, list[str]] = {
    "ecosim --help": [str(BIN / "ecosim"), "--help"],
    "ecosim params": [str(BIN / "ecosim"), "params"],
    "import ecosim": [sys.executable, "-c", "import ecosim"],
    # What `ecosim run` imports before the run starts (the model's libraries come with the run).
    "run's imports": [sys.executable, "-c", "import ecosim.cli, ecosim.runner, ecosim.outputs.files"],
    "python (nothing)": [sys.executable, "-c", "pass"],
}


def wall_seconds(cmd: list[str]) -> float:
    """Wall time of one run of a command."""
    start = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7, help="runs of each command")
    args = parser.parse_args()
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    times: dict[str, list[float]] = {name: [] for name in COMMANDS}
    for _ in range(args.repeat):  # commands in alternation, so a busy spell touches all of them
        for name, cmd in COMMANDS.items():
            times[name].append(wall_seconds(cmd))
    print(f"{'command':<18} {'fastest s':>10} {'median s':>10} {'target s':>9}")
    for name, runs in times.items():
        target = "" if name.startswith("python") else f"{TARGET_SECONDS:.1f}"
        print(f"{name:<18} {min(runs):>10.3f} {statistics.median(runs):>10.3f} {target:>9}")


if __name__ == "__main__":
    main()
