"""Order type x side x time-in-force, rejections and the engine's realism rules."""

from decimal import Decimal as D

import pytest

from numatix.domain.enums import ExecutionType, ExpiryReason, OrderStatus
from numatix.domain.errors import OrderNotFound, OrderRejected
from numatix.domain.events import BalanceUpdate, ExecutionReport
from numatix.domain.requests import OcoRequest, OrderRequest
from tests.unit.exchange.helpers import SYMBOL, STANDARD_BOOK, book, make_exchange, trade

ACCOUNT = 7


def request(side, order_type, **kwargs):
    return OrderRequest(SYMBOL, side, order_type, **kwargs)


# (request, expected status, executed qty, cumulative quote)
CASES = [
    (request("BUY", "MARKET", quantity="0.04"), "FILLED", "0.04", "2000.06"),  # 0.02@50001 + 0.02@50002
    (request("SELL", "MARKET", quantity="0.04"), "FILLED", "0.04", "1999.94"),
    (request("BUY", "MARKET", quantity="2"), "EXPIRED", "1.05", "52510.08"),  # book runs out -> EXPIRED
    (request("BUY", "MARKET", quote_order_qty="1000.02"), "FILLED", "0.02", "1000.02"),
    (request("SELL", "MARKET", quote_order_qty="999.98"), "FILLED", "0.02", "999.98"),
    (request("BUY", "LIMIT", quantity="0.03", price="50001", time_in_force="GTC"), "PARTIALLY_FILLED", "0.02", "1000.02"),
    (request("SELL", "LIMIT", quantity="0.03", price="49999", time_in_force="GTC"), "PARTIALLY_FILLED", "0.02", "999.98"),
    (request("BUY", "LIMIT", quantity="0.03", price="50001", time_in_force="IOC"), "EXPIRED", "0.02", "1000.02"),
    (request("SELL", "LIMIT", quantity="0.03", price="49999", time_in_force="IOC"), "EXPIRED", "0.02", "999.98"),
    (request("BUY", "LIMIT", quantity="0.03", price="50001", time_in_force="FOK"), "EXPIRED", "0", "0"),
    (request("BUY", "LIMIT", quantity="0.05", price="50002", time_in_force="FOK"), "FILLED", "0.05", "2500.08"),
    (request("SELL", "LIMIT", quantity="0.05", price="49998", time_in_force="FOK"), "FILLED", "0.05", "2499.92"),
    (request("SELL", "LIMIT", quantity="0.06", price="49998", time_in_force="FOK"), "EXPIRED", "0", "0"),
    (request("BUY", "LIMIT", quantity="0.01", price="49000", time_in_force="GTC"), "NEW", "0", "0"),
    (request("SELL", "LIMIT", quantity="0.01", price="51000", time_in_force="GTC"), "NEW", "0", "0"),
    (request("BUY", "LIMIT_MAKER", quantity="0.01", price="49000"), "NEW", "0", "0"),
    (request("SELL", "LIMIT_MAKER", quantity="0.01", price="51000"), "NEW", "0", "0"),
    (request("BUY", "STOP_LOSS", quantity="0.01", stop_price="51000"), "NEW", "0", "0"),
    (request("SELL", "STOP_LOSS", quantity="0.01", stop_price="49000"), "NEW", "0", "0"),
    (request("BUY", "TAKE_PROFIT", quantity="0.01", stop_price="49000"), "NEW", "0", "0"),
    (request("SELL", "TAKE_PROFIT", quantity="0.01", stop_price="51000"), "NEW", "0", "0"),
    (request("BUY", "STOP_LOSS_LIMIT", quantity="0.01", stop_price="51000", price="51100", time_in_force="GTC"),
     "NEW", "0", "0"),
    (request("SELL", "TAKE_PROFIT_LIMIT", quantity="0.01", stop_price="51000", price="50900", time_in_force="IOC"),
     "NEW", "0", "0"),
]


