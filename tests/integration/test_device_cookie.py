"""Issue 14 part 4: locking an account by its email no longer locks its owner out, and people
sharing an address do not lock each other out. Over HTTP on a real port.

The attacks: five wrong passwords for someone else's email (before: the owner's right
password was refused for 15 minutes everywhere); a forged, copied or tampered device cookie;
failures spread over many emails from one address.
"""

from __future__ import annotations

import uuid

import httpx
import pytest

from tests.support.live_api import live_api, settings_for

PASSWORD = "violet-harbour-42"
WRONG = "not-the-password-9"


@pytest.fixture(scope="module")
def base_url(tmp_path_factory):
    settings = settings_for(tmp_path_factory.mktemp("devices"), NUMATIX_API_REQUESTS_PER_MINUTE="100000")
    with live_api(settings) as url:
        yield url


def new_email(name: str) -> str:
    return f"{name}-{uuid.uuid4().hex[:8]}@example.com"


def log_in(http: httpx.Client, email: str, password: str = PASSWORD) -> httpx.Response:
    return http.post("/api/auth/login", json={"email": email, "password": password})


def lock_out(base_url: str, email: str) -> None:
    """What anyone who knows the email can do, from a browser that never logged in to it."""
    with httpx.Client(base_url=base_url, timeout=60) as attacker:
        assert [log_in(attacker, email, WRONG).status_code for _ in range(5)] == [401] * 5
        assert log_in(attacker, email).status_code == 429  # even the right password, without the device


def test_the_owners_known_device_logs_in_past_a_lock_out(base_url):
    email = new_email("owner")
    with httpx.Client(base_url=base_url, timeout=60) as laptop, httpx.Client(base_url=base_url, timeout=60) as phone:
        created = laptop.post("/api/auth/register", json={"email": email, "password": PASSWORD})
        assert created.status_code == 201 and "numatix_device" in laptop.cookies
        assert "HttpOnly" in created.headers["set-cookie"]
        assert log_in(phone, email).status_code == 200  # the phone becomes a known device too
        lock_out(base_url, email)
        assert log_in(laptop, email).status_code == 200
        assert log_in(phone, email).status_code == 200
        with httpx.Client(base_url=base_url, timeout=60) as stranger:
            assert log_in(stranger, email).status_code == 429


def test_a_device_cookie_proves_nothing_for_another_account_or_when_tampered(base_url):
    mine, theirs = new_email("mine"), new_email("theirs")
    with httpx.Client(base_url=base_url, timeout=60) as http:
        http.post("/api/auth/register", json={"email": theirs, "password": PASSWORD})
        http.cookies.clear()
        http.post("/api/auth/register", json={"email": mine, "password": PASSWORD})
        cookie = http.cookies["numatix_device"]
    lock_out(base_url, theirs)
    nonce, _, signature = cookie.split("~")[0].partition(".")
    forged = [
        cookie,  # a genuine note, for another email
        f"{nonce}.{signature[:-2]}AA",  # tampered signature
        f"x{nonce[1:]}.{signature}",  # tampered nonce
        "garbage", "a.b~c.d~" * 200,
    ]
    for value in forged:
        with httpx.Client(base_url=base_url, timeout=60, cookies={"numatix_device": value}) as http:
            assert log_in(http, theirs).status_code == 429, value[:40]


def test_a_known_device_has_a_budget_of_its_own(base_url):
    """A stolen device cookie is no skeleton key: five failures on it, then the email's budget."""
    email = new_email("budget")
    with httpx.Client(base_url=base_url, timeout=60) as device:
        device.post("/api/auth/register", json={"email": email, "password": PASSWORD})
        statuses = [log_in(device, email, WRONG).status_code for _ in range(11)]
        assert statuses == [401] * 10 + [429]  # five on the device, then five on the email
        assert log_in(device, email).status_code == 429


def test_people_behind_one_address_do_not_lock_each_other_out(tmp_path):
    """Failures across emails from one address have their own, larger budget (30 in 15 minutes)."""
    settings = settings_for(tmp_path, NUMATIX_API_REQUESTS_PER_MINUTE="100000")
    with live_api(settings) as url, httpx.Client(base_url=url, timeout=60) as office:
        colleague = new_email("colleague")
        office.post("/api/auth/register", json={"email": colleague, "password": PASSWORD})
        office.cookies.clear()
        failures = [log_in(office, new_email(f"typo{index}"), WRONG).status_code for index in range(29)]
        assert failures == [401] * 29
        assert log_in(office, colleague).status_code == 200  # before: locked after five, whoever failed
        assert log_in(office, new_email("last"), WRONG).status_code == 401  # the 30th failure
        office.cookies.clear()
        refused = log_in(office, colleague)
        assert refused.status_code == 429 and refused.json()["error"]["code"] == "rate_limited"
