"""Signed ``/api/v3`` endpoints: the account, orders, order lists, trades and the legacy
listenKey. Each handler parses Binance's parameters, asks the paper engine, and answers
in Binance's shape; the engine's rejections already carry Binance's code and message.
"""

from __future__ import annotations

import asyncio

from numatix.domain.errors import OrderNotFound
from numatix.domain.orders import Order
from numatix.sim import errors, wire
from numatix.sim.endpoint import Call, RouteSpec, Security
from numatix.sim.errors import SimError
from numatix.sim.orders import NewOco, parse_legacy_oco, parse_new_order, parse_order_list_oco
from numatix.sim.wire import amount

DEFAULT_LIST_LIMIT, MAX_LIST_LIMIT = 500, 1000
ALL = 10**9  # "every stored order": the in-memory store has no paging of its own
COMMISSION_UNITS = 10_000  # Binance's makerCommission 10 = 0.1%


def _symbol(call: Call) -> str:
    return call.sim.market.check_symbol(call.params.required("symbol"))


async def account(call: Call) -> object:
    sim, now = call.sim, call.sim.now_ms()
    balances = sim.exchange.balances_now(call.account)
    omit_zero = call.params.boolean("omitZeroBalances") or False
    rows = [{"asset": asset, "free": amount(balance.free), "locked": amount(balance.locked)}
            for asset, balance in sorted(balances.items()) if not (omit_zero and balance.total == 0)]
    fees = sim.options.fees
    return {
        "makerCommission": int(fees.maker_rate * COMMISSION_UNITS),
        "takerCommission": int(fees.taker_rate * COMMISSION_UNITS),
        "buyerCommission": 0, "sellerCommission": 0,
        "commissionRates": {"maker": amount(fees.maker_rate), "taker": amount(fees.taker_rate),
                            "buyer": amount(None), "seller": amount(None)},
        "canTrade": True, "canWithdraw": False, "canDeposit": False, "brokered": False,
        "requireSelfTradePrevention": False, "preventSor": False, "updateTime": now,
        "accountType": "SPOT", "balances": rows, "permissions": ["SPOT"], "uid": call.account,
    }


async def _fills_of(call: Call, order: Order) -> list:
    return [fill for fill in call.sim.exchange.fills(call.account, order.symbol)
            if fill.venue_order_id == order.venue_order_id]


async def _deliver_or_lose(call: Call, body: object) -> object:
    """Fault ``lose_next_order_reply``: the order stands, the reply does not arrive."""
    lost = call.sim.faults.take_lost_reply()
    if lost is None:
        return body
    if lost.mode == "hang":
        try:
            await asyncio.wait_for(call.sim.stopping.wait(), lost.hold_seconds)
        except TimeoutError:
            pass
    raise errors.backend_timeout()


def _count_orders(call: Call, orders: int) -> None:
    short, day = call.sim.order_count.add(call.account, orders)
    call.headers["X-MBX-ORDER-COUNT-10S"] = str(short)
    call.headers["X-MBX-ORDER-COUNT-1D"] = str(day)


async def new_order(call: Call) -> object:
    _symbol(call)
    new = parse_new_order(call.params)
    call.sim.order_count.check(call.account)
    report = await call.sim.exchange.submit(call.account, new.request)
    _count_orders(call, 1)
    order = await call.sim.exchange.order_by_id(call.account, report.venue_order_id)
    fills = await _fills_of(call, order)
    body = wire.order_reply(order, report.transaction_time_ms, fills, new.response_type)
    return await _deliver_or_lose(call, body)


async def test_order(call: Call) -> object:
    """Validate as a new order would be, place nothing."""
    symbol = _symbol(call)
    new = parse_new_order(call.params)
    info = await call.sim.exchange.exchange_info()
    reference, _ = call.sim.exchange.reference_price(symbol)  # what the engine itself checks against
    info.symbols[symbol].filters.validate(new.request, reference)
    return {}


async def _find_order(call: Call, symbol: str) -> Order:
    order_id = call.params.integer("orderId")
    original = call.params.text("origClientOrderId")
    if order_id is None and original is None:
        raise errors.either("origClientOrderId", "orderId")
    if order_id is not None:
        order = await call.sim.exchange.order_by_id(call.account, order_id)
        if order.symbol != symbol or (original is not None and order.client_order_id != original):
            raise OrderNotFound(-2013, "Order does not exist.")
        return order
    return await call.sim.exchange.query_order(call.account, symbol, original or "")


