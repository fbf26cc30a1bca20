"""The scripted Binance (tests/support/fake_binance.py) refuses what Binance refuses."""

from __future__ import annotations

import pytest

from numatix.domain.errors import AuthenticationFailed
from numatix.exchange.binance.client import Safety
from tests.support.fake_binance import CREDENTIALS, FakeBinance, FakeTime, ok


# The fake is only worth trusting if it refuses what Binance refuses.
async def test_fake_refuses_a_signature_made_with_another_secret() -> None:
    time = FakeTime()
    fake = FakeBinance(time, secret="not-the-users-secret")
    fake.on("GET", "account", then=ok({"balances": []}))
    client = fake.client()
    with pytest.raises(AuthenticationFailed) as refused:
        await client.signed("GET", "account", CREDENTIALS, safety=Safety.ONCE)
    assert refused.value.code == -1022
    await client.aclose()


async def test_fake_accepts_the_connector_signature() -> None:
    fake = FakeBinance(FakeTime())
    fake.on("GET", "account", then=ok({"balances": []}))
    client = fake.client()
    assert await client.signed("GET", "account", CREDENTIALS) == {"balances": []}
    await client.aclose()
