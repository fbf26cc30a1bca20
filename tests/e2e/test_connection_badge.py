"""The connection badge tells the truth on every page, from the first paint on."""

from __future__ import annotations

from playwright.sync_api import Page, expect

# Records every state the badge shows, from before the first paint, so a brief red "Offline" is caught too.
RECORD_BADGE_STATES = """
window.badgeStates = [];
new MutationObserver(() => {
  const badge = document.querySelector('[data-testid="connection-status"]');
  const state = badge && badge.dataset.state;
  if (state && window.badgeStates[window.badgeStates.length - 1] !== state) window.badgeStates.push(state);
}).observe(document, { subtree: true, childList: true, attributes: true });
"""


def badge_states(page: Page) -> list[str]:
    return page.evaluate("window.badgeStates")


def test_settings_opened_directly_says_live_and_never_offline(page: Page, app_url: str):
    page.add_init_script(RECORD_BADGE_STATES)
    page.goto(f"{app_url}/settings")
    expect(page.get_by_test_id("signed-in-email")).to_be_visible()
    expect(page.get_by_test_id("connection-status")).to_have_text("Live", timeout=20_000)
    page.wait_for_timeout(1_500)  # a late flip to Offline would show here
    expect(page.get_by_test_id("connection-status")).to_have_attribute("data-state", "live")
    assert "offline" not in badge_states(page), badge_states(page)


def test_trade_page_opened_directly_goes_from_connecting_to_live_without_offline(page: Page, app_url: str):
    page.add_init_script(RECORD_BADGE_STATES)
    page.goto(f"{app_url}/trade/BTCUSDT")
    expect(page.get_by_test_id("connection-status")).to_have_text("Live", timeout=20_000)
    assert "offline" not in badge_states(page), badge_states(page)


def test_the_feed_badge_stays_on_settings_whatever_the_password_form_says(page: Page, app_url: str):
    """Opened directly (no trade page before it), and after each kind of refused password change and a
    reload, the top bar still says where prices come from; so does the portfolio page."""
    page.set_default_timeout(60_000)
    page.goto(f"{app_url}/settings")
    badge = page.get_by_test_id("feed-badge")
    expect(page.get_by_test_id("signed-in-email")).to_be_visible()
    expect(badge).to_have_text("Synthetic", timeout=30_000)
    refusals = (("a-brand-new-passphrase", "The current password is not right."),
                ("a-different-passphrase", "The two new passwords differ."))
    for repeat, error in refusals:
        page.get_by_test_id("field-current_password").fill("not-my-password-1")
        page.get_by_test_id("field-new_password").fill("a-brand-new-passphrase")
        page.get_by_test_id("field-confirm_password").fill(repeat)
        page.get_by_test_id("change-password").click()
        expect(page.get_by_test_id("password-error")).to_have_text(error, timeout=30_000)
        expect(badge).to_have_text("Synthetic")
    page.reload()
    expect(page.get_by_test_id("signed-in-email")).to_be_visible()
    expect(badge).to_have_text("Synthetic", timeout=30_000)
    page.goto(f"{app_url}/portfolio")
    expect(badge).to_have_text("Synthetic", timeout=30_000)
