"""Request parameters as Binance reads them: from the query string and the body.

The body is parsed as a form whatever its Content-Type says (python-binance labels a form
body ``application/json``); on a name present in both, the query wins. A value that is
empty counts as not sent. Numbers are checked against Binance's legal range, so a float
rendered as ``3e-06`` is refused with -1100 exactly as Binance refuses it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from decimal import Decimal
from urllib.parse import parse_qsl

from numatix.sim import errors
from numatix.sim.errors import INTEGER_RANGE, NUMBER_RANGE, SimError

_NUMBER = re.compile(NUMBER_RANGE)
_INTEGER = re.compile(r"^-?[0-9]{1,20}$")
_BOOLEANS = {"true": True, "false": False}


def parse_form(text: str) -> list[tuple[str, str]]:
    """``k=v&..`` pairs, percent-decoded; a piece without ``=`` is a name with an empty value."""
    try:
        return parse_qsl(text, keep_blank_values=True, strict_parsing=False)
    except ValueError:
        raise errors.illegal_characters("body", "form") from None


class Params(Mapping[str, str]):
    """Read-only parameters with Binance's parsing rules for each kind of value."""

    def __init__(self, values: Mapping[str, str]) -> None:
        self._values = dict(values)

    @classmethod
    def from_wire(cls, query: str, body: str = "") -> Params:
        values: dict[str, str] = {}
        for part in (body, query):  # query last, so it wins
            seen: set[str] = set()
            for name, value in parse_form(part):
                if name in seen:
                    raise errors.duplicate_parameter()
                seen.add(name)
                values[name] = value
        return cls(values)

    @classmethod
    def from_json(cls, params: Mapping[str, object]) -> Params:
        """WebSocket API ``params``: numbers arrive as text already (see ws_api.load_request)."""
        return cls({name: _as_text(value) for name, value in params.items()})

    # Mapping protocol
    def __getitem__(self, name: str) -> str:
        return self._values[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)

    # Binance's readers
    def text(self, name: str) -> str | None:
        value = self._values.get(name)
        return value if value not in (None, "") else None

    def required(self, name: str) -> str:
        value = self.text(name)
        if value is None:
            raise errors.mandatory(name)
        return value

    def decimal(self, name: str) -> Decimal | None:
        value = self.text(name)
        if value is None:
            return None
        if not _NUMBER.match(value):
            raise errors.illegal_characters(name, NUMBER_RANGE)
        return Decimal(value)

    def integer(self, name: str, minimum: int | None = None, maximum: int | None = None) -> int | None:
        value = self.text(name)
        if value is None:
            return None
        if not _INTEGER.match(value):
            raise errors.illegal_characters(name, INTEGER_RANGE)
        number = int(value)
        if (minimum is not None and number < minimum) or (maximum is not None and number > maximum):
            raise errors.invalid_parameter(name)
        return number

    def boolean(self, name: str) -> bool | None:
        value = self.text(name)
        if value is None:
            return None
        if value.lower() not in _BOOLEANS:
            raise errors.invalid_parameter(name)
        return _BOOLEANS[value.lower()]

    def choice(self, name: str, allowed: tuple[str, ...]) -> str | None:
        value = self.text(name)
        if value is not None and value not in allowed:
            raise errors.mandatory(name)  # Binance: "... was not sent, was empty/null, or malformed."
        return value

    def json_list(self, name: str) -> list[str] | None:
        """``symbols=["BTCUSDT","ETHUSDT"]`` (URL-encoded JSON array)."""
        value = self.text(name)
        if value is None:
            return None
        try:
            items = json.loads(value)
        except ValueError:
            raise SimError(-1135, f"JSON sent for parameter '{name}' is not valid") from None
        if not isinstance(items, list) or not all(isinstance(item, str) for item in items):
            raise SimError(-1135, f"JSON sent for parameter '{name}' is not valid")
        return items


def _as_text(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return ""
    if isinstance(value, (list, dict)):
        return json.dumps(value, separators=(",", ":"))
    return str(value)