@pytest.mark.parametrize("order_request, status, executed, quote", CASES)
async def test_order_outcomes(order_request, status, executed, quote):
    exchange = make_exchange(starting_balances={"USDT": D("100000"), "BTC": D("2")})
    report = await exchange.submit(ACCOUNT, order_request)
    assert report.status.value == status
    assert report.cumulative_quantity == D(executed)
    assert report.cumulative_quote == D(quote)
    balances = exchange.balances_now(ACCOUNT)
    assert all(b.free >= 0 and b.locked >= 0 for b in balances.values())
    if not OrderStatus(status).is_open:
        assert all(b.locked == 0 for b in balances.values())  # nothing left locked


async def test_fees_in_received_asset_and_rounded():
    exchange = make_exchange()
    await exchange.submit(ACCOUNT, request("BUY", "MARKET", quantity="0.00123"))
    buy_fill = exchange.fills(ACCOUNT)[-1]
    assert (buy_fill.commission, buy_fill.commission_asset) == (D("0.00000123"), "BTC")
    await exchange.submit(ACCOUNT, request("SELL", "MARKET", quantity="0.00123"))
    sell_fill = exchange.fills(ACCOUNT)[-1]
    assert sell_fill.commission_asset == "USDT"
    assert sell_fill.commission == (D("49999") * D("0.00123") * D("0.001")).quantize(D("0.00000001"))
    balances = exchange.balances_now(ACCOUNT)
    assert balances["BTC"].free == D("0.1") - D("0.00000123")


async def test_market_order_consumes_the_book_and_it_refills_over_time():
    exchange = make_exchange()
    first = await exchange.submit(ACCOUNT, request("BUY", "MARKET", quantity="0.02"))
    assert first.cumulative_quote == D("1000.02")
    second = await exchange.submit(ACCOUNT, request("BUY", "MARKET", quantity="0.02"))
    assert second.cumulative_quote == D("1000.04")  # 50001 level already taken
    exchange.clock.set(exchange.clock.now_ms() + 60_000)
    third = await exchange.submit(ACCOUNT, request("BUY", "MARKET", quantity="0.02"))
    assert third.cumulative_quote == D("1000.02")


@pytest.mark.parametrize(
    "order_request, code, message, reason",
    [
        (request("BUY", "LIMIT", quantity="1", price="50000", time_in_force="GTC"), -2010,
         "Account has insufficient balance for requested action.", "INSUFFICIENT_BALANCES"),
        (request("SELL", "MARKET", quantity="0.2"), -2010,
         "Account has insufficient balance for requested action.", "INSUFFICIENT_BALANCES"),
        (request("BUY", "LIMIT_MAKER", quantity="0.01", price="50001"), -2010,
         "Order would immediately match and take.", "WOULD_MATCH_IMMEDIATELY"),
        (request("SELL", "LIMIT_MAKER", quantity="0.01", price="49999"), -2010,
         "Order would immediately match and take.", "WOULD_MATCH_IMMEDIATELY"),
        (request("SELL", "STOP_LOSS", quantity="0.01", stop_price="50000"), -2010,
         "Order would trigger immediately.", "STOP_PRICE_WOULD_TRIGGER_IMMEDIATELY"),
        (request("BUY", "STOP_LOSS", quantity="0.01", stop_price="49000"), -2010,
         "Order would trigger immediately.", "STOP_PRICE_WOULD_TRIGGER_IMMEDIATELY"),
        (request("BUY", "TAKE_PROFIT", quantity="0.01", stop_price="50001"), -2010,
         "Order would trigger immediately.", "STOP_PRICE_WOULD_TRIGGER_IMMEDIATELY"),
        (request("SELL", "TAKE_PROFIT_LIMIT", quantity="0.01", stop_price="49999", price="49999",
                 time_in_force="GTC"), -2010, "Order would trigger immediately.", "STOP_PRICE_WOULD_TRIGGER_IMMEDIATELY"),
        (request("BUY", "LIMIT", quantity="0.001", price="50000.005", time_in_force="GTC"), -1013,
         "Filter failure: PRICE_FILTER", "NONE"),
        (OrderRequest("DOGEUSDT", "BUY", "MARKET", quantity="1"), -1121, "Invalid symbol.", "NONE"),
    ],
)
async def test_rejections_leave_balances_untouched(order_request, code, message, reason):
    exchange = make_exchange()
    before = exchange.balances_now(ACCOUNT)
    with pytest.raises(OrderRejected) as caught:
        await exchange.submit(ACCOUNT, order_request)
    assert (caught.value.code, caught.value.message, caught.value.reason.value) == (code, message, reason)
    assert exchange.balances_now(ACCOUNT) == before
    assert await exchange.open_orders(ACCOUNT) == []


