"""Admission: every check an order passes before anything changes, and its entry into the book.

A mixin of ``PaperCore`` (which provides ``markets``, ``wallet()``, the id counters and the
order indexes); kept apart so the engine module stays about matching and settlement.
"""

from __future__ import annotations

from collections.abc import Hashable
from decimal import Decimal
from typing import TYPE_CHECKING

from numatix.domain import errors
from numatix.domain.balances import Wallet
from numatix.domain.enums import ExecutionType, OrderType, Side
from numatix.domain.errors import OrderRejected
from numatix.domain.guidance import would_take_hint
from numatix.domain.orders import Order
from numatix.domain.requests import OrderRequest
from numatix.domain.sizing import Funds, funds_to_lock
from numatix.domain.triggers import check_trigger
from numatix.exchange.paper import matching
from numatix.exchange.paper.state import OpenOrder, Reservation, SymbolMarket
from numatix.exchange.paper.store import PaperStore
from numatix.exchange.paper.timing import Clock


class AdmissionMixin:
    # The host's state this mixin reads and writes: PaperCore sets each of these in __init__.
    markets: dict[str, SymbolMarket]
    _store: PaperStore
    _clock: Clock
    _last_order_id: int
    _open: dict[int, OpenOrder]
    _by_client_id: dict[tuple[Hashable, str, str], OpenOrder]
    _counts: dict[tuple[Hashable, str], list[int]]  # [open, untriggered algo]

    if TYPE_CHECKING:  # the host's methods this mixin calls
        def wallet(self, account: Hashable) -> Wallet: ...

        def _report(self, entry: OpenOrder, kind: ExecutionType) -> None: ...

    def _market(self, symbol: str) -> SymbolMarket:
        market = self.markets.get(symbol)
        if market is None:
            raise OrderRejected(errors.INVALID_SYMBOL, errors.MSG_INVALID_SYMBOL)
        return market

    def _check(
        self, account: Hashable, request: OrderRequest, extra_open: int = 0
    ) -> tuple[str, SymbolMarket, tuple[str, Decimal]]:
        """Every rejection happens here, before anything changes."""
        request.validate()
        market = self._market(request.symbol)
        client_order_id = request.client_order_id
        if client_order_id is None:
            client_order_id = f"paper_{self._last_order_id + 1 + extra_open}"
        elif (account, request.symbol, client_order_id) in self._by_client_id:
            raise OrderRejected(errors.NEW_ORDER_REJECTED, errors.MSG_DUPLICATE_ORDER)
        open_count, algo_count = self._counts.get((account, request.symbol), (0, 0))
        reference = market.reference_price(self._clock.now_ms())
        market.filters.validate(request, reference, open_count + extra_open, algo_count)
        self._check_type_rules(account, request, market)
        plan = self._reservation_plan(request, market)
        if not self.wallet(account).can_lock(*plan):
            funds = Funds(*plan)
            raise errors.insufficient_balance(funds.shortfall_hint(self.wallet(account).free(funds.asset)))
        return client_order_id, market, plan

    def _check_type_rules(self, account: Hashable, request: OrderRequest, market: SymbolMarket) -> None:
        side, best = request.side, market.best(request.side.opposite)
        maker = request.order_type is OrderType.LIMIT_MAKER
        if maker:  # the account's own orders are in the book too: a post-only order must not meet them
            best = _better(side, best, market.best_resting(side.opposite, account))
        if maker and matching.would_take(side, request.limit_price, best):
            raise OrderRejected(errors.NEW_ORDER_REJECTED, errors.MSG_WOULD_TAKE,
                                errors.RejectReason.WOULD_MATCH_IMMEDIATELY, would_take_hint(side, best))
        check_trigger(request.order_type, side, request.stop_price, market.last_price)

    def _reservation_plan(self, request: OrderRequest, market: SymbolMarket) -> tuple[str, Decimal]:
        """Which asset, and how much of it, the order locks at placement (the domain's rule,
        with this engine's own walk of its book for market orders)."""
        def walk() -> tuple[Decimal, Decimal]:
            estimate = self._preview(request, market)
            return estimate.quantity, estimate.quote

        funds = funds_to_lock(request, market.filters, walk)
        if funds is None:  # validate() has refused every request this could be
            raise errors.mandatory_parameter("quantity")
        return funds.asset, funds.amount

    def _preview(self, request: OrderRequest, market: SymbolMarket) -> matching.Walk:
        book_side = request.side.opposite
        now = self._clock.now_ms()
        return matching.walk_book(
            market.levels(book_side), request.side, market.filters.lot_size.step_size,
            lambda price, shown: market.consumed.available(book_side, price, shown, now),
            request.quantity, request.quote_order_qty,
        )

    def _admit(
        self,
        account: Hashable,
        request: OrderRequest,
        client_order_id: str,
        market: SymbolMarket,
        plan: tuple[str, Decimal],
        list_id: int = -1,
        shared: Reservation | None = None,
    ) -> OpenOrder:
        now = self._clock.now_ms()
        self._last_order_id += 1
        conditional = request.order_type.is_conditional
        order = Order(
            venue_order_id=self._last_order_id, client_order_id=client_order_id,
            symbol=request.symbol, side=request.side, order_type=request.order_type,
            time_in_force=request.effective_time_in_force, quantity=request.quantity,
            price=request.price, stop_price=request.stop_price, quote_order_qty=request.quote_order_qty,
            created_time_ms=now, update_time_ms=now, working_time_ms=-1 if conditional else now,
            is_working=not conditional, order_list_id=list_id,
            self_trade_prevention=request.self_trade_prevention,
            arrival_price=market.arrival_price(request.side),
        )
        if shared is None:
            shared = Reservation(plan[0], plan[1])
            self.wallet(account).lock(*plan)
        entry = OpenOrder(account, order, shared, sequence=order.venue_order_id)
        shared.holders.append(entry)
        self._register(entry)
        self._store.insert_order(entry.record())  # stored before it can match
        self._report(entry, ExecutionType.NEW)
        return entry

    def _register(self, entry: OpenOrder) -> None:
        order = entry.order
        self._open[order.venue_order_id] = entry
        self._by_client_id[(entry.account, order.symbol, order.client_order_id)] = entry
        counts = self._counts.setdefault((entry.account, order.symbol), [0, 0])
        counts[0] += 1
        counts[1] += 1 if not order.is_working else 0


def _better(side: Side, public: Decimal | None, own: Decimal | None) -> Decimal | None:
    """The best of two opposite prices for a ``side`` order (the lower ask for a buy, the higher bid
    for a sell)."""
    if public is None or own is None:
        return public if own is None else own
    return min(public, own) if side is Side.BUY else max(public, own)
