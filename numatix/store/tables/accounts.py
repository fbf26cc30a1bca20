"""Users, their server-side sessions and their exchange keys.

A session row is what a token's ``sid`` points at: deleting or revoking it ends that
token at once, whatever its expiry says. Exchange keys are stored sealed by the vault
(the sealed text carries the id of the key that sealed it, for rotation).
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, ForeignKey, Integer
from sqlmodel import Field, SQLModel


class UserRow(SQLModel, table=True):
    __tablename__ = "app_user"

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=254, unique=True, index=True)
    password_hash: str = Field(max_length=255)
    venue: str = Field(default="paper", max_length=32)
    created_time_ms: int = Field(sa_type=BigInteger)
    password_changed_ms: int = Field(sa_type=BigInteger)


class SessionRow(SQLModel, table=True):
    __tablename__ = "user_session"

    id: str = Field(primary_key=True, max_length=64)
    user_id: int = Field(sa_column=Column(Integer, ForeignKey("app_user.id", ondelete="CASCADE"),
                                          nullable=False, index=True))
    created_time_ms: int = Field(sa_type=BigInteger)
    expires_time_ms: int = Field(sa_type=BigInteger)
    revoked_time_ms: int | None = Field(default=None, sa_type=BigInteger)
    user_agent: str = Field(default="", max_length=255)
    last_seen_ms: int = Field(default=0, sa_type=BigInteger)  # refreshed at most every half minute
    address: str = Field(default="", max_length=64)  # where it was opened from


class ExchangeKeyRow(SQLModel, table=True):
    """One Binance key pair per user: the API key and its secret, both sealed."""

    __tablename__ = "exchange_key"

    user_id: int = Field(sa_column=Column(Integer, ForeignKey("app_user.id", ondelete="CASCADE"),
                                          primary_key=True, autoincrement=False))
    venue: str = Field(max_length=32)
    signature: str = Field(max_length=16)  # HMAC_SHA256 | ED25519
    api_key_sealed: str
    secret_sealed: str
    api_key_hint: str = Field(max_length=32)  # first and last characters, for display
    vault_key_id: str = Field(max_length=32, index=True)
    created_time_ms: int = Field(sa_type=BigInteger)
    checked_time_ms: int = Field(sa_type=BigInteger)
