"""Domain objects as the API's JSON: amounts as decimal strings (never floats), times as
ISO 8601 UTC, names in the camelCase of the original platform's contract."""

from __future__ import annotations

from datetime import datetime, timezone
from decimal import Decimal

from numatix.domain.balances import LedgerEntry
from numatix.domain.events import BalanceUpdate, ExecutionReport
from numatix.domain.orders import Fill, Order
from numatix.services.alerts import AlertView
from numatix.services.portfolio import BalanceView, PositionView


def amount(value: Decimal | None) -> str | None:
    return None if value is None else format(value, "f")


def iso_time(time_ms: int | None) -> str | None:
    if time_ms is None or time_ms < 0:
        return None
    return datetime.fromtimestamp(time_ms / 1000, tz=timezone.utc).isoformat(timespec="milliseconds").replace(
        "+00:00", "Z")


def order(o: Order) -> dict:
    return {
        "orderId": o.venue_order_id,
        "clientOrderId": o.client_order_id,
        "symbol": o.symbol,
        "side": o.side.value,
        "type": o.order_type.value,
        "timeInForce": o.time_in_force.value,
        "quantity": amount(o.quantity),
        "price": amount(o.price),
        "stopPrice": amount(o.stop_price),
        "quoteOrderQty": amount(o.quote_order_qty),
        "status": o.status.value,
        "executedQty": amount(o.executed_quantity),
        "cummulativeQuoteQty": amount(o.cumulative_quote),
        "averagePrice": amount(o.average_price),
        "orderListId": o.order_list_id,
        "createdAt": iso_time(o.created_time_ms),
        "updatedAt": iso_time(o.update_time_ms),
    }


def fill(f: Fill) -> dict:
    return {
        "tradeId": f.trade_id, "orderId": f.venue_order_id, "clientOrderId": f.client_order_id,
        "symbol": f.symbol, "side": f.side.value, "price": amount(f.price), "quantity": amount(f.quantity),
        "quoteQuantity": amount(f.quote_quantity), "commission": amount(f.commission),
        "commissionAsset": f.commission_asset, "isMaker": f.is_maker, "time": iso_time(f.time_ms),
    }


def position(p: PositionView) -> dict:
    pnl = p.unrealized_pnl
    percent = p.unrealized_pnl_percent
    return {
        "symbol": p.symbol, "side": p.side, "quantity": amount(p.quantity),
        "entryPrice": amount(p.average_entry_price), "currentPrice": amount(p.last_price),
        "pnl": amount(pnl), "pnlPercent": amount(percent.quantize(Decimal("0.01"))) if percent is not None else None,
        "unrealizedPnl": amount(pnl), "realizedPnl": amount(p.realized_pnl), "feesInQuote": amount(p.fees_in_quote),
    }


def balance(b: BalanceView) -> dict:
    return {"asset": b.asset, "free": amount(b.free), "locked": amount(b.locked), "total": amount(b.total),
            "valueUsdt": amount(b.value_usdt)}


def alert(a: AlertView) -> dict:
    return {"id": a.id, "symbol": a.symbol, "direction": a.direction, "price": amount(a.price),
            "active": a.active, "createdAt": iso_time(a.created_time_ms), "triggeredAt": iso_time(a.triggered_time_ms),
            "triggeredPrice": amount(a.triggered_price)}


def ledger_entry(entry: LedgerEntry) -> dict:
    return {"time": iso_time(entry.time_ms), "kind": entry.kind,
            "before": {k: amount(v) for k, v in entry.balances_before.items()},
            "after": {k: amount(v) for k, v in entry.balances_after.items()}}


def order_update(report: ExecutionReport) -> dict:
    """The event socket's ORDER_UPDATE data: the contract's fields first, then the rest."""
    return {
        "orderId": report.venue_order_id, "status": report.status.value, "symbol": report.symbol,
        "side": report.side.value, "quantity": amount(report.quantity), "price": amount(report.price),
        "clientOrderId": report.original_client_order_id or report.client_order_id,
        "type": report.order_type.value, "executionType": report.execution_type.value,
        "executedQty": amount(report.cumulative_quantity), "cummulativeQuoteQty": amount(report.cumulative_quote),
        "lastQty": amount(report.last_quantity), "lastPrice": amount(report.last_price),
        "commission": amount(report.commission), "commissionAsset": report.commission_asset,
        "tradeId": report.trade_id if report.trade_id >= 0 else None,
        "rejectReason": report.reject_reason.value, "timestamp": report.event_time_ms,
    }


def balance_update(update: BalanceUpdate) -> dict:
    return {"balances": [{"asset": b.asset, "free": amount(b.free), "locked": amount(b.locked)}
                         for b in update.balances], "timestamp": update.event_time_ms}
