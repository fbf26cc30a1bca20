"""The signed REST client: what goes on the wire, how errors map, what is retried and when."""

from __future__ import annotations

from urllib.parse import parse_qsl

import httpx
import pytest

from numatix.domain.errors import (
    AuthenticationFailed,
    ConfigurationError,
    OrderNotFound,
    OrderRejected,
    OutcomeUnknown,
    TransientVenueError,
)
from numatix.exchange.binance.client import Safety
from numatix.exchange.binance.options import BinanceOptions
from numatix.exchange.binance.signing import verify_hmac
from tests.support.fake_binance import CREDENTIALS, FakeBinance, FakeTime, error, ok

ORDER = [("symbol", "BTCUSDT"), ("side", "BUY"), ("type", "MARKET"), ("quantity", "0.001")]


@pytest.fixture
def time() -> FakeTime:
    return FakeTime()


@pytest.fixture
def fake(time: FakeTime) -> FakeBinance:
    return FakeBinance(time)


async def test_signed_get_puts_key_window_timestamp_and_signature_in_the_query(fake: FakeBinance) -> None:
    fake.skew_ms = 2_500  # the server is ahead of us: the timestamp must follow its clock
    fake.on("GET", "openOrders", then=ok([]))
    client = fake.client(BinanceOptions(recv_window_ms=7_000))
    await client.signed("GET", "openOrders", CREDENTIALS, [("symbol", "BTCUSDT")])
    request = fake.calls("GET", "openOrders")[0]
    pairs = parse_qsl(request.url.query.decode())
    assert [name for name, _ in pairs] == ["symbol", "recvWindow", "timestamp", "signature"]
    params = dict(pairs)
    assert request.headers["X-MBX-APIKEY"] == CREDENTIALS.api_key
    assert params["recvWindow"] == "7000"
    assert abs(int(params["timestamp"]) - fake.server_ms()) <= 1
    assert request.content == b""
    await client.aclose()


async def test_signed_post_sends_a_form_body_signed_over_its_exact_bytes(fake: FakeBinance) -> None:
    fake.on("POST", "order", then=ok({"orderId": 1}))
    client = fake.client()
    await client.signed("POST", "order", CREDENTIALS, [*ORDER, ("newClientOrderId", "a/b:c")], safety=Safety.ONCE)
    request = fake.calls("POST", "order")[0]
    body = request.content.decode()
    assert request.headers["Content-Type"] == "application/x-www-form-urlencoded"
    assert request.url.query == b""
    assert "newClientOrderId=a%2Fb%3Ac" in body  # percent-encoded before signing
    payload, _, signature = body.rpartition("&signature=")
    assert verify_hmac(CREDENTIALS.secret, payload, signature)
    await client.aclose()


@pytest.mark.parametrize(
    ("status", "code", "message", "expected"),
    [
        (400, -1013, "Filter failure: LOT_SIZE", OrderRejected),
        (400, -2010, "Account has insufficient balance for requested action.", OrderRejected),
        (400, -1100, "Illegal characters found in parameter 'quantity'", OrderRejected),
        (400, -2011, "Unknown order sent.", OrderNotFound),
        (400, -2013, "Order does not exist.", OrderNotFound),
        (401, -2015, "Invalid API-key, IP, or permissions for action.", AuthenticationFailed),
        (401, -2014, "API-key format invalid.", AuthenticationFailed),
        (400, -1121, "Invalid symbol.", ConfigurationError),
        (400, -1007, "Timeout waiting for response from backend server.", OutcomeUnknown),
        (400, -1006, "An unexpected response was received from the message bus.", OutcomeUnknown),
        (503, -1001, "Internal error; unable to process your request. Please try again.", OutcomeUnknown),
        (429, -1015, "Too many new orders; current limit is 50 orders per 10 SECOND.", TransientVenueError),
        (418, -1003, "Way too much request weight used; IP banned until 1767225700000.", TransientVenueError),
        (400, -9999, "Something new.", OrderRejected),
    ],
)
async def test_error_table_maps_binance_codes_to_what_the_caller_should_do(
    fake: FakeBinance, status: int, code: int, message: str, expected: type
) -> None:
    fake.on("POST", "order", error(status, code, message, {"Retry-After": "3"}))
    client = fake.client()
    with pytest.raises(expected) as raised:
        await client.signed("POST", "order", CREDENTIALS, ORDER, safety=Safety.ONCE)
    assert type(raised.value) is expected
    assert (raised.value.code, raised.value.message) == (code, message)
    await client.aclose()


