"""End-to-end tests of ``ecosim demo``: a real server, a real headless Chromium, clicks, levers and timing.

Uses Debian's ``/usr/bin/chromium`` through playwright (no browser download);
skipped only when that browser is absent. Timing bounds here are generous (a
busy machine must pass); the targets and measured figures live in
``benchmarks/bench_demo.py``.
"""

from __future__ import annotations

import pytest

from ecosim.viz.demo_driver import CHROMIUM, FIRST_LINE, browser_page, demo_server, step_and_wait, time_demo

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed at /usr/bin/chromium "
                                                      "(apt-get install chromium)"),
]


@pytest.fixture(scope="module")
def demo_url():
    """``ecosim demo`` at its default size (300 startups), 120 months."""
    with demo_server(firms="demo", months=120) as url:
        yield url


def test_demo_in_a_browser_steps_keeps_a_reference_and_reacts_to_a_lever(demo_url):
    from playwright.sync_api import expect

    with browser_page(demo_url, 1280, 720) as page:
        status = page.locator(".ecosim-status")
        expect(page.get_by_text("no losses yet")).to_be_visible()
        for _ in range(3):
            step_and_wait(page)
        expect(status).to_contain_text("Month 3 ·")
        assert "public equity so far 0.0" not in status.inner_text()
        with_funds = status.inner_text()
        first = page.locator(FIRST_LINE).first.get_attribute("d")

        page.get_by_role("button", name="Keep this run as reference").click()
        # the page redraws once the reference is kept: a lever clicked before that can be lost in the redraw
        expect(page.get_by_text("Reference kept at month 3")).to_be_visible()
        page.get_by_label("Guidance funds (6+N)").uncheck()
        page.get_by_role("button", name="Reset").click()
        expect(status).to_contain_text("Month 0", timeout=60_000)
        reference = page.locator(".ecosim-chart-svg path[stroke-dasharray='5 3']").first
        expect(reference).to_have_attribute("d", first)  # the kept run stays on the chart, dashed
        expect(page.get_by_text("reference run (Guidance funds on)").first).to_be_visible()
        for _ in range(3):
            page.get_by_role("button", name="Step").click()
            page.wait_for_timeout(50)
        expect(status).to_contain_text("Month 3 ·", timeout=60_000)
        # the same seed without the guidance funds: less public equity than the kept run had by month 3
        assert _public_equity(status.inner_text()) < _public_equity(with_funds)


def _public_equity(status_text: str) -> float:
    """The "public equity so far" figure of the demo's status line, in million yuan."""
    import re

    found = re.search(r"public equity so far ([0-9.,]+) m yuan", status_text)
    assert found, status_text
    return float(found.group(1).replace(",", ""))


def test_every_lever_has_an_accessible_name_and_a_shown_value(demo_url):
    from playwright.sync_api import expect

    with browser_page(demo_url, 1280, 720) as page:
        for name in ("Due-diligence exemption (尽职免责)", "Data platforms", "Guidance funds (6+N)"):
            expect(page.get_by_label(name)).to_be_checked()
        for name, value in (("Bank's loss share", "0.20"), ("Pool size (m yuan)", "2000"), ("Seed", "42")):
            slider = page.get_by_role("slider", name=name)
            expect(slider).to_have_count(1)
            expect(slider).to_have_attribute("aria-valuenow", str(float(value)).rstrip("0").rstrip("."))
        expect(page.locator(".v-slider-thumb__label", has_text="0.20")).to_be_visible()  # shown without dragging


def test_a_step_is_drawn_quickly_and_play_keeps_pace(demo_url):
    """Click-to-drawn time of a Step at 300 startups, under a bound far above the 0.25 s target (a busy machine)."""
    with browser_page(demo_url, 1280, 720) as page:
        timing = time_demo(page, steps=8, warmup=2, play_seconds=4.0)
    assert timing.step_median < 1.0, timing
    assert timing.play_months_per_second > 1.5, timing
