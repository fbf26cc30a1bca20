"""Issue 14 part 3: the failed-log-in budget holds against attempts sent all at once.

The attack: 19 wrong passwords and the right one at the same moment. Before the fix every
attempt passed the "under the limit?" check before the first failure was counted (19 x 401,
then 200). Each attempt now takes its unit from the budget before the password is checked,
atomically, so at most five are ever judged: over HTTP on a real port (one worker, memory),
and through two workers that share Redis and one database.
"""

from __future__ import annotations

import asyncio
import uuid

import httpx
import pytest

from numatix.security.rate_limits import RateLimiter
from numatix.security.tokens import TokenService
from numatix.security.vault import Vault
from numatix.services.accounts import AccountService
from numatix.services.errors import AuthenticationRequired, RateLimited
from numatix.store.accounts_repository import SqlAccountStore
from numatix.store.db import make_engine
from tests.support.live_api import live_api, settings_for
from tests.support.redis_server import REDIS_URL, needs_redis

PASSWORD = "violet-harbour-42"
WRONG = "not-the-password-9"
BUDGET = 5  # failed attempts per email in 15 minutes


def attempts(right_at: int = 19, total: int = 20) -> list[str]:
    return [PASSWORD if index == right_at else WRONG for index in range(total)]


def log_in(http: httpx.AsyncClient, email: str, password: str):
    return http.post("/api/auth/login", json={"email": email, "password": password})


@pytest.fixture(scope="module")
def base_url(tmp_path_factory):
    settings = settings_for(tmp_path_factory.mktemp("limits"), NUMATIX_API_REQUESTS_PER_MINUTE="100000")
    with live_api(settings) as url:
        yield url


async def test_right_passwords_do_not_use_up_the_budget(base_url):
    """A success gives its unit back: six log-ins in a row, all fine."""
    email = f"often-{uuid.uuid4().hex[:8]}@example.com"
    async with httpx.AsyncClient(base_url=base_url, timeout=120) as http:
        await http.post("/api/auth/register", json={"email": email, "password": PASSWORD})
        answers = await asyncio.gather(*(log_in(http, email, PASSWORD) for _ in range(BUDGET + 1)))
        assert [answer.status_code for answer in answers].count(200) >= BUDGET  # never fewer than the budget


async def test_19_wrong_and_the_right_one_at_once_judge_only_the_budget(base_url):
    email = f"target-{uuid.uuid4().hex[:8]}@example.com"
    async with httpx.AsyncClient(base_url=base_url, timeout=120) as http:
        created = await http.post("/api/auth/register", json={"email": email, "password": PASSWORD})
        assert created.status_code == 201
        http.cookies.clear()  # the attacker's browser: no device cookie of this account (see test_device_cookie)
        answers = await asyncio.gather(*(log_in(http, email, password) for password in attempts()))
        statuses = [answer.status_code for answer in answers]
        judged = [status for status in statuses if status != 429]
        assert len(judged) == BUDGET, statuses
        assert set(judged) <= {401, 200}
        if statuses[19] == 429:  # the right password came after the budget was gone: refused
            assert 200 not in statuses
        refused = await http.post("/api/auth/login", json={"email": email, "password": PASSWORD})
        if 200 not in statuses:  # five failures: the right password waits too
            assert refused.status_code == 429 and int(refused.headers["Retry-After"]) > 0
            assert refused.json()["error"]["code"] == "rate_limited"


def worker(database_url: str, secret: str) -> AccountService:
    """One worker's accounts service: its own limiter client, the shared Redis and database."""
    return AccountService(SqlAccountStore(make_engine(database_url)), TokenService(secret, ttl_seconds=3600),
                          Vault.from_secrets("a" * 48), RateLimiter(REDIS_URL), check_key=_no_key_check)


async def _no_key_check(_credentials) -> None:
    return None


@needs_redis
async def test_two_workers_sharing_redis_hold_the_budget_together(database_url):
    secret = "t" * 64
    workers = [worker(database_url, secret), worker(database_url, secret)]
    email = f"cluster-{uuid.uuid4().hex[:8]}@example.com"
    address = f"198.51.100.{uuid.uuid4().int % 250}-{uuid.uuid4().hex[:6]}"
    await workers[0].register(email, PASSWORD)

    async def attempt(index: int, password: str) -> str:
        try:
            await workers[index % 2].log_in(email, password, address)
            return "ok"
        except AuthenticationRequired:
            return "wrong"
        except RateLimited:
            return "limited"

    outcomes = await asyncio.gather(*(attempt(index, password) for index, password in enumerate(attempts())))
    assert len([outcome for outcome in outcomes if outcome != "limited"]) == BUDGET, outcomes
    if outcomes[19] == "limited":
        assert "ok" not in outcomes
        with pytest.raises(RateLimited):
            await workers[1].log_in(email, PASSWORD, address)