async def test_weight_and_order_counts_are_tracked_from_headers(fake: FakeBinance) -> None:
    fake.on("POST", "order", ok({"orderId": 1}, {"X-MBX-USED-WEIGHT-1M": "42", "X-MBX-ORDER-COUNT-10S": "3",
                                                "X-MBX-ORDER-COUNT-1D": "17"}))
    fake.on("GET", "account", ok({}, {"x-mbx-used-weight-1m": "64"}))
    client = fake.client()
    await client.signed("POST", "order", CREDENTIALS, ORDER, safety=Safety.ONCE)
    assert (client.usage.used_weight, client.usage.order_counts) == (42, {"10s": 3, "1d": 17})
    await client.signed("GET", "account", CREDENTIALS)
    assert client.usage.used_weight == 64
    assert client.usage.order_counts == {"10s": 3, "1d": 17}  # a read carries no order counts
    await client.aclose()


async def test_weight_used_up_stops_requests_until_the_next_minute(fake: FakeBinance, time: FakeTime) -> None:
    fake.on("GET", "account", then=ok({}, {"X-MBX-USED-WEIGHT-1M": "6000"}))
    client = fake.client()
    client.usage.weight_limit = 6000
    await client.signed("GET", "account", CREDENTIALS)
    sent = len(fake.requests)
    with pytest.raises(TransientVenueError) as paused:
        await client.signed("POST", "order", CREDENTIALS, ORDER, safety=Safety.ONCE)
    assert len(fake.requests) == sent  # refused here, never sent
    assert 0 < paused.value.retry_after <= 60
    await client.aclose()


async def test_a_read_waits_out_retry_after_then_goes_again(fake: FakeBinance, time: FakeTime) -> None:
    fake.on("GET", "account", error(429, -1003, "Too much request weight used;", {"Retry-After": "2"}),
            then=ok({"balances": []}))
    client = fake.client()
    assert await client.signed("GET", "account", CREDENTIALS) == {"balances": []}
    first, second = fake.calls("GET", "account")
    assert time.sleeps == [2.0]  # exactly what Binance asked for, no shorter
    assert int(fake.params(second)["timestamp"]) - int(fake.params(first)["timestamp"]) >= 2_000
    await client.aclose()


async def test_after_a_429_nothing_is_sent_until_retry_after(fake: FakeBinance, time: FakeTime) -> None:
    fake.on("POST", "order", error(429, -1015, "Too many new orders;", {"Retry-After": "3"}), then=ok({"orderId": 2}))
    client = fake.client()
    with pytest.raises(TransientVenueError) as throttled:
        await client.signed("POST", "order", CREDENTIALS, ORDER, safety=Safety.ONCE)
    assert throttled.value.retry_after == 3
    with pytest.raises(TransientVenueError):
        await client.signed("POST", "order", CREDENTIALS, ORDER, safety=Safety.ONCE)
    assert len(fake.calls("POST", "order")) == 1
    await time.sleep(3)
    assert await client.signed("POST", "order", CREDENTIALS, ORDER, safety=Safety.ONCE) == {"orderId": 2}
    await client.aclose()


async def test_a_long_ban_is_not_waited_out(fake: FakeBinance, time: FakeTime) -> None:
    fake.on("GET", "account", error(418, -1003, "Way too much request weight used; IP banned", {"Retry-After": "120"}))
    client = fake.client()
    with pytest.raises(TransientVenueError) as banned:
        await client.signed("GET", "account", CREDENTIALS)
    assert banned.value.retry_after == 120
    assert time.sleeps == [] and len(fake.calls("GET", "account")) == 1
    await client.aclose()


async def test_reads_retry_transient_failures_with_jittered_backoff(fake: FakeBinance, time: FakeTime) -> None:
    fake.on("GET", "openOrders", error(503, -1001, "Internal error"), httpx.ReadTimeout("slow"),
            httpx.ConnectError("refused"), then=ok([]))
    client = fake.client(BinanceOptions(retry_base_seconds=0.5, retry_cap_seconds=4.0, max_retries=3))
    assert await client.signed("GET", "openOrders", CREDENTIALS, [("symbol", "BTCUSDT")]) == []
    assert len(fake.calls("GET", "openOrders")) == 4
    for attempt, delay in enumerate(time.sleeps):
        ceiling = 0.5 * 2**attempt
        assert ceiling / 2 <= delay <= ceiling
    assert len(set(time.sleeps)) == 3
    await client.aclose()


