"""Sign-up, log-in and log-out for scripts (Bearer token) and the browser (HttpOnly cookie)."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response, status
from pydantic import BaseModel, Field

from numatix.api.deps import Accounts, CurrentUser, client_address, request_token
from numatix.services import runtime
from numatix.services.accounts import SESSION_COOKIE, SignedIn, UserView

router = APIRouter(prefix="/api/auth", tags=["auth"])


class RegisterBody(BaseModel):
    email: str = Field(max_length=254)
    password: str = Field(max_length=1024)
    binanceApiKey: str | None = Field(default=None, max_length=128)
    binanceSecretKey: str | None = Field(default=None, max_length=4096)


class LoginBody(BaseModel):
    email: str = Field(max_length=254)
    password: str = Field(max_length=1024)


def user_json(user: UserView) -> dict:
    return {"id": user.id, "email": user.email, "venue": user.venue.value}


def signed_in_json(signed_in: SignedIn) -> dict:
    return {"token": signed_in.token, "user": user_json(signed_in.user)}


@router.post("/register", status_code=status.HTTP_201_CREATED, summary="Create an account; returns a token")
async def register(body: RegisterBody, request: Request, service: Accounts) -> dict:
    signed_in = await service.register(
        body.email, body.password, request.headers.get("user-agent", ""),
        api_key=body.binanceApiKey, secret=body.binanceSecretKey,
    )
    return signed_in_json(signed_in)


@router.post("/login", summary="Exchange email and password for a token")
async def login(body: LoginBody, request: Request, service: Accounts) -> dict:
    signed_in = await service.log_in(body.email, body.password, client_address(request),
                                     request.headers.get("user-agent", ""))
    return signed_in_json(signed_in)


@router.post("/logout", status_code=status.HTTP_204_NO_CONTENT, summary="End this token's session")
def logout(request: Request, service: Accounts) -> Response:
    service.log_out(request_token(request))
    response = Response(status_code=status.HTTP_204_NO_CONTENT)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.get("/me", summary="The signed-in user")
def me(user: CurrentUser) -> dict:
    return user_json(user)


@router.post("/browser-session", status_code=status.HTTP_204_NO_CONTENT, include_in_schema=False)
def browser_session(request: Request, user: CurrentUser) -> Response:
    """The log-in page hands its fresh token here once; from then on the browser holds it
    only as an HttpOnly cookie that page scripts cannot read."""
    token = request_token(request) or ""
    response = Response(status_code=status.HTTP_204_NO_CONTENT)
    response.set_cookie(
        SESSION_COOKIE, token, max_age=runtime.current().settings.session_ttl_seconds, path="/", httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
    )
    return response