async def query_order(call: Call) -> object:
    return wire.order_status(await _find_order(call, _symbol(call)))


async def cancel_order(call: Call) -> object:
    symbol = _symbol(call)
    order_id = call.params.integer("orderId")
    original = call.params.text("origClientOrderId")
    if order_id is None and original is None:
        raise errors.either("origClientOrderId", "orderId")
    report = await call.sim.exchange.cancel(call.account, symbol, venue_order_id=order_id,
                                           client_order_id=None if order_id is not None else original)
    order = await call.sim.exchange.order_by_id(call.account, report.venue_order_id)
    cancel_id = call.params.text("newClientOrderId") or report.client_order_id
    return wire.canceled(order, report.transaction_time_ms, cancel_id)


async def open_orders(call: Call) -> object:
    symbol = call.params.text("symbol")
    if symbol is not None:
        call.sim.market.check_symbol(symbol)
    orders = await call.sim.exchange.open_orders(call.account, symbol)
    return [wire.order_status(order) for order in sorted(orders, key=lambda order: order.venue_order_id)]


async def cancel_open_orders(call: Call) -> object:
    symbol = _symbol(call)
    reports = await call.sim.exchange.cancel_all(call.account, symbol)
    if not reports:
        raise errors.unknown_order_on_cancel()
    replies = []
    for report in reports:
        order = await call.sim.exchange.order_by_id(call.account, report.venue_order_id)
        replies.append(wire.canceled(order, report.transaction_time_ms, report.client_order_id))
    return replies


def _time_window(call: Call) -> tuple[int | None, int | None, int]:
    start, end = call.params.integer("startTime"), call.params.integer("endTime")
    if start is not None and end is not None and end - start > 86_400_000:
        raise SimError(-1127, "More than 24 hours between startTime and endTime.")
    return start, end, call.params.integer("limit", 1, MAX_LIST_LIMIT) or DEFAULT_LIST_LIMIT


async def all_orders(call: Call) -> object:
    symbol = _symbol(call)
    start, end, limit = _time_window(call)
    from_id = call.params.integer("orderId")
    orders = sorted(await call.sim.exchange.all_orders(call.account, symbol, limit=ALL),
                    key=lambda order: order.venue_order_id)
    chosen = [order for order in orders
              if (from_id is None or order.venue_order_id >= from_id)
              and (start is None or order.created_time_ms >= start)
              and (end is None or order.created_time_ms <= end)]
    chosen = chosen[:limit] if from_id is not None or start is not None else chosen[-limit:]
    return [wire.order_status(order) for order in chosen]


async def my_trades(call: Call) -> object:
    symbol = _symbol(call)
    start, end, limit = _time_window(call)
    order_id, from_id = call.params.integer("orderId"), call.params.integer("fromId")
    if from_id is not None and (start is not None or end is not None):
        raise SimError(-1128, "Combination of optional parameters invalid.")
    list_ids = {order.venue_order_id: order.order_list_id
                for order in await call.sim.exchange.all_orders(call.account, symbol, limit=ALL)}
    fills = [fill for fill in await call.sim.exchange.my_trades(call.account, symbol)
             if (order_id is None or fill.venue_order_id == order_id)
             and (from_id is None or fill.trade_id >= from_id)
             and (start is None or fill.time_ms >= start) and (end is None or fill.time_ms <= end)]
    fills = fills[:limit] if from_id is not None or start is not None else fills[-limit:]
    return [wire.trade(fill, list_ids.get(fill.venue_order_id, -1)) for fill in fills]


async def _place_oco(call: Call, new: NewOco) -> object:
    call.sim.market.check_symbol(new.request.symbol)
    call.sim.order_count.check(call.account, 2)
    async with call.sim.list_lock:
        call.sim.user_events.name_next_list(call.account, new.list_client_order_id)
        limit_report, stop_report = await call.sim.exchange.submit_oco(call.account, new.request)
    _count_orders(call, 2)
    orders = [await call.sim.exchange.order_by_id(call.account, report.venue_order_id)
              for report in (stop_report, limit_report)]
    orders.sort(key=lambda order: order.venue_order_id)
    time_ms = limit_report.transaction_time_ms
    reports = [wire.order_reply(order, time_ms, await _fills_of(call, order), new.response_type)
               for order in orders]
    body = wire.order_list(orders, new.list_client_order_id, time_ms, reports)
    return await _deliver_or_lose(call, body)


