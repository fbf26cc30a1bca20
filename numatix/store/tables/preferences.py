"""What a user chose to keep between visits (favourite symbols, chart indicators): one JSON value per name."""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, ForeignKey, Integer, Text
from sqlmodel import Field, SQLModel


class PreferenceRow(SQLModel, table=True):
    __tablename__ = "user_preference"

    user_id: int = Field(sa_column=Column(Integer, ForeignKey("app_user.id", ondelete="CASCADE"),
                                          primary_key=True, autoincrement=False))
    name: str = Field(primary_key=True, max_length=40)
    value: str = Field(sa_column=Column(Text, nullable=False))  # JSON
    updated_time_ms: int = Field(sa_type=BigInteger)