async def test_a_read_that_keeps_failing_gives_up_as_transient(fake: FakeBinance) -> None:
    fake.on("GET", "openOrders", then=error(502, -1001, "Bad gateway"))
    client = fake.client(BinanceOptions(max_retries=2))
    with pytest.raises(TransientVenueError) as failed:
        await client.signed("GET", "openOrders", CREDENTIALS, [("symbol", "BTCUSDT")])
    assert not isinstance(failed.value, OutcomeUnknown)  # a read changed nothing to look up
    assert len(fake.calls("GET", "openOrders")) == 3
    await client.aclose()


async def test_a_refusal_is_never_retried(fake: FakeBinance, time: FakeTime) -> None:
    fake.on("GET", "order", then=error(400, -2013, "Order does not exist."))
    client = fake.client()
    with pytest.raises(OrderNotFound):
        await client.signed("GET", "order", CREDENTIALS, [("symbol", "BTCUSDT"), ("orderId", 9)])
    assert len(fake.calls("GET", "order")) == 1 and time.sleeps == []
    await client.aclose()


@pytest.mark.parametrize("failure", [error(503, -1001, "Internal error"), error(400, -1007, "Timeout waiting"),
                                     httpx.ReadTimeout("no reply"), httpx.RemoteProtocolError("cut")])
async def test_an_order_post_is_never_resent(fake: FakeBinance, time: FakeTime, failure: object) -> None:
    fake.on("POST", "order", failure, then=ok({"orderId": 3}))
    client = fake.client()
    with pytest.raises(OutcomeUnknown):
        await client.signed("POST", "order", CREDENTIALS, ORDER, safety=Safety.ONCE)
    assert len(fake.calls("POST", "order")) == 1 and time.sleeps == []
    await client.aclose()


async def test_an_order_post_that_never_connected_is_transient_not_unknown(fake: FakeBinance) -> None:
    fake.on("POST", "order", httpx.ConnectError("refused"))
    client = fake.client()
    with pytest.raises(TransientVenueError) as failed:
        await client.signed("POST", "order", CREDENTIALS, ORDER, safety=Safety.ONCE)
    assert not isinstance(failed.value, OutcomeUnknown)
    await client.aclose()


async def test_invalid_timestamp_resyncs_the_clock_and_goes_once_more(fake: FakeBinance) -> None:
    fake.on("POST", "order", then=ok({"orderId": 4}))
    client = fake.client()
    await client.sync_time()
    fake.skew_ms = 20_000  # the server's clock jumps; our offset is stale
    assert await client.signed("POST", "order", CREDENTIALS, ORDER, safety=Safety.ONCE) == {"orderId": 4}
    methods = [(r.method, r.url.path.rsplit("/", 1)[-1]) for r in fake.requests]
    assert methods == [("GET", "time"), ("POST", "order"), ("GET", "time"), ("POST", "order")]
    assert client.clock.offset_ms == pytest.approx(20_000, abs=5)
    await client.aclose()


async def test_invalid_timestamp_twice_is_raised_after_one_retry(fake: FakeBinance) -> None:
    fake.on("POST", "order", then=error(400, -1021, "Timestamp for this request is outside of the recvWindow."))
    client = fake.client()
    with pytest.raises(TransientVenueError) as refused:
        await client.signed("POST", "order", CREDENTIALS, ORDER, safety=Safety.ONCE)
    assert refused.value.code == -1021
    assert len(fake.calls("POST", "order")) == 2
    await client.aclose()


async def test_the_offset_is_refreshed_when_it_gets_old(fake: FakeBinance, time: FakeTime) -> None:
    fake.on("GET", "account", then=ok({}))
    client = fake.client(BinanceOptions(clock_resync_seconds=60))
    await client.signed("GET", "account", CREDENTIALS)
    await client.signed("GET", "account", CREDENTIALS)
    assert len(fake.calls("GET", "time")) == 1
    fake.skew_ms = -3_000
    await time.sleep(61)
    await client.signed("GET", "account", CREDENTIALS)
    assert len(fake.calls("GET", "time")) == 2
    assert client.clock.offset_ms == pytest.approx(-3_000, abs=5)
    await client.aclose()
