"""Public ``/api/v3`` endpoints (security NONE): server time, exchange information and
market data, in Binance's shapes and with Binance's weights."""

from __future__ import annotations

from collections.abc import Callable

from numatix.sim.endpoint import Call, Security
from numatix.sim.errors import SimError
from numatix.sim.exchange_info import exchange_info_json
from numatix.sim.params import Params
from numatix.sim.wire import amount

DEFAULT_DEPTH, MAX_DEPTH = 100, 5000
DEFAULT_TRADES, MAX_TRADES = 500, 1000
DEFAULT_KLINES, MAX_KLINES = 500, 1000


def depth_weight(params: Params) -> int:
    limit = _limit_or_default(params, DEFAULT_DEPTH)
    return 5 if limit <= 100 else 25 if limit <= 500 else 50 if limit <= 1000 else 250


def _limit_or_default(params: Params, default: int) -> int:
    try:
        return params.integer("limit") or default
    except SimError:
        return default


def many_weight(one: int, all_symbols: int) -> Callable[[Params], int]:
    def weight(params: Params) -> int:
        return one if params.text("symbol") else all_symbols
    return weight


def _symbols(call: Call) -> list[str]:
    """``symbol``, ``symbols`` (a JSON array) or, with neither, every symbol."""
    symbol = call.params.text("symbol")
    symbols = call.params.json_list("symbols")
    if symbol is not None and symbols is not None:
        raise SimError(-1128, "Combination of optional parameters invalid.")
    if symbol is not None:
        return [call.sim.market.check_symbol(symbol)]
    if symbols is not None:
        return [call.sim.market.check_symbol(name) for name in symbols]
    return list(call.sim.market.symbols)


async def ping(call: Call) -> object:
    return {}


async def server_time(call: Call) -> object:
    return {"serverTime": call.sim.now_ms()}


async def exchange_info(call: Call) -> object:
    info = await call.sim.exchange.exchange_info()
    names = _symbols(call)
    limits = (call.sim.weight.rate_limit, *call.sim.order_count.rate_limits)
    return exchange_info_json([info.symbols[name] for name in names], limits, call.sim.now_ms())


async def depth(call: Call) -> object:
    symbol = call.sim.market.check_symbol(call.params.required("symbol"))
    limit = call.params.integer("limit", 1, MAX_DEPTH) or DEFAULT_DEPTH
    book = call.sim.market.book(symbol)
    if book is None:
        return {"lastUpdateId": 0, "bids": [], "asks": []}
    return {"lastUpdateId": book.update_id,
            "bids": [[amount(level.price), amount(level.quantity)] for level in book.bids[:limit]],
            "asks": [[amount(level.price), amount(level.quantity)] for level in book.asks[:limit]]}


async def trades(call: Call) -> object:
    symbol = call.sim.market.check_symbol(call.params.required("symbol"))
    limit = call.params.integer("limit", 1, MAX_TRADES) or DEFAULT_TRADES
    recent = call.sim.market.recent_trades(symbol)[-limit:]
    return [{"id": trade.trade_id, "price": amount(trade.price), "qty": amount(trade.quantity),
             "quoteQty": amount(trade.price * trade.quantity), "time": trade.time_ms,
             "isBuyerMaker": trade.buyer_is_maker, "isBestMatch": True} for trade in recent]


async def klines(call: Call) -> object:
    symbol = call.sim.market.check_symbol(call.params.required("symbol"))
    interval = call.params.required("interval")
    limit = call.params.integer("limit", 1, MAX_KLINES) or DEFAULT_KLINES
    bars = await call.sim.market.klines(symbol, interval, call.params.integer("startTime"),
                                        call.params.integer("endTime"), limit)
    return [[bar.open_time_ms, amount(bar.open), amount(bar.high), amount(bar.low), amount(bar.close),
             amount(bar.volume), bar.close_time_ms, amount(bar.quote_volume), bar.trade_count,
             amount(None), amount(None), "0"] for bar in bars]


async def ticker_price(call: Call) -> object:
    prices = []
    for symbol in _symbols(call):
        last = call.sim.market.last_trade(symbol)
        prices.append({"symbol": symbol, "price": amount(last.price if last else None)})
    return prices[0] if call.params.text("symbol") else prices


async def book_ticker(call: Call) -> object:
    rows = []
    for symbol in _symbols(call):
        book = call.sim.market.book(symbol)
        bid = book.bids[0] if book and book.bids else None
        ask = book.asks[0] if book and book.asks else None
        rows.append({"symbol": symbol,
                     "bidPrice": amount(bid and bid.price), "bidQty": amount(bid and bid.quantity),
                     "askPrice": amount(ask and ask.price), "askQty": amount(ask and ask.quantity)})
    return rows[0] if call.params.text("symbol") else rows


async def ticker_24h(call: Call) -> object:
    kind = call.params.choice("type", ("FULL", "MINI")) or "FULL"
    rows = []
    for symbol in _symbols(call):
        stats = await call.sim.market.ticker(symbol)
        row = {"symbol": symbol}
        if kind == "FULL":
            row.update(priceChange=amount(stats.change), priceChangePercent=format(stats.change_percent, "f"),
                       weightedAvgPrice=amount(stats.weighted_average),
                       prevClosePrice=amount(stats.previous_close),
                       lastPrice=amount(stats.last), lastQty=amount(stats.last_quantity),
                       bidPrice=amount(stats.bid), bidQty=amount(stats.bid_quantity),
                       askPrice=amount(stats.ask), askQty=amount(stats.ask_quantity))
        else:
            row["lastPrice"] = amount(stats.last)
        row.update(openPrice=amount(stats.open), highPrice=amount(stats.high), lowPrice=amount(stats.low),
                   volume=amount(stats.volume), quoteVolume=amount(stats.quote_volume),
                   openTime=stats.open_time_ms, closeTime=stats.close_time_ms, firstId=stats.first_id,
                   lastId=stats.last_id, count=stats.count)
        rows.append(row)
    return rows[0] if call.params.text("symbol") else rows


async def average_price(call: Call) -> object:
    symbol = call.sim.market.check_symbol(call.params.required("symbol"))
    price, close_time = await call.sim.market.average_price(symbol)
    return {"mins": 5, "price": amount(price), "closeTime": close_time}


# (method, path, handler, weight, security)
ROUTES = [
    ("GET", "ping", ping, 1, Security.NONE),
    ("GET", "time", server_time, 1, Security.NONE),
    ("GET", "exchangeInfo", exchange_info, 20, Security.NONE),
    ("GET", "depth", depth, depth_weight, Security.NONE),
    ("GET", "trades", trades, 25, Security.NONE),
    ("GET", "historicalTrades", trades, 25, Security.NONE),
    ("GET", "klines", klines, 2, Security.NONE),
    ("GET", "uiKlines", klines, 2, Security.NONE),
    ("GET", "avgPrice", average_price, 2, Security.NONE),
    ("GET", "ticker/price", ticker_price, many_weight(2, 4), Security.NONE),
    ("GET", "ticker/bookTicker", book_ticker, many_weight(2, 4), Security.NONE),
    ("GET", "ticker/24hr", ticker_24h, many_weight(2, 80), Security.NONE),
]
