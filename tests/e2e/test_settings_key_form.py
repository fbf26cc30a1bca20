"""The key form on /settings says what is missing, and clears a key once it is saved."""

from __future__ import annotations

from playwright.sync_api import Page, expect


def test_check_and_save_with_empty_fields_says_what_is_missing(page: Page, app_url: str):
    page.goto(f"{app_url}/settings")
    expect(page.get_by_test_id("signed-in-email")).to_be_visible(timeout=20_000)
    page.get_by_test_id("save-key").click()
    expect(page.get_by_test_id("key-error")).to_have_text("Enter the API key and the secret key.")
    expect(page.get_by_test_id("field-api_key")).to_have_attribute("aria-invalid", "true")
    page.get_by_label("API key", exact=True).fill("vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zv")  # the label names the input
    page.get_by_test_id("save-key").click()
    expect(page.get_by_test_id("key-error")).to_have_text("Enter the secret key.")
    expect(page.get_by_test_id("field-secret")).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_test_id("field-api_key")).to_have_value("vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zv")


def test_a_saved_key_leaves_the_fields_empty(page: Page, app_url: str, binance_sim):
    key = binance_sim.create_key()
    page.goto(f"{app_url}/settings")
    expect(page.get_by_test_id("signed-in-email")).to_be_visible(timeout=20_000)
    page.get_by_test_id("field-api_key").fill(key.api_key)
    page.get_by_test_id("field-secret").fill(key.secret)
    page.get_by_test_id("save-key").click()
    expect(page.get_by_test_id("settings-notice")).to_contain_text("Key checked and saved")
    expect(page.get_by_test_id("field-api_key")).to_have_value("")
    expect(page.get_by_test_id("field-secret")).to_have_value("")
    expect(page.get_by_test_id("key-error")).to_have_count(0)
