"""User events as JSON, for the Redis bus between workers: exact (Decimals as strings,
enums by value) and never ``pickle`` (a message from Redis must not be able to run code).

The dataclasses' own type hints drive the decoding, so a new field needs no codec change.
"""

from __future__ import annotations

import dataclasses
import enum
import json
import types
import typing
from decimal import Decimal
from functools import cache

from numatix.domain.events import BalanceUpdate, ExecutionReport
from numatix.services.alerts import AlertTriggered

KINDS: dict[str, type] = {cls.__name__: cls for cls in (ExecutionReport, BalanceUpdate, AlertTriggered)}


def encode(event: object) -> str:
    return json.dumps({"kind": type(event).__name__, "event": _plain(event)}, separators=(",", ":"))


def decode(text: str | bytes) -> object:
    message = json.loads(text)
    return _build(KINDS[message["kind"]], message["event"])


def _plain(value: object) -> object:
    if dataclasses.is_dataclass(value):
        return {field.name: _plain(getattr(value, field.name)) for field in dataclasses.fields(value)}
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, (tuple, list)):
        return [_plain(item) for item in value]
    return value


@cache
def _hints(cls: type) -> dict[str, object]:
    return typing.get_type_hints(cls)


def _build(cls: type, data: dict) -> object:
    hints = _hints(cls)
    return cls(**{name: _convert(hints[name], value) for name, value in data.items()})


def _convert(hint: object, value: object) -> object:
    if value is None:
        return None
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        options = [option for option in typing.get_args(hint) if option is not type(None)]
        return _convert(options[0], value) if len(options) == 1 else value
    if origin is tuple:
        return tuple(_convert(typing.get_args(hint)[0], item) for item in value)
    if hint is Decimal:
        return Decimal(value)
    if isinstance(hint, type) and issubclass(hint, enum.Enum):
        return hint(value)
    if isinstance(hint, type) and dataclasses.is_dataclass(hint):
        return _build(hint, value)
    return value

