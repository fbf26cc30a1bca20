"""Domain values as plain JSON data and back, driven by type hints: exact (Decimals as
strings, enums by value) and never ``pickle``, so a message between workers cannot run code.

Pure (no I/O): the cluster's engine commands and its market channel both use it, and a new
field on a dataclass needs no codec change. Every worker must run the same code version,
as the field names are the wire format.
"""

from __future__ import annotations

import dataclasses
import enum
import types
import typing
from collections.abc import Hashable
from decimal import Decimal
from functools import cache
from typing import Any


def to_plain(value: object) -> Any:
    """A value made of dicts, lists, strings, numbers, booleans and None."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {field.name: to_plain(getattr(value, field.name)) for field in dataclasses.fields(value)}
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, (tuple, list)):
        return [to_plain(item) for item in value]
    if isinstance(value, (set, frozenset)):
        return sorted(to_plain(item) for item in value)
    if isinstance(value, dict):
        return {str(key): to_plain(item) for key, item in value.items()}
    return value


def from_plain(hint: object, value: Any) -> Any:
    """Rebuild a value of type ``hint`` from what ``to_plain`` made."""
    if value is None:
        return None
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        options = [option for option in typing.get_args(hint) if option is not type(None)]
        return from_plain(options[0], value) if len(options) == 1 else value
    if origin is tuple:
        arguments = typing.get_args(hint)
        if len(arguments) == 2 and arguments[1] is Ellipsis:
            return tuple(from_plain(arguments[0], item) for item in value)
        return tuple(from_plain(item_hint, item) for item_hint, item in zip(arguments, value, strict=True))
    if origin in (list, set, frozenset):
        return origin(from_plain(typing.get_args(hint)[0], item) for item in value)
    if origin is dict:
        value_hint = typing.get_args(hint)[1]
        return {key: from_plain(value_hint, item) for key, item in value.items()}
    if hint is Decimal:
        return Decimal(value)
    if isinstance(hint, type) and issubclass(hint, enum.Enum):
        return hint(value)
    if isinstance(hint, type) and dataclasses.is_dataclass(hint):
        hints = _hints(hint)
        return hint(**{name: from_plain(hints[name], item) for name, item in value.items()})
    if hint in _AS_IS:
        return value
    raise TypeError(f"cannot decode {hint!r}")


_AS_IS = (int, str, bool, Hashable, typing.Hashable, typing.Any, object)


@cache
def _hints(cls: type) -> dict[str, object]:
    return typing.get_type_hints(cls)
