"""The paper engine's synchronous heart: accept, match, settle, report.

Every public method is one *step*: it runs inside a store transaction, and when it ends
the orders it touched and the balances that changed are saved and reported. Checks come
before any change, so a rejected request leaves balances exactly as they were. A step
that fails otherwise (the store refused it, or a bug) reports nothing, since nothing of it
was committed; the core's memory then no longer matches the books, and its owner
replaces it with one restored from the store.
"""

from __future__ import annotations

import contextlib
from collections.abc import Hashable, Iterator, Mapping
from decimal import Decimal

from numatix.domain import errors
from numatix.domain.balances import PAPER_STARTING_BALANCES, Wallet
from numatix.domain.enums import (
    ExecutionType,
    ExpiryReason,
    OrderType,
    Side,
    TimeInForce,
)
from numatix.domain.errors import OrderNotFound
from numatix.domain.events import AccountUncertain, BalanceUpdate, ExecutionReport, PreventedMatch, VenueEvent
from numatix.domain.fees import FeeSchedule
from numatix.domain.filters import SymbolFilters
from numatix.domain.market import BookSnapshot, TradePrint
from numatix.domain.orders import Fill, Order, OrderCanceled, OrderExpired, OrderTriggered
from numatix.domain.requests import OcoRequest, OrderRequest
from numatix.domain.sizing import Funds
from numatix.exchange.paper import matching
from numatix.exchange.paper.admission import AdmissionMixin
from numatix.exchange.paper.prevention import PreventionMixin, affordable
from numatix.exchange.paper.queue import QueuePlace
from numatix.exchange.paper.resting import RestingMixin
from numatix.exchange.paper.state import OpenOrder, Reservation, SymbolMarket
from numatix.exchange.paper.store import WALLET_RESET, LedgerEntry, PaperStore, StoreUnavailable
from numatix.exchange.paper.timing import Clock
from numatix.faults import CANCEL_STORED, FILL_STORED, PLACE_STORED, crash_point

ZERO = Decimal(0)


