"""Price alerts: list, create, delete. They fire once, on the server, as ALERT_TRIGGERED events."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Path, Response, status
from pydantic import BaseModel, Field

from numatix.api.deps import CurrentUser, Services
from numatix.api.models import AlertOut, AmountIn

router = APIRouter(prefix="/api/alerts", tags=["alerts"])


class AlertBody(BaseModel):
    symbol: str = Field(max_length=20, examples=["BTCUSDT"])
    direction: Literal["above", "below"]
    price: AmountIn = Field(gt=0, examples=["70000"])


@router.get("", summary="Your alerts, newest first (active and fired)")
async def list_alerts(user: CurrentUser, runtime: Services) -> list[AlertOut]:
    return [AlertOut.of(a) for a in await runtime.alerts.of_user(user.id)]


@router.post("", status_code=status.HTTP_201_CREATED,
             summary="Alert me when the price trades above/below a level")
async def create_alert(body: AlertBody, user: CurrentUser, runtime: Services) -> AlertOut:
    return AlertOut.of(await runtime.alerts.create(user.id, body.symbol, body.direction, body.price))


@router.delete("/{alertId}", status_code=status.HTTP_204_NO_CONTENT, summary="Delete one of your alerts")
async def delete_alert(alertId: Annotated[int, Path(ge=1, le=2**63 - 1)], user: CurrentUser,
                       runtime: Services) -> Response:
    await runtime.alerts.delete(user.id, alertId)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
