"""The event socket's message bodies (the REST answers are the models in ``api.models``):
amounts as decimal strings, names in the camelCase of the original platform's contract."""

from __future__ import annotations

from numatix.api.models import AlertOut, amount, recorded
from numatix.domain.events import BalanceUpdate, ExecutionReport
from numatix.services.alerts import AlertView


def order_update(report: ExecutionReport) -> dict:
    """The event socket's ORDER_UPDATE data: the contract's fields first, then the rest."""
    return {
        "orderId": report.venue_order_id, "status": report.status.value, "symbol": report.symbol,
        "side": report.side.value, "quantity": recorded(report.quantity), "price": recorded(report.price),
        "clientOrderId": report.original_client_order_id or report.client_order_id,
        "type": report.order_type.value, "executionType": report.execution_type.value,
        "executedQty": recorded(report.cumulative_quantity),
        "cummulativeQuoteQty": recorded(report.cumulative_quote),
        "lastQty": recorded(report.last_quantity), "lastPrice": recorded(report.last_price),
        "commission": recorded(report.commission), "commissionAsset": report.commission_asset,
        "tradeId": report.trade_id if report.trade_id >= 0 else None,
        "rejectReason": report.reject_reason.value, "timestamp": report.event_time_ms,
    }


def balance_update(update: BalanceUpdate) -> dict:
    return {"balances": [{"asset": b.asset, "free": amount(b.free), "locked": amount(b.locked)}
                         for b in update.balances], "timestamp": update.event_time_ms}


def alert(a: AlertView) -> dict:
    return AlertOut.of(a).model_dump()