async def new_order_list_oco(call: Call) -> object:
    _symbol(call)
    return await _place_oco(call, parse_order_list_oco(call.params))


async def new_legacy_oco(call: Call) -> object:
    _symbol(call)
    return await _place_oco(call, parse_legacy_oco(call.params))


async def cancel_order_list(call: Call) -> object:
    symbol = _symbol(call)
    list_id = call.params.integer("orderListId")
    list_name = call.params.text("listClientOrderId")
    if list_id is None and list_name is None:
        raise errors.either("orderListId", "listClientOrderId")
    orders = [order for order in await call.sim.exchange.all_orders(call.account, symbol, limit=ALL)
              if order.order_list_id >= 0 and (list_id is None or order.order_list_id == list_id)]
    known = call.sim.user_events.order_list(orders[0].order_list_id) if orders else None
    if not orders or known is None or (list_name is not None and known.name != list_name):
        raise SimError(-2011, "Order list does not exist.")
    orders = [order for order in orders if order.order_list_id == known.list_id]
    open_leg = next((order for order in orders if order.is_open), None)
    if open_leg is None:
        raise errors.unknown_order_on_cancel()
    report = await call.sim.exchange.cancel(call.account, symbol, venue_order_id=open_leg.venue_order_id)
    done = [await call.sim.exchange.order_by_id(call.account, order.venue_order_id) for order in orders]
    done.sort(key=lambda order: order.venue_order_id)
    reports = [wire.canceled(order, report.transaction_time_ms, order.client_order_id) for order in done]
    return wire.order_list(done, known.name, report.transaction_time_ms, reports)


async def commission(call: Call) -> object:
    _symbol(call)
    fees = call.sim.options.fees
    rates = {"maker": amount(fees.maker_rate), "taker": amount(fees.taker_rate),
             "buyer": amount(None), "seller": amount(None)}
    zero = {name: amount(None) for name in rates}
    return {"symbol": call.params.text("symbol"), "standardCommission": rates, "specialCommission": zero,
            "taxCommission": zero, "discount": {"enabledForAccount": False, "enabledForSymbol": False,
                                                "discountAsset": "BNB", "discount": amount(None)}}


async def order_rate_limits(call: Call) -> object:
    counts = call.sim.order_count.counts(call.account)
    return [limit.to_json(count) for limit, count in zip(call.sim.order_count.rate_limits, counts)]


async def open_listen_key(call: Call) -> object:
    return {"listenKey": call.sim.listen_keys.open(call.account)}


async def keep_listen_key_alive(call: Call) -> object:
    call.sim.listen_keys.keep_alive(call.params.text("listenKey"), call.account)
    return {}


async def close_listen_key(call: Call) -> object:
    call.sim.listen_keys.close(call.params.text("listenKey"), call.account)
    return {}


def open_orders_weight(params) -> int:
    return 6 if params.text("symbol") else 80


ROUTES: list[RouteSpec] = [
    ("GET", "account", account, 20, Security.SIGNED),
    ("GET", "account/commission", commission, 20, Security.SIGNED),
    ("GET", "rateLimit/order", order_rate_limits, 40, Security.SIGNED),
    ("POST", "order", new_order, 1, Security.SIGNED),
    ("POST", "order/test", test_order, 1, Security.SIGNED),
    ("GET", "order", query_order, 4, Security.SIGNED),
    ("DELETE", "order", cancel_order, 1, Security.SIGNED),
    ("GET", "openOrders", open_orders, open_orders_weight, Security.SIGNED),
    ("DELETE", "openOrders", cancel_open_orders, 1, Security.SIGNED),
    ("GET", "allOrders", all_orders, 20, Security.SIGNED),
    ("GET", "myTrades", my_trades, 20, Security.SIGNED),
    ("POST", "orderList/oco", new_order_list_oco, 1, Security.SIGNED),
    ("POST", "order/oco", new_legacy_oco, 1, Security.SIGNED),
    ("DELETE", "orderList", cancel_order_list, 1, Security.SIGNED),
    ("POST", "userDataStream", open_listen_key, 2, Security.USER_STREAM),
    ("PUT", "userDataStream", keep_listen_key_alive, 2, Security.USER_STREAM),
    ("DELETE", "userDataStream", close_listen_key, 2, Security.USER_STREAM),
]