async def test_open_order_limits_per_symbol():
    exchange = make_exchange(starting_balances={"USDT": D("1000000"), "BTC": D("10")})
    for index in range(5):
        await exchange.submit(ACCOUNT, request("SELL", "STOP_LOSS", quantity="0.001", stop_price=str(40000 + index)))
    with pytest.raises(OrderRejected) as caught:
        await exchange.submit(ACCOUNT, request("SELL", "STOP_LOSS", quantity="0.001", stop_price="39000"))
    assert caught.value.message == "Filter failure: MAX_NUM_ALGO_ORDERS"
    for index in range(195):
        await exchange.submit(ACCOUNT, request("BUY", "LIMIT", quantity="0.001", price=str(45000 + index),
                                               time_in_force="GTC"))
    with pytest.raises(OrderRejected) as caught:
        await exchange.submit(ACCOUNT, request("BUY", "LIMIT", quantity="0.001", price="44000", time_in_force="GTC"))
    assert caught.value.message == "Filter failure: MAX_NUM_ORDERS"


async def test_resting_order_waits_for_queue_ahead_then_fills_partially():
    exchange = make_exchange()
    placed = await exchange.submit(ACCOUNT, request("BUY", "LIMIT", quantity="0.05", price="49999", time_in_force="GTC"))
    assert placed.status is OrderStatus.NEW  # 0.02 displayed ahead of us at 49999
    exchange.on_trade(trade("49999", "0.015", 2))
    order = await exchange.query_order(ACCOUNT, SYMBOL, placed.client_order_id)
    assert order.executed_quantity == 0
    exchange.on_trade(trade("49999", "0.015", 3))  # 0.005 eats the rest of the queue, 0.01 is ours
    order = await exchange.query_order(ACCOUNT, SYMBOL, placed.client_order_id)
    assert order.executed_quantity == D("0.01") and order.status is OrderStatus.PARTIALLY_FILLED
    exchange.on_trade(trade("49990", "0.03", 4))  # traded through: up to the print's size, at our price
    order = await exchange.query_order(ACCOUNT, SYMBOL, placed.client_order_id)
    assert order.executed_quantity == D("0.04") and order.average_price == D("49999")
    fills = exchange.fills(ACCOUNT)
    assert all(f.is_maker for f in fills[-2:])


async def test_print_above_a_buy_limit_fills_nothing():
    exchange = make_exchange()
    placed = await exchange.submit(ACCOUNT, request("BUY", "LIMIT", quantity="0.01", price="49000", time_in_force="GTC"))
    exchange.on_trade(trade("49000.01", "5", 2))
    assert (await exchange.query_order(ACCOUNT, SYMBOL, placed.client_order_id)).executed_quantity == 0


async def test_stop_limit_triggers_on_last_price_then_rests_after_a_gap():
    exchange = make_exchange()
    placed = await exchange.submit(
        ACCOUNT, request("SELL", "STOP_LOSS_LIMIT", quantity="0.01", stop_price="49500", price="49400",
                         time_in_force="GTC"))
    assert not placed.is_working and placed.working_time_ms == -1
    exchange.on_book(book(bids=[("49000", "1")], asks=[("49100", "1")]))  # gap below the limit
    exchange.on_trade(trade("49050", "0.1", 2))
    order = await exchange.query_order(ACCOUNT, SYMBOL, placed.client_order_id)
    assert order.is_working and order.status is OrderStatus.NEW and order.executed_quantity == 0


