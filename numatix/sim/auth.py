"""Who is asking, and is the request theirs and fresh? Binance's three checks.

1. API key (``X-MBX-APIKEY``, or ``apiKey`` on the WebSocket API): missing or malformed is
   -2014, unknown is -2015, both HTTP 401.
2. Signature: REST signs the raw wire bytes (query string as sent, then the raw body with
   no separator, each without its ``signature=`` piece); the WebSocket API signs its params
   sorted by name. Tampered: -1022.
3. Time: ``timestamp`` (ms, or µs when it is that large) must not be 1000 ms or more ahead
   of the server and not older than ``recvWindow`` (default 5000, at most 60000): -1021.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from decimal import Decimal

from numatix.exchange.binance.signing import ws_payload
from numatix.sim import errors
from numatix.sim.keys import KeyStore, SimKey, is_well_formed_api_key
from numatix.sim.params import Params

DEFAULT_RECV_WINDOW_MS = Decimal(5000)
MAX_RECV_WINDOW_MS = Decimal(60000)
AHEAD_LIMIT_MS = 1000
MICROSECONDS_ABOVE = 10**14  # a millisecond epoch stays below this until the year 5138


def without_signature(raw: str) -> tuple[str, bool]:
    """The raw ``k=v&..`` text minus its ``signature=`` piece; True if there was one."""
    if not raw:
        return raw, False
    pieces = raw.split("&")
    kept = [piece for piece in pieces if not piece.startswith("signature=")]
    return "&".join(kept), len(kept) != len(pieces)


def rest_signed_payload(raw_query: str, raw_body: str) -> str:
    query, _ = without_signature(raw_query)
    body, _ = without_signature(raw_body)
    return query + body


class Authenticator:
    def __init__(self, keys: KeyStore, now_ms: Callable[[], int]) -> None:
        self.keys = keys
        self._now_ms = now_ms

    def key(self, api_key: str | None) -> SimKey:
        if not api_key or not is_well_formed_api_key(api_key):
            raise errors.api_key_format()
        key = self.keys.lookup(api_key)
        if key is None:
            raise errors.api_key_rejected()
        return key

    def check_rest(self, key: SimKey, params: Params, raw_query: str, raw_body: str) -> None:
        signature = params.text("signature")
        if signature is None:
            raise errors.mandatory("signature")
        self.check_timestamp(params)
        if not key.verify(rest_signed_payload(raw_query, raw_body), signature):
            raise errors.bad_signature()

    def check_ws(self, raw_params: Mapping[str, object], params: Params) -> SimKey:
        """A signed WebSocket API request: the key and signature travel in ``params``."""
        key = self.key(params.text("apiKey"))
        signature = params.text("signature")
        if signature is None:
            raise errors.mandatory("signature")
        self.check_timestamp(params)
        if not key.verify(ws_payload(raw_params), signature):
            raise errors.bad_signature()
        return key

    def check_timestamp(self, params: Params) -> None:
        timestamp = params.integer("timestamp")
        if timestamp is None:
            raise errors.mandatory("timestamp")
        window = params.decimal("recvWindow")
        if window is None:
            window = DEFAULT_RECV_WINDOW_MS
        elif window > MAX_RECV_WINDOW_MS or window <= 0 or window != window.quantize(Decimal("0.001")):
            raise errors.invalid_parameter("recvWindow")
        now = Decimal(self._now_ms())
        sent = Decimal(timestamp)
        if timestamp >= MICROSECONDS_ABOVE:
            sent /= 1000
        if sent >= now + AHEAD_LIMIT_MS:
            raise errors.timestamp_ahead()
        if now - sent > window:
            raise errors.outside_recv_window()
