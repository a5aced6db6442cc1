"""End-to-end test of ``ecosim demo``: a real server, a real headless Chromium, clicks and levers.

Uses Debian's ``/usr/bin/chromium`` through playwright (no browser download);
skipped only when that browser is absent.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--no-first-run"]
SRC = Path(__file__).resolve().parents[2] / "src"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed at /usr/bin/chromium "
                                                      "(apt-get install chromium)"),
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def demo_server():
    """``ecosim demo`` on 127.0.0.1 in a subprocess, at a small size; stopped by its pid afterwards."""
    port = _free_port()
    env = dict(os.environ, PYTHONPATH=f"{SRC}{os.pathsep}{os.environ.get('PYTHONPATH', '')}")
    proc = subprocess.Popen([sys.executable, "-m", "ecosim.cli", "demo", "--host", "127.0.0.1", "--port", str(port),
                             "--firms", "150", "--months", "36"], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)
    url = f"http://127.0.0.1:{port}/"
    deadline = time.monotonic() + 120
    while True:
        if proc.poll() is not None:
            pytest.fail(f"ecosim demo exited early: {proc.stdout.read()[-2000:]}")
        try:
            with urllib.request.urlopen(url, timeout=2) as r:
                if r.status == 200:
                    break
        except OSError:
            pass
        if time.monotonic() > deadline:
            proc.send_signal(signal.SIGTERM)
            pytest.fail("ecosim demo did not answer within 120 s")
        time.sleep(0.5)
    yield url
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()


def test_demo_in_a_browser_steps_and_reacts_to_a_lever(demo_server):
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        try:
            page = browser.new_page(viewport={"width": 1600, "height": 1000})
            page.goto(demo_server, wait_until="domcontentloaded", timeout=120_000)
            status = page.locator(".ecosim-status")
            expect(status).to_contain_text("Month 0", timeout=120_000)
            charts = page.locator("img")
            expect(charts).to_have_count(2, timeout=60_000)
            start = [charts.nth(i).get_attribute("src") for i in range(2)]

            step = page.get_by_role("button", name="Step")
            for k in range(1, 4):
                step.click()
                expect(status).to_contain_text(f"Month {k} ·", timeout=60_000)
            stepped = [charts.nth(i).get_attribute("src") for i in range(2)]
            assert all(a != b for a, b in zip(start, stepped, strict=True)), "charts did not change after stepping"
            assert "public equity so far 0.0" not in status.inner_text()
            with_funds = status.inner_text()

            page.get_by_label("Guidance funds (6+N)").uncheck()
            page.get_by_role("button", name="Reset").click()
            expect(status).to_contain_text("Month 0", timeout=60_000)
            for k in range(1, 4):
                step.click()
                expect(status).to_contain_text(f"Month {k} ·", timeout=60_000)
            expect(status).to_contain_text("public equity so far 0.0 m yuan", timeout=30_000)
            without_funds = [charts.nth(i).get_attribute("src") for i in range(2)]
            assert without_funds[1] != stepped[1], "time series did not change when the fund cluster was switched off"
            assert status.inner_text() != with_funds
        finally:
            browser.close()
