"""Column types that keep money exact on every database."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import Numeric, String
from sqlalchemy.types import TypeDecorator

from numatix.domain.values import without_trailing_zeros


class DecimalColumn(TypeDecorator):
    """NUMERIC(38, 18) on PostgreSQL; on SQLite, whose NUMERIC is a float, exact text.

    Values come back as ``Decimal`` on both, normalised so ``1.50`` and ``1.5`` compare equal
    and print without exponent.
    """

    impl = Numeric(38, 18)
    cache_ok = True

    def load_dialect_impl(self, dialect):
        if dialect.name == "sqlite":
            return dialect.type_descriptor(String(64))
        return dialect.type_descriptor(Numeric(38, 18, asdecimal=True))

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if isinstance(value, float):
            raise TypeError("money must be Decimal, not float")
        value = Decimal(value)
        if dialect.name == "sqlite":
            return format(value, "f")
        return value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return without_trailing_zeros(Decimal(value))
