"""Prometheus metrics: what an operator watches. Served at ``/metrics``.

Defined once per process on their own registry (so tests and several runtimes in one
process never collide); services and adapters record into them, the API exposes them.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest

REGISTRY = CollectorRegistry(auto_describe=True)

ORDER_LATENCY = Histogram(
    "numatix_order_seconds", "Time from a place request to the venue's answer", ["venue"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5), registry=REGISTRY,
)
ORDERS = Counter("numatix_orders_total", "Orders placed, by type", ["venue", "type"], registry=REGISTRY)
FILLS = Counter("numatix_fills_total", "Fills, by symbol and side", ["symbol", "side"], registry=REGISTRY)
REJECTIONS = Counter("numatix_rejections_total", "Orders the venue refused, by Binance code", ["code"],
                     registry=REGISTRY)
VENUE_ERRORS = Counter("numatix_venue_errors_total", "Venue failures other than refusals", ["kind"],
                       registry=REGISTRY)
IN_FLIGHT = Gauge("numatix_orders_in_flight",
                  "Orders sent to a venue and not answered yet (a stop waits for them)", registry=REGISTRY)
SOCKETS = Gauge("numatix_event_sockets", "Open /ws/prices connections", registry=REGISTRY)
PAGE_SESSIONS = Gauge("numatix_page_sessions", "Trade pages following their user's events", registry=REGISTRY)
FEED_LAG = Gauge("numatix_feed_lag_seconds", "Seconds since the market feed's last trade print",
                 registry=REGISTRY)
FAN_OUT_LAG = Histogram(
    "numatix_price_fan_out_seconds", "From a trade print reaching the hub to its PRICE_UPDATE being sent",
    buckets=(0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1), registry=REGISTRY,
)


def watch_feed(seconds_since_last_print: Callable[[], float]) -> None:
    """The feed lag is read when Prometheus scrapes, not pushed on every print."""
    FEED_LAG.set_function(seconds_since_last_print)


def exposition() -> bytes:
    return generate_latest(REGISTRY)


class Timer:
    def __init__(self) -> None:
        self.started = time.perf_counter()

    @property
    def seconds(self) -> float:
        return time.perf_counter() - self.started
