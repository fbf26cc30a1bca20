"""Placing orders so that a lost reply never becomes a second order.

Every order leaves with a client order id. If the POST times out, gets a 5xx or
-1000/-1006/-1007, we do not send it again: we look it up with
``GET /api/v3/order?origClientOrderId=`` (retrying the lookup with backoff).

- Found: its report is returned, as if the reply had arrived.
- Not found: Binance re-checks ``timestamp + recvWindow`` just before its matching engine,
  so once the server's clock has passed that window (plus a second's margin) the request
  can no longer execute. Until then we wait and look again; after it, "not found" is
  final and we raise ``OrderRejected`` (code of the original failure, or -1007) saying
  nothing was placed and it is safe to send again. We do not resend ourselves: whether
  to try again (prices move) is the user's call.
- Still unknown when the lookups run out (Binance unreachable): ``OutcomeUnknown`` with the
  client order id, for the caller to resolve later.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Sequence
from dataclasses import replace

from numatix.domain.credentials import ExchangeCredentials
from numatix.domain.enums import OrderStatus
from numatix.domain.errors import (
    OrderNotFound,
    OrderRejected,
    OutcomeUnknown,
    TransientVenueError,
    VenueError,
)
from numatix.domain.events import ExecutionReport
from numatix.domain.orders import Fill, Order
from numatix.domain.requests import OcoRequest, OrderRequest
from numatix.exchange.base import ExchangeInfo
from numatix.exchange.binance import wire
from numatix.exchange.binance.endpoints import BinanceEndpoints
from numatix.exchange.binance.rules import prepare_oco, prepare_order

logger = logging.getLogger(__name__)

TIMEOUT_CODE = -1007
WINDOW_MARGIN_MS = 1_000
MAX_WAIT_FOR_RETRY_AFTER = 10.0


def new_client_order_id() -> str:
    """22 characters like Binance's own, within its ``^[.A-Z:/a-z0-9_-]{1,36}$``."""
    return "nx" + uuid.uuid4().hex[:20]


class OrderPlacer:
    def __init__(self, endpoints: BinanceEndpoints) -> None:
        self._endpoints = endpoints
        self._client = endpoints.client

    async def place(self, account: ExchangeCredentials, request: OrderRequest,
                    info: ExchangeInfo) -> ExecutionReport:
        if request.client_order_id is None:
            request = request.with_client_order_id(new_client_order_id())
        prepared = prepare_order(request, info)
        try:
            data = await self._endpoints.place_order(account, wire.order_params(prepared))
        except OutcomeUnknown as unknown:
            [order] = await self._resolve(account, prepared.symbol, [prepared.client_order_id or ""], unknown)
            return await self._report(account, order)
        if "status" not in data:  # an ACK-shaped reply: ask for the rest
            return await self._report(account, await self._endpoints.get_order(
                account, prepared.symbol, order_id=int(data["orderId"])))
        return wire.response_report(account, data)

    async def place_oco(
        self, account: ExchangeCredentials, request: OcoRequest, info: ExchangeInfo
    ) -> tuple[ExecutionReport, ExecutionReport]:
        """Returns (limit leg, stop leg)."""
        request = _with_oco_ids(request)
        prepared = prepare_oco(request, info)
        ids = [prepared.limit_client_order_id or "", prepared.stop_client_order_id or ""]
        try:
            data = await self._endpoints.place_oco(account, wire.oco_params(prepared))
        except OutcomeUnknown as unknown:
            limit_order, stop_order = await self._resolve(account, prepared.symbol, ids, unknown)
            return await self._report(account, limit_order), await self._report(account, stop_order)
        reports = {report.client_order_id: report for report in wire.order_reports(account, data)}
        return reports[ids[0]], reports[ids[1]]

    # ------------------------------------------------------------ resolution
    async def _resolve(
        self, account: ExchangeCredentials, symbol: str, client_order_ids: Sequence[str],
        failure: OutcomeUnknown
    ) -> list[Order]:
        """The orders behind a lost reply, or a verdict that they were never placed."""
        clock = self._client.clock
        settled_after_ms = clock.now_ms() + self._client.options.recv_window_ms + WINDOW_MARGIN_MS
        backoff = self._client.new_backoff()
        failures = 0
        logger.warning("Order %s: reply lost (%s); looking it up", client_order_ids[0], failure)
        while True:
            try:
                return [await self._endpoints.get_order(account, symbol, client_order_id=client_order_id)
                        for client_order_id in client_order_ids]
            except OrderNotFound:
                wait_ms = settled_after_ms - clock.now_ms()
                if wait_ms <= 0:
                    raise _not_placed(failure) from failure
                await self._client.sleep(wait_ms / 1000)
            except (TransientVenueError, OutcomeUnknown) as error:
                failures += 1
                delay = max(backoff.next_delay(), getattr(error, "retry_after", None) or 0.0)
                if failures >= self._client.options.resolve_attempts or delay > MAX_WAIT_FOR_RETRY_AFTER:
                    raise OutcomeUnknown(
                        f"Binance did not confirm order {client_order_ids[0]} "
                        f"and could not be asked ({error}); "
                        "look it up by its client order id before sending it again",
                        failure.code, client_order_id=client_order_ids[0],
                    ) from error
                await self._client.sleep(delay)

    async def _report(self, account: ExchangeCredentials, order: Order) -> ExecutionReport:
        """A found order's latest report, with its last fill if it has traded."""
        fill = None
        if order.executed_quantity and order.status in (OrderStatus.PARTIALLY_FILLED, OrderStatus.FILLED):
            fill = await self._last_fill(account, order)
        return wire.report_for_order(account, order, order.update_time_ms, fill)

    async def _last_fill(self, account: ExchangeCredentials, order: Order) -> Fill | None:
        try:
            rows = await self._endpoints.trade_rows(account, order.symbol, order_id=order.venue_order_id)
        except VenueError:
            return None
        return wire.parse_fill(rows[-1], order.client_order_id) if rows else None


def _not_placed(failure: OutcomeUnknown) -> OrderRejected:
    return OrderRejected(
        failure.code if failure.code is not None else TIMEOUT_CODE,
        f"The order was not placed: Binance did not answer ({failure.message}) and has no such order. "
        "Nothing was executed; it is safe to send it again.",
    )


def _with_oco_ids(request: OcoRequest) -> OcoRequest:
    return replace(
        request,
        list_client_order_id=request.list_client_order_id or new_client_order_id(),
        limit_client_order_id=request.limit_client_order_id or new_client_order_id(),
        stop_client_order_id=request.stop_client_order_id or new_client_order_id(),
    )
