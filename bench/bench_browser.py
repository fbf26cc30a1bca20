"""Trade print → browser update latency with 1 and 50 open trade pages.

Runs the real production app on the synthetic feed (whose prints carry their wall-clock
emission time) and, in each page, records ``Date.now() - time of the newest print`` each
time the page's price header receives a new print. Target: p99 ≤ 100 ms.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

from playwright.sync_api import sync_playwright

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.support.app_server import CHROMIUM, CHROMIUM_ARGS, running_app  # noqa: E402
from tests.support.browser_session import signed_in_context  # noqa: E402

MEASURE_SECONDS = 20
OBSERVER = """
() => {
  window.__latencies = [];
  const header = document.querySelector('[data-testid=price-header]');
  new MutationObserver(() => {
    const printed = Number(header.dataset.lastTradeMs);
    if (printed) window.__latencies.push(Date.now() - printed);
  }).observe(header, { attributes: true, attributeFilter: ['data-last-trade-ms'] });
}
"""


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def measure(browser, url: str, pages: int) -> list[float]:
    context = signed_in_context(browser, url, viewport={"width": 1280, "height": 800})
    opened = []
    for _ in range(pages):
        page = context.new_page()
        page.goto(f"{url}/trade/BTCUSDT")
        page.wait_for_selector("[data-testid=price-header][data-last-trade-ms]:not([data-last-trade-ms='0'])",
                               timeout=60_000)
        opened.append(page)
    for page in opened:
        page.evaluate(OBSERVER)
    time.sleep(MEASURE_SECONDS)
    samples = [value for page in opened for value in page.evaluate("window.__latencies")]
    context.close()
    return samples


def main() -> None:
    rows = []
    with tempfile.TemporaryDirectory() as data_dir, running_app(Path(data_dir)) as url:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            for pages in (1, 50):
                samples = measure(browser, url, pages)
                rows.append((pages, len(samples), statistics.median(samples), percentile(samples, 0.99)))
            browser.close()
    print(f"{'pages':>6} {'updates':>8} {'p50 ms':>8} {'p99 ms':>8}  target p99 ≤ 100 ms")
    for pages, count, p50, p99 in rows:
        print(f"{pages:>6} {count:>8} {p50:>8.1f} {p99:>8.1f}  {'ok' if p99 <= 100 else 'MISSED'}")


if __name__ == "__main__":
    main()
