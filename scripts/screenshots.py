"""Make the README's images: the teaching demo at two screen sizes, a run's dashboard and a policy brief.

    python scripts/screenshots.py [--out docs/img] [--steps 36] [--skip-demo] [--skip-brief]

Writes into ``--out``:

* ``demo-1280x720.png`` and ``demo-1600x1000.png`` — ``ecosim demo`` in headless
  Debian chromium (classroom projector and desktop sizes): a run of ``--steps``
  months kept as reference, then the same seed with the guidance funds off,
  stepped as far, so the charts show both;
* ``dashboard.png`` — ``ecosim run baseline``, seed 1, default size;
* ``brief-1280x720.png`` — the top of ``ecosim brief baseline --vs no_policy``
  (4 seeds, 1,000 startups, 60 months) at 1280×720, and ``brief-zh-1280x720.png``
  the same brief in Chinese (its runs reused).

Needs ``/usr/bin/chromium`` for the demo and brief screenshots.
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SIZES = ((1280, 720), (1600, 1000))


def dashboard(out: Path) -> Path:
    """Run the baseline (seed 1) and copy its dashboard."""
    from ecosim.runner import run_to_dir
    from ecosim.scenario import load_scenario

    with tempfile.TemporaryDirectory() as tmp:
        run_to_dir(load_scenario("baseline"), 1, Path(tmp), progress=False)
        target = out / "dashboard.png"
        shutil.copy(Path(tmp) / "dashboard.png", target)
    return target


def demo(out: Path, steps: int) -> list[Path]:
    """Serve the demo and take a screenshot at each size, with a reference run on the charts."""
    from playwright.sync_api import expect

    from ecosim.viz.demo_driver import browser_page, demo_server, step_and_wait

    written = []
    with demo_server() as url:
        for width, height in SIZES:
            with browser_page(url, width, height) as page:
                for _ in range(steps):
                    step_and_wait(page)
                page.get_by_role("button", name="Keep this run as reference").click()
                page.get_by_label("Guidance funds (6+N)").uncheck()
                page.get_by_role("button", name="Reset").click()
                expect(page.locator(".ecosim-status")).to_contain_text("Month 0", timeout=60_000)
                for _ in range(steps):
                    step_and_wait(page)
                page.mouse.move(0, 0)
                page.wait_for_timeout(800)
                target = out / f"demo-{width}x{height}.png"
                page.screenshot(path=str(target))
                written.append(target)
    return written


def brief(out: Path) -> list[Path]:
    """Write the brief in both languages (one set of runs) and screenshot the top of each."""
    from playwright.sync_api import sync_playwright

    from ecosim.viz.brief import write_brief
    from ecosim.viz.demo_driver import CHROMIUM, CHROMIUM_ARGS

    written = []
    with tempfile.TemporaryDirectory() as tmp:
        pages = {}
        for lang in ("en", "zh"):
            pages[lang] = write_brief("baseline", "no_policy", Path(tmp) / f"brief-{lang}.html", seeds=4, firms=1000,
                                      months=60, lang=lang, results=Path(tmp) / "runs")
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
            try:
                page = browser.new_page(viewport={"width": 1280, "height": 720})
                for lang, html in pages.items():
                    page.goto(html.as_uri())
                    page.locator("h2", has_text="Headline effects" if lang == "en" else "主要影响").scroll_into_view_if_needed()
                    target = out / ("brief-1280x720.png" if lang == "en" else "brief-zh-1280x720.png")
                    page.screenshot(path=str(target), full_page=False)
                    written.append(target)
            finally:
                browser.close()
    return written


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "img", help="folder for the images")
    parser.add_argument("--steps", type=int, default=36, help="months to step each demo run before the screenshot")
    parser.add_argument("--skip-demo", action="store_true", help="no demo screenshots")
    parser.add_argument("--skip-brief", action="store_true", help="no brief screenshots")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    print("wrote", dashboard(args.out))
    from ecosim.viz.demo_driver import CHROMIUM

    if (not args.skip_demo or not args.skip_brief) and not CHROMIUM.exists():
        raise SystemExit(f"{CHROMIUM} is missing (apt-get install chromium); use --skip-demo --skip-brief")
    if not args.skip_demo:
        for path in demo(args.out, args.steps):
            print("wrote", path)
    if not args.skip_brief:
        for path in brief(args.out):
            print("wrote", path)


if __name__ == "__main__":
    main()
