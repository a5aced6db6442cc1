"""Drive a served teaching demo in a headless browser: start ``ecosim demo``, open it, time Step and Play.

Shared by the browser test (``tests/viz/test_demo_browser.py``), the demo
latency benchmark (``benchmarks/bench_demo.py``) and ``scripts/screenshots.py``.
It uses playwright with Debian's ``/usr/bin/chromium`` (no browser download).

A Step is timed end to end, from the click to the moment the browser shows
the new month both in the status line and in the first chart's line; Play is
timed as months shown per second of wall time.
"""

from __future__ import annotations

import os
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--no-first-run"]
SRC = Path(__file__).resolve().parents[2]

#: The first chart's current line, whose path changes when a month is drawn.
FIRST_LINE = ".ecosim-chart-svg path[stroke-width='2.4']"


def free_port() -> int:
    """A free TCP port on the loopback interface."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def demo_server(firms: int | str = "demo", months: int = 120, timeout: float = 120.0) -> Iterator[str]:
    """Serve ``ecosim demo`` on 127.0.0.1 in a subprocess; yields its URL and stops it by its pid afterwards.

    Raises:
        RuntimeError: When the server exits early or does not answer within ``timeout`` seconds.
    """
    port = free_port()
    env = dict(os.environ, PYTHONPATH=f"{SRC}{os.pathsep}{os.environ.get('PYTHONPATH', '')}")
    proc = subprocess.Popen([sys.executable, "-m", "ecosim.cli", "demo", "--host", "127.0.0.1", "--port", str(port),
                             "--firms", str(firms), "--months", str(months)], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)
    url = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + timeout
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"ecosim demo exited early: {proc.stdout.read()[-2000:]}")
            try:
                with urllib.request.urlopen(url, timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"ecosim demo did not answer within {timeout:.0f} s")
            time.sleep(0.5)
        yield url
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()


@contextmanager
def browser_page(url: str, width: int = 1280, height: int = 720) -> Iterator:
    """A headless chromium page on ``url`` at the given viewport, once the demo shows month 0."""
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        try:
            page = browser.new_page(viewport={"width": width, "height": height})
            page.goto(url, wait_until="domcontentloaded", timeout=120_000)
            expect(page.locator(".ecosim-status")).to_contain_text("Month 0", timeout=120_000)
            expect(page.locator(FIRST_LINE).first).to_be_attached(timeout=60_000)
            yield page
        finally:
            browser.close()


def month_shown(page) -> int:
    """The month the status line shows."""
    text = page.locator(".ecosim-status").inner_text()
    return int(text.split("·")[0].split()[1])


def step_and_wait(page, timeout_ms: float = 60_000) -> float:
    """Click Step and wait until the status line and the first chart show the next month; seconds taken."""
    before = month_shown(page)
    line = page.locator(FIRST_LINE).first.get_attribute("d") or ""
    button = page.get_by_role("button", name="Step")
    start = time.perf_counter()
    button.click()
    page.wait_for_function(
        """([month, line, sel]) => {
            const s = document.querySelector('.ecosim-status');
            const p = document.querySelector(sel);
            return s && s.innerText.startsWith('Month ' + month + ' ') && p && p.getAttribute('d') !== line;
        }""", arg=[before + 1, line, FIRST_LINE], timeout=timeout_ms, polling="raf")
    return time.perf_counter() - start


@dataclass
class DemoTiming:
    """Measured speed of the demo in the browser.

    Attributes:
        step_seconds: Click-to-drawn time of each timed Step.
        play_months_per_second: Months shown per second while playing.
    """

    step_seconds: list[float]
    play_months_per_second: float

    @property
    def step_median(self) -> float:
        """Median click-to-drawn time of a Step."""
        return statistics.median(self.step_seconds)


def time_demo(page, steps: int = 20, warmup: int = 3, play_seconds: float = 6.0) -> DemoTiming:
    """Time ``steps`` Steps (after ``warmup`` untimed ones), then Play for ``play_seconds``."""
    for _ in range(warmup):
        step_and_wait(page)
    times = [step_and_wait(page) for _ in range(steps)]
    start_month = month_shown(page)
    page.get_by_role("button", name="▶").click()
    start = time.perf_counter()
    page.wait_for_timeout(play_seconds * 1000)
    end_month = month_shown(page)
    elapsed = time.perf_counter() - start
    page.get_by_role("button", name="❚❚").click()
    return DemoTiming(times, (end_month - start_month) / elapsed)
