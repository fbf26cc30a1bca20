"""Public ``/api/v3`` endpoints (security NONE): server time, exchange information and
market data, in Binance's shapes and with Binance's weights."""

from __future__ import annotations

from collections.abc import Callable

from numatix.domain.market import TradePrint
from numatix.exchange.paper.state import AVERAGE_PRICE_MINUTES
from numatix.sim import errors
from numatix.sim.endpoint import Call, RouteSpec, Security
from numatix.sim.errors import SimError
from numatix.sim.exchange_info import exchange_info_json
from numatix.sim.market_view import WindowStats, time_zone_offset_ms, window_ms
from numatix.sim.params import Params
from numatix.sim.tape import AggregateTrade
from numatix.sim.wire import amount

DEFAULT_DEPTH, MAX_DEPTH = 100, 5000
DEFAULT_TRADES, MAX_TRADES = 500, 1000
DEFAULT_KLINES, MAX_KLINES = 500, 1000
MAX_TICKER_SYMBOLS = 100


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


def ticker_24h_weight(params: Params) -> int:
    """``ticker/24hr``: 2 for one symbol; for ``symbols`` 2 up to 20, 40 up to 100, else 80 (as for all)."""
    if params.text("symbol"):
        return 2
    try:
        symbols = params.json_list("symbols")
    except SimError:
        symbols = None
    if symbols is None:
        return 80
    return 2 if len(symbols) <= 20 else 40 if len(symbols) <= 100 else 80


def per_symbol_weight(params: Params) -> int:
    """``ticker`` and ``ticker/tradingDay``: 4 a symbol, 200 once more than 50 are asked for."""
    try:
        symbols = params.json_list("symbols")
    except SimError:
        symbols = None
    count = len(symbols) if symbols is not None else 1
    return 200 if count > 50 else 4 * count


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
    limits = (call.sim.weight.rate_limit, *call.sim.order_count.rate_limits, call.sim.raw_requests.rate_limit)
    return exchange_info_json([info.symbols[name] for name in names], limits, call.sim.now_ms())


async def depth(call: Call) -> object:
    symbol = call.sim.market.check_symbol(call.params.required("symbol"))
    limit = min(call.params.integer("limit", 1) or DEFAULT_DEPTH, MAX_DEPTH)  # more is cut to 5,000
    book = call.sim.market.depth(symbol, limit)
    if book is None:
        return {"lastUpdateId": 0, "bids": [], "asks": []}
    return {"lastUpdateId": book.update_id,
            "bids": [[amount(level.price), amount(level.quantity)] for level in book.bids[:limit]],
            "asks": [[amount(level.price), amount(level.quantity)] for level in book.asks[:limit]]}


def _trade_rows(trades: list[TradePrint]) -> list[dict[str, object]]:
    return [{"id": trade.trade_id, "price": amount(trade.price), "qty": amount(trade.quantity),
             "quoteQty": amount(trade.price * trade.quantity), "time": trade.time_ms,
             "isBuyerMaker": trade.buyer_is_maker, "isBestMatch": True} for trade in trades]


async def trades(call: Call) -> object:
    symbol = call.sim.market.check_symbol(call.params.required("symbol"))
    limit = call.params.integer("limit", 1, MAX_TRADES) or DEFAULT_TRADES
    return _trade_rows(call.sim.market.recent_trades(symbol, limit))


async def historical_trades(call: Call) -> object:
    """From ``fromId`` on (the tape's oldest if it is older), else the most recent."""
    symbol = call.sim.market.check_symbol(call.params.required("symbol"))
    limit = call.params.integer("limit", 1, MAX_TRADES) or DEFAULT_TRADES
    from_id = call.params.integer("fromId", 0)
    if from_id is None:
        return _trade_rows(call.sim.market.recent_trades(symbol, limit))
    return _trade_rows(call.sim.market.tape.of(symbol).from_id(from_id, limit))


async def aggregate_trades(call: Call) -> object:
    symbol = call.sim.market.check_symbol(call.params.required("symbol"))
    limit = call.params.integer("limit", 1, MAX_TRADES) or DEFAULT_TRADES
    from_id = call.params.integer("fromId", 0)
    start, end = call.params.integer("startTime", 0), call.params.integer("endTime", 0)
    rows = call.sim.market.tape.of(symbol).aggregate_list(from_id, start, end, limit)
    return [aggregate_row(row) for row in rows]


def aggregate_row(row: AggregateTrade) -> dict[str, object]:
    return {"a": row.agg_id, "p": amount(row.price), "q": amount(row.quantity), "f": row.first_id,
            "l": row.last_id, "T": row.time_ms, "m": row.buyer_is_maker, "M": True}