class PaperCore(AdmissionMixin, RestingMixin, PreventionMixin):
    def __init__(
        self,
        symbols: Mapping[str, SymbolFilters],
        store: PaperStore,
        clock: Clock,
        fees: FeeSchedule = FeeSchedule(),
        starting_balances: Mapping[str, Decimal] = PAPER_STARTING_BALANCES,
        consumption_half_life_ms: int = 2_000,
    ) -> None:
        self.markets = {name: SymbolMarket(f, consumption_half_life_ms) for name, f in symbols.items()}
        self._store = store
        self._clock = clock
        self._fees = fees
        self._starting = dict(starting_balances)
        self._wallets: dict[Hashable, Wallet] = {}
        self._open: dict[int, OpenOrder] = {}
        self._by_client_id: dict[tuple[Hashable, str, str], OpenOrder] = {}
        self._counts: dict[tuple[Hashable, str], list[int]] = {}  # [open, untriggered algo]
        self._outbox: list[VenueEvent] = []
        self._dirty: dict[int, OpenOrder] = {}
        self._touched: set[Hashable] = set()
        self.term = store.claim()  # before reading the books: every older engine's writes are refused now
        self._last_order_id, self._last_trade_id, self._last_list_id = store.max_ids()
        self._restore()

    # ----------------------------------------------------------------- steps
    def place(self, account: Hashable, request: OrderRequest) -> int:
        """Returns the venue order id; the reports are in ``take_events()``."""
        with self._step(PLACE_STORED):
            client_order_id, market, plan = self._check(account, request)
            entry = self._admit(account, request, client_order_id, market, plan)
            self._start(entry, market)
            return entry.order.venue_order_id

    def place_oco(self, account: Hashable, request: OcoRequest) -> tuple[int, int]:
        with self._step(PLACE_STORED):
            market = self._market(request.symbol)
            request.check_price_relationship(market.last_price)
            limit_request, stop_request = request.limit_leg(), request.stop_leg()
            limit_id, _, limit_plan = self._check(account, limit_request)
            stop_id, _, stop_plan = self._check(account, stop_request, extra_open=1)
            plan = (limit_plan[0], max(limit_plan[1], stop_plan[1]))  # one lock for the pair: the dearer leg
            if not self.wallet(account).can_lock(*plan):
                funds = Funds(*plan)
                free = self.wallet(account).free(funds.asset)
                raise errors.insufficient_balance(funds.shortfall_hint(free))
            self._last_list_id += 1
            limit_entry = self._admit(account, limit_request, limit_id, market, plan, self._last_list_id)
            stop_entry = self._admit(
                account, stop_request, stop_id, market, plan, self._last_list_id, limit_entry.reservation
            )
            self._settle_reservation(limit_entry.reservation)
            self._start(limit_entry, market)
            self._start(stop_entry, market)
            return limit_entry.order.venue_order_id, stop_entry.order.venue_order_id

    def cancel(
        self, account: Hashable, symbol: str, client_order_id: str | None, venue_order_id: int | None
    ) -> int:
        with self._step(CANCEL_STORED):
            entry = self._find_open(account, symbol, client_order_id, venue_order_id)
            for target in [entry, *self._siblings(entry)]:
                target.order.apply(OrderCanceled(self._clock.now_ms()))
                cancel_id = f"cancel_{target.order.venue_order_id}"
                self._report(target, ExecutionType.CANCELED,
                             original_client_order_id=target.order.client_order_id,
                             client_order_id=cancel_id)
                self._finish(target)
            return entry.order.venue_order_id

    def cancel_all(self, account: Hashable, symbol: str) -> list[int]:
        entries = [e for e in self._open.values() if e.account == account and e.order.symbol == symbol]
        canceled = []
        for entry in entries:
            if entry.order.is_open:
                canceled.append(self.cancel(account, symbol, None, entry.order.venue_order_id))
        return canceled

    def reset_wallet(self, account: Hashable) -> None:
        for entry in [e for e in self._open.values() if e.account == account]:
            if entry.order.is_open:
                self.cancel(account, entry.order.symbol, None, entry.order.venue_order_id)
        with self._step():
            before = self.wallet(account).balances()
            wallet = Wallet.starting(self._starting)
            self._wallets[account] = wallet
            now = self._clock.now_ms()
            self._store.replace_balances(account, list(wallet.balances().values()))
            self._store.record_ledger(account, LedgerEntry(
                now, WALLET_RESET,
                {asset: b.total for asset, b in before.items()},
                {asset: b.total for asset, b in wallet.balances().items()},
                self._last_trade_id,
            ))
            wallet.take_changed()
            self._outbox.append(BalanceUpdate(account, now, now, tuple(wallet.balances().values())))

    def adopt_market(self, previous: PaperCore) -> None:
        """A replacement core goes on with the market its predecessor saw (not its orders)."""
        for name, market in self.markets.items():
            seen = previous.markets.get(name)
            if seen is not None and seen is not market:
                market.book, market.last_price = seen.book, seen.last_price
                market.average, market.consumed = seen.average, seen.consumed

    def on_book(self, book: BookSnapshot) -> None:
        """A new book: resting orders move up their queues, and fill if it now crosses them.

        Queue estimates are not saved on every book (they would be written ten times a second);
        they are saved with the order's next change, and a restart resumes from the last one saved.
        """
        market = self.markets.get(book.symbol)
        if market is None:
            return
        market.book = book
        crossed = self._queues_on_book(market, book)
        if crossed:
            with self._step():
                self._fill_crossed(market, crossed)

    def on_trade(self, trade: TradePrint) -> None:
        market = self.markets.get(trade.symbol)
        if market is None:
            return
        market.average.add(trade)
        with self._step():
            market.last_price = trade.price
            self._fill_resting(market, trade)
            self._trigger_stops(market, trade.price)

    # --------------------------------------------------------------- queries
    def open_orders(self, account: Hashable, symbol: str | None = None) -> list[Order]:
        return [
            e.order.copy()
            for e in self._open.values()
            if e.account == account and (symbol is None or e.order.symbol == symbol)
        ]

    def open_order(self, account: Hashable, venue_order_id: int) -> Order | None:
        entry = self._open.get(venue_order_id)
        return entry.order.copy() if entry is not None and entry.account == account else None

    def find_order(self, account: Hashable, symbol: str, client_order_id: str) -> Order:
        entry = self._by_client_id.get((account, symbol, client_order_id))
        if entry is not None:
            return entry.order.copy()
        order = self._store.load_order(account, symbol, client_order_id)
        if order is None:
            raise OrderNotFound(errors.NO_SUCH_ORDER, errors.MSG_ORDER_DOES_NOT_EXIST)
        return order

    def wallet(self, account: Hashable) -> Wallet:
        wallet = self._wallets.get(account)
        if wallet is None:
            stored = self._store.load_balances(account)
            if stored is None:
                wallet = Wallet.starting(self._starting)
                self._store.save_balances(account, list(wallet.balances().values()))
            else:
                wallet = Wallet(stored)
            self._wallets[account] = wallet
        self._touched.add(account)
        return wallet

    def take_events(self) -> list[VenueEvent]:
        events, self._outbox = self._outbox, []
        return events

    # ------------------------------------------------------------- matching
    def _start(self, entry: OpenOrder, market: SymbolMarket) -> None:
        if entry.order.is_working:
            self._work(entry, market)
        else:
            market.stops.append(entry)

    def _work(self, entry: OpenOrder, market: SymbolMarket) -> None:
        order = entry.order
        if order.order_type.executes_as_market:
            self._top_up_stop_buy(entry, market)
            walk = self._take(entry, market, None)
            self._end_market_order(entry, walk)
        elif order.order_type is OrderType.LIMIT_MAKER:
            self._rest(entry, market)
        elif order.time_in_force is TimeInForce.FOK and not self._fully_fillable(entry, market):
            self._expire(entry, ExpiryReason.UNFILLED_FOK_ORDER_EXPIRED)
        else:
            self._take(entry, market, order.price)
            if order.is_open and order.time_in_force is TimeInForce.GTC:
                self._rest(entry, market)
            elif order.is_open:
                self._expire(entry, ExpiryReason.UNFILLED_IOC_QUANTITY_EXPIRED)
        self._finish(entry)

    def _fully_fillable(self, entry: OpenOrder, market: SymbolMarket) -> bool:
        order = entry.order
        request = OrderRequest(order.symbol, order.side, OrderType.MARKET, quantity=order.remaining_quantity)
        walk = self._preview(request, market)
        reachable = sum((m.quantity for m in walk.matches
                         if matching.within_limit(order.side, m.price, order.limit_price)), ZERO)
        return reachable >= order.base_remaining

    def _take(self, entry: OpenOrder, market: SymbolMarket, limit_price: Decimal | None) -> matching.Walk:
        """Taker part: walk the book at its prices, consuming what we take; meeting the account's own
        resting orders on the way, self-trade prevention decides (``prevention``)."""
        order = entry.order
        own = self._own_makers(entry, market, limit_price)
        if own and order.quantity is None:  # by quote amount: the size is what the book alone gives
            size = self._walk_public(entry, market, limit_price, None, execute=False)
            if not size.matches or size.exhausted:
                own = []
            else:
                order.size_from_quote(size.quantity)
        matches: list[matching.Match] = []
        walk = matching.Walk((), exhausted=False)
        for maker in [*own, None]:
            if maker is not None and not maker.order.is_open:
                continue
            bound = limit_price if maker is None else maker.order.limit_price
            stop = None if maker is None else (maker.order.limit_price, maker.place.ahead)
            walk = self._walk_public(entry, market, bound, stop)
            matches.extend(walk.matches)
            if maker is None or not order.is_open:
                break
            room = affordable(entry, maker.order.limit_price, market.filters.lot_size.step_size)
            if not self._meet_own(entry, maker, market, room):
                break
        return matching.Walk(tuple(matches), walk.exhausted)

    def _walk_public(self, entry: OpenOrder, market: SymbolMarket, limit_price: Decimal | None,
                     stop: tuple[Decimal, Decimal] | None, execute: bool = True) -> matching.Walk:
        """The public book up to ``limit_price``; at ``stop``'s price only the size ahead of an own order."""
        order = entry.order
        quantity_cap = order.remaining_quantity
        quote_cap = None if order.quote_order_qty is None else order.quote_order_qty - order.cumulative_quote
        if order.side is Side.BUY and order.order_type.executes_as_market:  # a market buy spends its lock
            locked = entry.reservation.amount
            quote_cap = locked if quote_cap is None else min(quote_cap, locked)
        if order.side is Side.SELL and quantity_cap is None:
            quantity_cap = entry.reservation.amount
        book_side = order.side.opposite
        now = self._clock.now_ms()

        def available(price: Decimal, shown: Decimal) -> Decimal:
            free = market.consumed.available(book_side, price, shown, now)
            if stop is not None and price == stop[0]:
                free = min(free, max(ZERO, stop[1] - market.consumed.consumed(book_side, price, now)))
            return free

        walk = matching.walk_book(market.levels(book_side), order.side, market.filters.lot_size.step_size,
                                  available, quantity_cap, quote_cap, limit_price)
        if not execute:
            return walk
        if order.quantity is None and walk.matches and not walk.exhausted:
            order.size_from_quote(walk.quantity)  # quoteOrderQty: the size is what the quote buys
        for match in walk.matches:
            market.consumed.consume(book_side, match.price, match.quantity, now)
            self._execute(entry, market, match.price, match.quantity, is_maker=False)
        return walk

    def _end_market_order(self, entry: OpenOrder, walk: matching.Walk) -> None:
        order = entry.order
        if not order.is_open:
            return
        self._expire(entry, ExpiryReason.INSUFFICIENT_LIQUIDITY)

    def _top_up_stop_buy(self, entry: OpenOrder, market: SymbolMarket) -> None:
        """A triggered buy stop locked qty x stop; slippage may need more, if the account has it."""
        order = entry.order
        if order.side is not Side.BUY or order.order_type is OrderType.MARKET:
            return
        request = OrderRequest(order.symbol, Side.BUY, OrderType.MARKET, quantity=order.remaining_quantity)
        shortfall = self._preview(request, market).quote - entry.reservation.amount
        if shortfall > 0:
            wallet = self.wallet(entry.account)
            extra = min(shortfall, wallet.free(entry.reservation.asset))
            wallet.lock(entry.reservation.asset, extra)
            entry.reservation.amount += extra

    def _trigger_stops(self, market: SymbolMarket, last_price: Decimal) -> None:
        for entry in list(market.stops):
            order = entry.order
            if not order.is_open or not matching.stop_triggered(
                order.order_type, order.side, order.trigger_price, last_price
            ):
                continue
            market.stops.remove(entry)
            self._counts[(entry.account, order.symbol)][1] -= 1
            order.apply(OrderTriggered(self._clock.now_ms()))
            self._report(entry, ExecutionType.NEW)
            self._expire_siblings(entry)
            self._work(entry, market)

    # ------------------------------------------------------------ settlement
    def _execute(self, entry: OpenOrder, market: SymbolMarket, price: Decimal, quantity: Decimal,
                 is_maker: bool) -> None:
        order, filters = entry.order, market.filters
        commission, commission_asset = self._fees.commission(
            order.side, quantity, price, is_maker, filters.base_asset, filters.quote_asset
        )
        self._last_trade_id += 1
        quote = price * quantity
        fill = Fill(self._last_trade_id, order.venue_order_id, order.client_order_id, order.symbol,
                    order.side,
                    price, quantity, quote, commission, commission_asset, is_maker, self._clock.now_ms())
        order.apply(fill)
        wallet, reservation = self.wallet(entry.account), entry.reservation
        spent, received_asset, received = (
            (quote, filters.base_asset, quantity) if order.side is Side.BUY
            else (quantity, filters.quote_asset, quote)
        )
        wallet.spend_locked(reservation.asset, spent)
        reservation.amount -= spent
        wallet.credit(received_asset, received - commission)
        self._store.insert_fill(entry.account, fill)
        crash_point(FILL_STORED)
        self._report(entry, ExecutionType.TRADE, fill=fill)
        self._expire_siblings(entry)

    def _expire(self, entry: OpenOrder, reason: ExpiryReason) -> None:
        entry.order.apply(OrderExpired(self._clock.now_ms(), reason))
        self._report(entry, ExecutionType.EXPIRED)
        self._finish(entry)

    def _siblings(self, entry: OpenOrder) -> list[OpenOrder]:
        return [h for h in entry.reservation.holders if h is not entry and h.order.is_open]

    def _expire_siblings(self, entry: OpenOrder) -> None:
        """OCO: once one leg fills or triggers, the other expires."""
        for sibling in self._siblings(entry):
            self._expire(sibling, ExpiryReason.OCO_TRIGGER)

    def _finish(self, entry: OpenOrder) -> None:
        """After any change: give back funds no longer needed; forget closed orders."""
        self._settle_reservation(entry.reservation)
        self._dirty[entry.order.venue_order_id] = entry
        order = entry.order
        if order.is_open or order.venue_order_id not in self._open:
            return
        del self._open[order.venue_order_id]
        self._by_client_id.pop((entry.account, order.symbol, order.client_order_id), None)
        counts = self._counts[(entry.account, order.symbol)]
        counts[0] -= 1
        if entry in self.markets[order.symbol].stops:
            counts[1] -= 1
        self.markets[order.symbol].remove(entry)

    def _settle_reservation(self, reservation: Reservation) -> None:
        if any(h.order.is_open and h.order.is_working and h.order.order_type.executes_as_market
               for h in reservation.holders):
            return  # a market order is mid-execution: it keeps its funds until it ends
        need = max((h.requirement() for h in reservation.holders), default=ZERO)
        excess = reservation.amount - need
        if excess > 0:
            self.wallet(reservation.holders[0].account).unlock(reservation.asset, excess)
            reservation.amount = need
        for holder in reservation.holders:
            self._dirty[holder.order.venue_order_id] = holder

    # ---------------------------------------------------------------- plumbing
    def _find_open(self, account: Hashable, symbol: str, client_order_id: str | None,
                   venue_order_id: int | None) -> OpenOrder:
        if client_order_id is None and venue_order_id is None:
            raise errors.either_parameter("origClientOrderId", "orderId")
        if venue_order_id is not None:
            entry = self._open.get(venue_order_id)
        elif client_order_id is not None:
            entry = self._by_client_id.get((account, symbol, client_order_id))
        if entry is None or entry.account != account or entry.order.symbol != symbol:
            raise OrderNotFound(errors.CANCEL_REJECTED, errors.MSG_UNKNOWN_ORDER)
        return entry

    def _report(self, entry: OpenOrder, kind: ExecutionType, fill: Fill | None = None,
                original_client_order_id: str = "", client_order_id: str | None = None,
                prevention: PreventedMatch | None = None) -> None:
        time_ms = fill.time_ms if fill is not None else self._clock.now_ms()  # a trade's report: its time
        report = ExecutionReport.from_order(entry.account, entry.order, kind, time_ms, fill,
                                            original_client_order_id, client_order_id, prevention)
        self._outbox.append(report)
        self._dirty[entry.order.venue_order_id] = entry

    @contextlib.contextmanager
    def _step(self, crash_at: str | None = None) -> Iterator[None]:
        reported_before = len(self._outbox)
        try:
            with self._store.transaction():
                yield
                self._flush()
                crash_point(crash_at)  # everything written, nothing committed
        except BaseException as failed:
            unreported = self._outbox[reported_before:]
            del self._outbox[reported_before:]  # nothing of this step was committed: nobody hears of it
            if isinstance(failed, StoreUnavailable) and failed.maybe_committed:
                # ...unless the commit went through and only its answer was lost: then its
                # accounts changed with no report, and who shows them must reload them.
                now = self._clock.now_ms()
                self._outbox += [AccountUncertain(account, now)
                                 for account in dict.fromkeys(event.account for event in unreported)]
            self._dirty.clear()
            self._touched.clear()
            raise

    def _flush(self) -> None:
        for entry in self._dirty.values():
            self._store.update_order(entry.record())
        self._dirty.clear()
        now = self._clock.now_ms()
        for account in self._touched:
            changed = self._wallets[account].take_changed() if account in self._wallets else []
            if changed:
                self._store.save_balances(account, changed)
                self._outbox.append(BalanceUpdate(account, now, now, tuple(changed)))
        self._touched.clear()

    def _restore(self) -> None:
        """Carry on after a restart: open orders, their queue place and locked funds."""
        shared: dict[int, Reservation] = {}
        for record in self._store.load_open_orders():
            order = record.order
            if order.order_list_id >= 0 and order.order_list_id in shared:
                reservation = shared[order.order_list_id]
            else:
                reservation = Reservation(record.reserved_asset, record.reserved_amount)
                if order.order_list_id >= 0:
                    shared[order.order_list_id] = reservation
            entry = OpenOrder(record.account, order, reservation, QueuePlace(ahead=record.queue_ahead),
                              order.venue_order_id)
            reservation.holders.append(entry)
            self._register(entry)
            market = self.markets[order.symbol]
            market.stops.append(entry) if not order.is_working else market.rest(entry)

