"""A signed-in browser context for benchmarks and tests: a fresh user's session cookie."""

from __future__ import annotations

import uuid

import httpx

PASSWORD = "violet-harbour-42"


def new_user_token(base_url: str) -> str:
    response = httpx.post(f"{base_url}/api/auth/register", timeout=30, json={
        "email": f"bench-{uuid.uuid4().hex[:10]}@example.com", "password": PASSWORD})
    response.raise_for_status()
    return response.json()["token"]


def signed_in_context(browser, base_url: str, **options):
    context = browser.new_context(**options)
    context.add_cookies([{"name": "numatix_session", "value": new_user_token(base_url), "url": base_url,
                          "httpOnly": True, "sameSite": "Lax"}])
    return context
