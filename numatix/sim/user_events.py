"""The paper engine's account events, in Binance's user-stream shapes, fanned out to
every listenKey socket and WebSocket API subscription of that account.

The engine calls ``on_venue_event`` synchronously, in order; each subscriber gets the
wire dicts through its own callback (which queues them), so a slow socket never holds
the engine up. OCO legs also produce ``listStatus`` events: EXEC_STARTED when both legs
are on the book, ALL_DONE when the last one closes.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field

from numatix.domain.events import BalanceUpdate, ExecutionReport, VenueEvent
from numatix.sim import wire

Deliver = Callable[[dict[str, object]], None]
OCO_LEGS = 2


@dataclass(slots=True)
class OrderList:
    list_id: int
    symbol: str
    name: str
    legs: dict[int, str] = field(default_factory=dict)  # orderId -> clientOrderId
    open_legs: set[int] = field(default_factory=set)
    started: bool = False
    done: bool = False

    def status_event(self, time_ms: int, list_status: str, order_status: str) -> dict[str, object]:
        return {
            "e": "listStatus", "E": time_ms, "s": self.symbol, "g": self.list_id, "c": "OCO",
            "l": list_status, "L": order_status, "r": "NONE", "C": self.name, "T": time_ms,
            "O": [{"s": self.symbol, "i": order_id, "c": client_id}
                  for order_id, client_id in self.legs.items()],
        }


class UserEvents:
    def __init__(self, now_ms: Callable[[], int]) -> None:
        self._now_ms = now_ms
        self._subscribers: dict[Hashable, dict[int, Deliver]] = {}
        self._tokens = itertools.count(1)
        self._execution_ids = itertools.count(1)
        self._lists: dict[int, OrderList] = {}
        self._list_names: dict[Hashable, str] = {}

    def subscribe(self, account: Hashable, deliver: Deliver) -> Callable[[], None]:
        """Returns the function that ends this subscription."""
        token = next(self._tokens)
        self._subscribers.setdefault(account, {})[token] = deliver
        return lambda: self._subscribers.get(account, {}).pop(token, None) and None

    def name_next_list(self, account: Hashable, list_client_order_id: str) -> None:
        """The next order list this account places is called this (its listClientOrderId)."""
        self._list_names[account] = list_client_order_id

    def order_list(self, list_id: int) -> OrderList | None:
        return self._lists.get(list_id)

    def on_venue_event(self, event: VenueEvent) -> None:
        if isinstance(event, ExecutionReport):
            self._send(event.account, wire.execution_report(event, next(self._execution_ids)))
            if event.order_list_id >= 0:
                self._track_list(event)
        elif isinstance(event, BalanceUpdate):
            self._send(event.account, wire.account_position(event))

    def _track_list(self, report: ExecutionReport) -> None:
        order_list = self._lists.get(report.order_list_id)
        if order_list is None:
            name = self._list_names.pop(report.account, None) or f"list_{report.order_list_id}"
            order_list = OrderList(report.order_list_id, report.symbol, name)
            self._lists[report.order_list_id] = order_list
        if report.venue_order_id not in order_list.legs:
            order_list.legs[report.venue_order_id] = report.client_order_id
            order_list.open_legs.add(report.venue_order_id)
        if not report.status.is_open:
            order_list.open_legs.discard(report.venue_order_id)
        now = self._now_ms()
        if not order_list.started and len(order_list.legs) == OCO_LEGS:
            order_list.started = True
            self._send(report.account, order_list.status_event(now, "EXEC_STARTED", "EXECUTING"))
        if order_list.started and not order_list.done and not order_list.open_legs:
            order_list.done = True
            self._send(report.account, order_list.status_event(now, "ALL_DONE", "ALL_DONE"))

    def _send(self, account: Hashable, event: dict[str, object]) -> None:
        for deliver in list(self._subscribers.get(account, {}).values()):
            deliver(event)