async def test_stop_market_triggers_and_fills_at_book_prices():
    exchange = make_exchange()
    placed = await exchange.submit(ACCOUNT, request("BUY", "STOP_LOSS", quantity="0.03", stop_price="50100"))
    exchange.on_trade(trade("50100", "0.001", 2))
    order = await exchange.query_order(ACCOUNT, SYMBOL, placed.client_order_id)
    assert order.status is OrderStatus.FILLED and order.cumulative_quote == D("1500.04")
    assert all(b.locked == 0 for b in exchange.balances_now(ACCOUNT).values())


async def test_oco_one_leg_fills_the_other_expires_and_funds_lock_once():
    exchange = make_exchange()
    limit_report, stop_report = await exchange.submit_oco(
        ACCOUNT, OcoRequest(SYMBOL, "SELL", D("0.1"), limit_price=D("51000"), stop_price=D("49000")))
    assert exchange.balances_now(ACCOUNT)["BTC"].locked == D("0.1")  # all the BTC, locked once
    exchange.on_trade(trade("51000.01", "0.04", 2))
    limit_order = await exchange.query_order(ACCOUNT, SYMBOL, limit_report.client_order_id)
    stop_order = await exchange.query_order(ACCOUNT, SYMBOL, stop_report.client_order_id)
    assert limit_order.status is OrderStatus.PARTIALLY_FILLED
    assert stop_order.status is OrderStatus.EXPIRED and stop_order.expiry_reason is ExpiryReason.OCO_TRIGGER
    assert exchange.balances_now(ACCOUNT)["BTC"].locked == D("0.06")


async def test_oco_rejects_bad_price_relationship():
    exchange = make_exchange()
    with pytest.raises(OrderRejected) as caught:
        await exchange.submit_oco(ACCOUNT, OcoRequest(SYMBOL, "SELL", D("0.1"), limit_price=D("49500"),
                                                      stop_price=D("49000")))
    assert caught.value.message == "The relationship of the prices for the orders is not correct."


async def test_self_trade_prevention_expires_own_maker():
    exchange = make_exchange()
    maker = await exchange.submit(ACCOUNT, request("SELL", "LIMIT", quantity="0.01", price="50005", time_in_force="GTC"))
    other_account = await exchange.submit(8, request("SELL", "LIMIT", quantity="0.01", price="50005",
                                                      time_in_force="GTC"))
    events = []
    exchange.add_listener(events.append)
    # 0.05 of the public book is better than 50005: the taker reaches its own order after that
    await exchange.submit(ACCOUNT, request("BUY", "LIMIT", quantity="0.06", price="50005", time_in_force="GTC"))
    mine = await exchange.query_order(ACCOUNT, SYMBOL, maker.client_order_id)
    assert mine.status is OrderStatus.EXPIRED_IN_MATCH
    assert (await exchange.query_order(8, SYMBOL, other_account.client_order_id)).status is OrderStatus.NEW
    prevention = [e for e in events if isinstance(e, ExecutionReport)
                  and e.execution_type is ExecutionType.TRADE_PREVENTION]
    assert len(prevention) == 1 and prevention[0].prevented_quantity == D("0.01")


async def test_cancel_releases_funds_and_unknown_cancel_is_2011():
    exchange = make_exchange()
    placed = await exchange.submit(ACCOUNT, request("BUY", "LIMIT", quantity="0.01", price="49000", time_in_force="GTC"))
    assert exchange.balances_now(ACCOUNT)["USDT"].locked == D("490")
    report = await exchange.cancel(ACCOUNT, SYMBOL, client_order_id=placed.client_order_id)
    assert report.status is OrderStatus.CANCELED and report.original_client_order_id == placed.client_order_id
    assert exchange.balances_now(ACCOUNT)["USDT"] == exchange.balances_now(ACCOUNT)["USDT"].__class__(
        "USDT", D("10000"), D("0"))
    with pytest.raises(OrderNotFound) as caught:
        await exchange.cancel(ACCOUNT, SYMBOL, client_order_id=placed.client_order_id)
    assert (caught.value.code, caught.value.message) == (-2011, "Unknown order sent.")
    with pytest.raises(OrderNotFound) as caught:
        await exchange.query_order(ACCOUNT, SYMBOL, "never-sent")
    assert (caught.value.code, caught.value.message) == (-2013, "Order does not exist.")