async def klines(call: Call) -> object:
    symbol = call.sim.market.check_symbol(call.params.required("symbol"))
    interval = call.params.required("interval")
    limit = call.params.integer("limit", 1, MAX_KLINES) or DEFAULT_KLINES
    offset = time_zone_offset_ms(call.params.text("timeZone") or "0")
    bars = await call.sim.market.klines(symbol, interval, call.params.integer("startTime"),
                                        call.params.integer("endTime"), limit, offset)
    return [[bar.open_time_ms, amount(bar.open), amount(bar.high), amount(bar.low), amount(bar.close),
             amount(bar.volume), bar.close_time_ms, amount(bar.quote_volume), bar.trade_count,
             amount(bar.taker_buy_volume), amount(bar.taker_buy_quote_volume), "0"] for bar in bars]


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
                     "bidPrice": amount(bid.price if bid else None),
                     "bidQty": amount(bid.quantity if bid else None),
                     "askPrice": amount(ask.price if ask else None),
                     "askQty": amount(ask.quantity if ask else None)})
    return rows[0] if call.params.text("symbol") else rows


async def ticker_24h(call: Call) -> object:
    kind = call.params.choice("type", ("FULL", "MINI")) or "FULL"
    rows = []
    for symbol in _symbols(call):
        stats = await call.sim.market.ticker(symbol)
        row: dict[str, object] = {"symbol": symbol}
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


def _ticker_symbols(call: Call) -> list[str]:
    """``symbol`` or ``symbols`` (one of them, up to 100 symbols)."""
    if call.params.text("symbol") is None and call.params.text("symbols") is None:
        raise errors.either("symbol", "symbols")
    names = _symbols(call)
    if len(names) > MAX_TICKER_SYMBOLS:
        raise SimError(-1101, "Too many values sent for parameter 'symbols', "
                              f"max allowed: {MAX_TICKER_SYMBOLS}")
    return names


def window_row(stats: WindowStats, kind: str) -> dict[str, object]:
    row: dict[str, object] = {"symbol": stats.symbol}
    if kind == "FULL":
        row.update(priceChange=amount(stats.change), priceChangePercent=format(stats.change_percent, "f"),
                   weightedAvgPrice=amount(stats.weighted_average))
    row.update(openPrice=amount(stats.open), highPrice=amount(stats.high), lowPrice=amount(stats.low),
               lastPrice=amount(stats.last), volume=amount(stats.volume),
               quoteVolume=amount(stats.quote_volume), openTime=stats.open_time_ms,
               closeTime=stats.close_time_ms, firstId=stats.first_id, lastId=stats.last_id, count=stats.count)
    return row


async def ticker_rolling(call: Call) -> object:
    """``GET ticker``: price change statistics over ``windowSize`` (default 1d)."""
    names = _ticker_symbols(call)
    size = window_ms(call.params.text("windowSize") or "1d")
    kind = call.params.choice("type", ("FULL", "MINI")) or "FULL"
    rows = [window_row(await call.sim.market.rolling(symbol, size), kind) for symbol in names]
    return rows[0] if call.params.text("symbol") else rows


async def ticker_trading_day(call: Call) -> object:
    """``GET ticker/tradingDay``: price change statistics of today in ``timeZone`` (default UTC)."""
    names = _ticker_symbols(call)
    offset = time_zone_offset_ms(call.params.text("timeZone") or "0")
    kind = call.params.choice("type", ("FULL", "MINI")) or "FULL"
    rows = [window_row(await call.sim.market.trading_day(symbol, offset), kind) for symbol in names]
    return rows[0] if call.params.text("symbol") else rows


async def average_price(call: Call) -> object:
    symbol = call.sim.market.check_symbol(call.params.required("symbol"))
    price, close_time = call.sim.exchange.reference_price(symbol)
    return {"mins": AVERAGE_PRICE_MINUTES, "price": amount(price),
            "closeTime": close_time if close_time is not None else call.sim.now_ms()}


# (method, path, handler, weight, security)
ROUTES: list[RouteSpec] = [
    ("GET", "ping", ping, 1, Security.NONE),
    ("GET", "time", server_time, 1, Security.NONE),
    ("GET", "exchangeInfo", exchange_info, 20, Security.NONE),
    ("GET", "depth", depth, depth_weight, Security.NONE),
    ("GET", "trades", trades, 25, Security.NONE),
    ("GET", "historicalTrades", historical_trades, 25, Security.NONE),
    ("GET", "aggTrades", aggregate_trades, 4, Security.NONE),
    ("GET", "klines", klines, 2, Security.NONE),
    ("GET", "uiKlines", klines, 2, Security.NONE),
    ("GET", "avgPrice", average_price, 2, Security.NONE),
    ("GET", "ticker/price", ticker_price, many_weight(2, 4), Security.NONE),
    ("GET", "ticker/bookTicker", book_ticker, many_weight(2, 4), Security.NONE),
    ("GET", "ticker/24hr", ticker_24h, ticker_24h_weight, Security.NONE),
    ("GET", "ticker", ticker_rolling, per_symbol_weight, Security.NONE),
    ("GET", "ticker/tradingDay", ticker_trading_day, per_symbol_weight, Security.NONE),
]
