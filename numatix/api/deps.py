"""Who is calling: a Bearer token (scripts) or the HttpOnly session cookie (the browser)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from numatix.services import runtime
from numatix.services.accounts import SESSION_COOKIE, AccountService, UserView
from numatix.services.errors import AuthenticationRequired


def accounts() -> AccountService:
    return runtime.current().accounts


def request_token(request: Request) -> str | None:
    authorization = request.headers.get("authorization", "")
    scheme, _, credentials = authorization.partition(" ")
    if scheme.lower() == "bearer" and credentials.strip():
        return credentials.strip()
    return request.cookies.get(SESSION_COOKIE) or None


async def current_user(request: Request, service: Annotated[AccountService, Depends(accounts)]) -> UserView:
    return await service.authenticate(request_token(request))


async def signed_in_user(request: Request,
                         service: Annotated[AccountService, Depends(accounts)]) -> UserView | None:
    """For public data that depends on who asks: None for a caller without a live session."""
    try:
        return await service.authenticate(request_token(request))
    except AuthenticationRequired:
        return None


def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


CurrentUser = Annotated[UserView, Depends(current_user)]
MaybeUser = Annotated[UserView | None, Depends(signed_in_user)]
Accounts = Annotated[AccountService, Depends(accounts)]


async def api_rate_limit(request: Request, service: Annotated[AccountService, Depends(accounts)]) -> None:
    await service.count_api_request(request_token(request), client_address(request))


def services() -> runtime.Runtime:
    return runtime.current()


Services = Annotated[runtime.Runtime, Depends(services)]
