"""The event socket route; the protocol lives in ``numatix.api.socket``."""

from __future__ import annotations

from fastapi import APIRouter, WebSocket

from numatix.api import socket
from numatix.services import runtime

router = APIRouter(tags=["events"])


@router.websocket("/ws/prices")
@router.websocket("/prices")  # where the original platform served it (on its own port)
async def prices(websocket: WebSocket) -> None:
    """``/ws/prices?token=<jwt>[&symbols=BTCUSDT,ETHUSDT]``: see numatix/api/socket.py for the messages."""
    await socket.serve(websocket, runtime.current())
