"""Log in, listen to the event socket, place an order over REST and print what happens.

    .venv/bin/python examples/trade.py --email you@example.com --password '...' [--url http://localhost:3000]

Needs only httpx and websockets (both in requirements.txt). Signs up first if the account
does not exist yet.
"""

from __future__ import annotations

import argparse
import asyncio
import json

import httpx
import websockets


async def session_token(http: httpx.AsyncClient, email: str, password: str) -> str:
    answer = await http.post("/api/auth/login", json={"email": email, "password": password})
    if answer.status_code == 401:  # no such account yet (or a wrong password): try signing up
        answer = await http.post("/api/auth/register", json={"email": email, "password": password})
    if answer.is_error:
        raise SystemExit(f"could not log in: {answer.json()['error']['message']}")
    return answer.json()["token"]


async def print_events(url: str, token: str, order_placed: asyncio.Event) -> None:
    socket_url = url.replace("http", "ws", 1) + f"/ws/prices?token={token}&symbols=BTCUSDT"
    async with websockets.connect(socket_url) as events:
        async for raw in events:
            event = json.loads(raw)
            data = event["data"]
            if event["type"] == "CONNECTED":
                print(f"connected as {data['email']}")
                order_placed.set()
            elif event["type"] == "PRICE_UPDATE":
                print(f"  {data['symbol']} {data['price']}")
            elif event["type"] == "ORDER_UPDATE":
                print(f"order {data['orderId']} {data['status']}: {data['executedQty']} of {data['quantity']}")
                if data["status"] in ("FILLED", "CANCELED", "EXPIRED", "REJECTED"):
                    return


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--url", default="http://localhost:3000")
    parser.add_argument("--email", required=True)
    parser.add_argument("--password", required=True)
    arguments = parser.parse_args()
    async with httpx.AsyncClient(base_url=arguments.url, timeout=10) as http:
        token = await session_token(http, arguments.email, arguments.password)
        connected = asyncio.Event()
        listener = asyncio.create_task(print_events(arguments.url, token, connected))
        await connected.wait()
        order = {"symbol": "BTCUSDT", "side": "BUY", "type": "MARKET", "quantity": "0.001"}
        placed = await http.post("/api/trading/orders", json=order, headers={"Authorization": f"Bearer {token}"})
        print("placed:", placed.json())
        await asyncio.wait_for(listener, 30)
        balance = await http.get("/api/trading/balance", headers={"Authorization": f"Bearer {token}"})
        for row in balance.json()["balances"]:
            print(f"{row['asset']:>5} free {row['free']} locked {row['locked']}")


if __name__ == "__main__":
    asyncio.run(main())
