"""Fixed-window rate limits and the one-shot faults."""

import pytest

from numatix.sim.faults import Faults
from numatix.sim.limits import FixedWindowCounter, OrderCount, RequestWeight
from numatix.sim.errors import SimError


class Clock:
    def __init__(self, now: int) -> None:
        self.now = now

    def __call__(self) -> int:
        return self.now


def test_counts_reset_on_the_window_boundary() -> None:
    clock = Clock(120_000 + 59_000)
    counter = FixedWindowCounter(60_000, clock)
    assert counter.add("ip", 5) == 5
    assert counter.seconds_to_reset() == 1
    clock.now = 180_000
    assert counter.count("ip") == 0


def test_weight_over_the_limit_is_429_until_the_minute_ends() -> None:
    clock = Clock(60_000 + 15_000)
    weight = RequestWeight(10, clock)
    weight.spend("ip", 10)
    with pytest.raises(SimError) as raised:
        weight.spend("ip", 1)
    assert (raised.value.status, raised.value.code, raised.value.retry_after) == (429, -1003, 45)
    assert weight.used("ip") == 11  # refused requests still count, as on Binance
    assert weight.used("other") == 0


def test_order_count_refuses_before_placing() -> None:
    counts = OrderCount(2, 100, Clock(0))
    counts.add("account", 2)
    with pytest.raises(SimError) as raised:
        counts.check("account")
    assert raised.value.body() == {"code": -1015,
                                   "msg": "Too many new orders; current limit is 2 orders per 10 SECOND."}
    counts.check("another")


def test_one_shot_faults_are_consumed_in_order() -> None:
    faults = Faults()
    faults.fail_next(1, status=502)
    faults.throttle_next(1, retry_after=4)
    failed, throttled, clean = (faults.take_request_fault(6000) for _ in range(3))
    assert (failed.status, failed.code) == (502, -1001)
    assert (throttled.status, throttled.code, throttled.retry_after) == (429, -1003, 4)
    assert clean is None


def test_ban_status_and_unknown_error() -> None:
    faults = Faults()
    faults.throttle_next(1, retry_after=120, status=418)
    banned = faults.take_request_fault(6000)
    assert (banned.status, banned.retry_after) == (418, 120)
    assert banned.message.startswith("Way too much request weight used; IP banned until ")
    faults.fail_next(1, status=500)
    assert faults.take_request_fault(6000).body() == {
        "code": -1000, "msg": "An unknown error occurred while processing the request."}


def test_lost_reply_is_taken_once_and_clear_resets_everything() -> None:
    faults = Faults()
    faults.lose_next_order_reply("hang", hold_seconds=2)
    assert faults.take_lost_reply().mode == "hang"
    assert faults.take_lost_reply() is None
    faults.set_latency(5)
    faults.skew_clock(-300)
    faults.fail_next(3)
    faults.clear()
    state = faults.state()
    assert (state["latency_ms"], state["skew_ms"], state["fail_next"]) == (0, 0, 0)


@pytest.mark.parametrize("call", [
    lambda f: f.fail_next(1, status=429), lambda f: f.throttle_next(1, status=500),
    lambda f: f.lose_next_order_reply("maybe"), lambda f: f.set_latency(-1)])
def test_nonsense_fault_settings_are_refused(call) -> None:
    with pytest.raises(ValueError):
        call(Faults())


def test_drop_streams_asks_every_registered_dropper() -> None:
    faults = Faults()
    faults.on_drop(lambda: 2)
    faults.on_drop(lambda: 1)
    assert faults.drop_streams() == 3
