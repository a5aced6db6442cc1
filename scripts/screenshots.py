"""Make the README's images: the dashboard of a baseline run and a screenshot of the teaching demo.

    python scripts/screenshots.py [--out docs/img] [--steps 24]

Writes ``dashboard.png`` (``ecosim run baseline``, seed 1, default size) and
``demo.png`` (``ecosim demo`` in headless Debian chromium after a number of
steps). Needs ``/usr/bin/chromium`` for the demo screenshot.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--no-first-run"]


def dashboard(out: Path) -> Path:
    """Run the baseline (seed 1) and copy its dashboard."""
    from ecosim.runner import run_to_dir
    from ecosim.scenario import load_scenario

    with tempfile.TemporaryDirectory() as tmp:
        run_to_dir(load_scenario("baseline"), 1, Path(tmp), progress=False)
        target = out / "dashboard.png"
        shutil.copy(Path(tmp) / "dashboard.png", target)
    return target


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def demo(out: Path, steps: int) -> Path:
    """Serve the demo, step it in headless chromium and take a screenshot."""
    from playwright.sync_api import expect, sync_playwright

    port = _free_port()
    env = dict(os.environ, PYTHONPATH=f"{ROOT / 'src'}{os.pathsep}{os.environ.get('PYTHONPATH', '')}")
    proc = subprocess.Popen([sys.executable, "-m", "ecosim.cli", "demo", "--host", "127.0.0.1", "--port", str(port)],
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                with urllib.request.urlopen(url, timeout=2):
                    break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise SystemExit("ecosim demo did not start") from None
                time.sleep(0.5)
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
            page = browser.new_page(viewport={"width": 1700, "height": 1000})
            page.goto(url, wait_until="domcontentloaded", timeout=120_000)
            status = page.locator(".ecosim-status")
            expect(status).to_contain_text("Month 0", timeout=120_000)
            step = page.get_by_role("button", name="Step")
            for k in range(1, steps + 1):
                step.click()
                expect(status).to_contain_text(f"Month {k} ·", timeout=60_000)
            page.wait_for_timeout(1500)
            target = out / "demo.png"
            page.screenshot(path=str(target))
            browser.close()
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=20)
    return target


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "img", help="folder for the images")
    parser.add_argument("--steps", type=int, default=24, help="months to step the demo before the screenshot")
    parser.add_argument("--skip-demo", action="store_true", help="only the dashboard")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    print("wrote", dashboard(args.out))
    if not args.skip_demo:
        if not Path(CHROMIUM).exists():
            raise SystemExit(f"{CHROMIUM} is missing (apt-get install chromium); use --skip-demo for the dashboard only")
        print("wrote", demo(args.out, args.steps))


if __name__ == "__main__":
    main()