async def test_reports_stream_and_balance_updates():
    exchange = make_exchange()
    async with exchange.reports(ACCOUNT) as stream:
        await exchange.submit(ACCOUNT, request("BUY", "MARKET", quantity="0.03"))
        kinds = [await stream.__anext__() for _ in range(4)]
    assert [k.execution_type for k in kinds[:3]] == [ExecutionType.NEW, ExecutionType.TRADE, ExecutionType.TRADE]
    assert kinds[1].status is OrderStatus.PARTIALLY_FILLED and kinds[2].status is OrderStatus.FILLED
    assert kinds[2].cumulative_quantity == D("0.03") and kinds[2].trade_id > kinds[1].trade_id
    assert isinstance(kinds[3], BalanceUpdate)
    assert {b.asset for b in kinds[3].balances} == {"BTC", "USDT"}


async def test_duplicate_client_order_id_and_reset_wallet():
    exchange = make_exchange()
    await exchange.submit(ACCOUNT, request("BUY", "LIMIT", quantity="0.01", price="49000", time_in_force="GTC",
                                           client_order_id="mine-1"))
    with pytest.raises(OrderRejected) as caught:
        await exchange.submit(ACCOUNT, request("BUY", "LIMIT", quantity="0.01", price="49000",
                                               time_in_force="GTC", client_order_id="mine-1"))
    assert caught.value.message == "Duplicate order sent."
    await exchange.reset_wallet(ACCOUNT)
    assert await exchange.open_orders(ACCOUNT) == []
    assert exchange.balances_now(ACCOUNT)["USDT"].free == D("10000")


async def test_market_event_dispatch_and_fill_quality():
    exchange = make_exchange()
    exchange.on_market_event(STANDARD_BOOK)
    report = await exchange.submit(ACCOUNT, request("BUY", "MARKET", quantity="0.04"))
    quality = exchange.fill_quality(ACCOUNT, SYMBOL, report.client_order_id)
    assert quality.arrival_price == D("50001")
    assert quality.average_price == D("2000.06") / D("0.04")
    assert quality.slippage_bps == (D("50001.5") - D("50001")) / D("50001") * 10000  # exact, not to 0.01 bps
    assert quality.fill_ratio == 1 and quality.time_to_fill_ms == 0


async def test_a_market_buy_by_total_spends_the_total_less_under_one_step():
    """quoteOrderQty (the form's "by Total"): the venue spends up to the total in whole steps of
    the base asset, as Binance does (it never breaks LOT_SIZE); 50 USDT at ~97,076 buys 0.00051 BTC
    for 49.51, short of 50 by less than one 0.00001 BTC step (0.97 USDT). Across several levels
    too: each level's take is floored, but what one leaves is spent at the next."""
    for asks in ([("97076.28", "1")], [("97076.28", "0.00007"), ("97076.50", "0.00023"), ("97077.10", "1")]):
        exchange = make_exchange(starting_balances={"USDT": D("10000"), "BTC": D("0.1")})
        exchange.on_book(book(bids=[("97075.00", "0.5")], asks=asks))
        exchange.on_trade(trade("97076.28", "0.001", trade_id=5))
        report = await exchange.submit(ACCOUNT, request("BUY", "MARKET", quote_order_qty="50"))
        step_worth = D("0.00001") * D(asks[-1][0])
        assert report.status is OrderStatus.FILLED and report.cumulative_quantity == D("0.00051")
        assert D(50) - step_worth < report.cumulative_quote <= D(50), report.cumulative_quote
        assert exchange.balances_now(ACCOUNT)["USDT"].free == D(10000) - report.cumulative_quote  # no more, no less
