"""Binance's account endpoints as typed calls: the only place that knows paths and params.

Binance's trades (myTrades) do not carry the client order id our ``Fill`` has; the ids
are looked up once per order (allOrders, then GET order) and remembered, since they never
change.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

from numatix.domain.balances import Balance
from numatix.domain.credentials import ExchangeCredentials
from numatix.domain.errors import OrderNotFound
from numatix.domain.events import ExecutionReport
from numatix.domain.orders import Fill, Order
from numatix.exchange.binance import wire
from numatix.exchange.binance.client import Attempts, BinanceRestClient, Safety

MAX_LIMIT = 1000
DAY_MS = 86_400_000  # the widest time window myTrades accepts
_REMEMBERED_IDS = 50_000
Json = dict[str, Any]


class BinanceEndpoints:
    def __init__(self, client: BinanceRestClient) -> None:
        self.client = client
        self._client_ids: OrderedDict[tuple[str, int], str] = OrderedDict()

    # -------------------------------------------------------------- orders
    async def get_order(
        self, account: ExchangeCredentials, symbol: str, *, client_order_id: str | None = None,
        order_id: int | None = None,
    ) -> Order:
        """OrderNotFound (-2013) if Binance has no such order for this key."""
        params: list[tuple[str, object]] = [("symbol", symbol)]
        params.append(("orderId", order_id) if order_id is not None else ("origClientOrderId",
                                                                          client_order_id))
        order = wire.parse_order(await self.client.signed("GET", "order", account, params))
        self._remember(order)
        return order

    async def open_orders(self, account: ExchangeCredentials, symbol: str | None) -> list[Order]:
        """One symbol's (weight 6), or every symbol's, listed or not (one request of weight 80)."""
        params: list[tuple[str, object]] = [("symbol", symbol)] if symbol is not None else []
        data = await self.client.signed("GET", "openOrders", account, params)
        return [self._remember(wire.parse_order(item)) for item in data]

    async def all_orders(
        self, account: ExchangeCredentials, symbol: str, limit: int = MAX_LIMIT,
        from_order_id: int | None = None
    ) -> list[Order]:
        """Oldest first, as Binance returns them: the newest ``limit``, or those from ``from_order_id`` on."""
        params: list[tuple[str, object]] = [("symbol", symbol)]
        if from_order_id is not None:
            params.append(("orderId", from_order_id))
        params.append(("limit", min(limit, MAX_LIMIT)))
        data = await self.client.signed("GET", "allOrders", account, params)
        return [self._remember(wire.parse_order(item)) for item in data]

    async def place_order(self, account: ExchangeCredentials, params: list[tuple[str, str]]) -> Json:
        return await self.client.signed("POST", "order", account, params, safety=Safety.ONCE)

    async def place_oco(self, account: ExchangeCredentials, params: list[tuple[str, str]]) -> Json:
        return await self.client.signed("POST", "orderList/oco", account, params, safety=Safety.ONCE)

    async def cancel_order(
        self, account: ExchangeCredentials, symbol: str, client_order_id: str | None, order_id: int | None,
        attempts: Attempts,
    ) -> list[ExecutionReport]:
        """Idempotent by id, so retried; an OCO leg's cancel answers with the whole list."""
        params: list[tuple[str, object]] = [("symbol", symbol)]
        params.append(("orderId", order_id) if order_id is not None else ("origClientOrderId",
                                                                          client_order_id))
        data = await self.client.signed("DELETE", "order", account, params, attempts=attempts)
        return wire.order_reports(account, data)

    async def cancel_all(self, account: ExchangeCredentials, symbol: str) -> list[ExecutionReport]:
        data = await self.client.signed("DELETE", "openOrders", account, [("symbol", symbol)],
                                        safety=Safety.ONCE)
        return wire.order_reports(account, data)

    # -------------------------------------------------------------- trades
    async def trade_rows(
        self, account: ExchangeCredentials, symbol: str, *, from_id: int | None = None,
        order_id: int | None = None, window_ms: tuple[int, int] | None = None, limit: int = MAX_LIMIT,
    ) -> list[Json]:
        """myTrades rows, oldest first: the newest ``limit``, those of one order, from ``from_id``
        on, or the first ``limit`` in a time window (at most a day wide)."""
        params: list[tuple[str, object]] = [("symbol", symbol)]
        if order_id is not None:
            params.append(("orderId", order_id))
        if from_id is not None:
            params.append(("fromId", from_id))
        if window_ms is not None:
            params += [("startTime", window_ms[0]), ("endTime", window_ms[1])]
        params.append(("limit", min(limit, MAX_LIMIT)))
        return list(await self.client.signed("GET", "myTrades", account, params))

    async def trade_rows_since(self, account: ExchangeCredentials, symbol: str,
                               last_trade_id: int) -> list[Json]:
        """Every trade after ``last_trade_id``, page by page."""
        rows: list[Json] = []
        while True:
            page = await self.trade_rows(account, symbol, from_id=last_trade_id + 1)
            rows += page
            if len(page) < MAX_LIMIT:
                return rows
            last_trade_id = int(page[-1]["id"])

    async def trade_rows_from_time(self, account: ExchangeCredentials, symbol: str, start_ms: int,
                                   now_ms: int) -> list[Json]:
        """Every trade at or after ``start_ms``: the first found by time, a day at a time (the
        widest window Binance allows), and the rest by id."""
        while True:
            end_ms = start_ms + DAY_MS - 1
            page = await self.trade_rows(account, symbol, window_ms=(start_ms, end_ms))
            if page:
                if len(page) < MAX_LIMIT and end_ms >= now_ms:
                    return page
                return page + await self.trade_rows_since(account, symbol, int(page[-1]["id"]))
            if end_ms >= now_ms:
                return []
            start_ms = end_ms + 1

    async def fills(self, account: ExchangeCredentials, rows: list[Json]) -> list[Fill]:
        """myTrades rows as fills, with their orders' client ids."""
        missing: dict[str, int] = {}
        for row in rows:
            key = (str(row["symbol"]), int(row["orderId"]))
            if key not in self._client_ids:
                missing[key[0]] = min(missing.get(key[0], key[1]), key[1])
        for symbol, first_order_id in missing.items():
            await self.all_orders(account, symbol, from_order_id=first_order_id)
        fills = []
        for row in rows:
            client_order_id = await self._client_order_id(account, str(row["symbol"]), int(row["orderId"]))
            fills.append(wire.parse_fill(row, client_order_id))
        return fills

    async def _client_order_id(self, account: ExchangeCredentials, symbol: str, order_id: int) -> str:
        known = self._client_ids.get((symbol, order_id))
        if known is not None:
            return known
        try:
            return (await self.get_order(account, symbol, order_id=order_id)).client_order_id
        except OrderNotFound:
            return ""

    # ------------------------------------------------------------- account
    async def account(self, account: ExchangeCredentials) -> Json:
        return await self.client.signed("GET", "account", account, [("omitZeroBalances", "true")])

    async def balances(self, account: ExchangeCredentials) -> dict[str, Balance]:
        return wire.parse_balances(await self.account(account))

    def _remember(self, order: Order) -> Order:
        key = (order.symbol, order.venue_order_id)
        self._client_ids[key] = order.client_order_id
        self._client_ids.move_to_end(key)
        while len(self._client_ids) > _REMEMBERED_IDS:
            self._client_ids.popitem(last=False)
        return order
