"""axe-core over every page, in the light and the dark theme: no serious or critical violation
(a control without a name, a label bound to nothing, text too faint to read...)."""

from __future__ import annotations

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from tests.e2e.conftest import register, sign_in_context

PAGES = {  # path: an element that shows the page has loaded, and whether it needs a session
    "/login": ("log-in", False),
    "/signup": ("sign-up", False),
    "/trade/BTCUSDT": ("order-form", True),
    "/settings": ("signed-in-email", True),
}
BLOCKING = {"serious", "critical"}


@pytest.fixture(scope="module")
def axe() -> Axe:
    return Axe()


@pytest.mark.parametrize("theme", ["light", "dark"])
@pytest.mark.parametrize("path", list(PAGES))
def test_no_serious_or_critical_accessibility_violation(browser, app_url: str, axe: Axe, path: str,
                                                        theme: str):
    loaded, needs_session = PAGES[path]
    context = browser.new_context(viewport={"width": 1440, "height": 900}, color_scheme=theme)
    try:
        if needs_session:
            sign_in_context(context, app_url, register(app_url)["token"])
        page = context.new_page()
        page.set_default_timeout(60_000)
        page.goto(app_url + path)
        expect(page.get_by_test_id(loaded)).to_be_visible()
        expect(page.locator("html")).to_have_class(re.compile(rf"\b{theme}\b"))
        if path.startswith("/trade"):
            expect(page.get_by_test_id("book-bid")).to_have_count(20)
            expect(page.get_by_test_id("connection-status")).to_have_text("Live")
            # the page's script (assets/numatix-keys.js, loaded after the page) names the slider's thumb
            expect(page.locator('.rt-SliderRoot [role="slider"]:not([aria-label])')).to_have_count(0)
        results = axe.run(page)
        blocking = [v for v in results.response["violations"] if v["impact"] in BLOCKING]
        report = "\n".join(f"{v['id']} ({v['impact']}): {v['help']} — "
                           + "; ".join(" ".join(node["target"]) for node in v["nodes"][:6]) for v in blocking)
        assert not blocking, f"{path} ({theme}):\n{report}"
    finally:
        context.close()
