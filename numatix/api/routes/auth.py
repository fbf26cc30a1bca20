"""Sign-up, log-in and log-out for scripts (Bearer token) and the browser (HttpOnly cookie)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request, Response, status
from pydantic import BaseModel, Field

from numatix.api.deps import Accounts, CurrentUser, client_address, request_token
from numatix.api.models import SessionEndedOut, SessionOut, SignedInOut, UserOut
from numatix.security.devices import DEVICE_COOKIE, DEVICE_COOKIE_SECONDS
from numatix.services import runtime
from numatix.services.accounts import SESSION_COOKIE

router = APIRouter(prefix="/api/auth", tags=["auth"])


class RegisterBody(BaseModel):
    email: str = Field(max_length=254)
    password: str = Field(max_length=1024)
    binanceApiKey: str | None = Field(default=None, max_length=128)
    binanceSecretKey: str | None = Field(default=None, max_length=4096)


class LoginBody(BaseModel):
    email: str = Field(max_length=254)
    password: str = Field(max_length=1024)


def remember_device(request: Request, response: Response, device_cookie: str) -> None:
    """The device cookie (OWASP): this browser may log in to the account past a lock-out. Path /:
    the log-in page logs in over Reflex's socket, which reads it from the handshake."""
    response.set_cookie(DEVICE_COOKIE, device_cookie, max_age=DEVICE_COOKIE_SECONDS, path="/",
                        httponly=True, samesite="lax", secure=request.url.scheme == "https")


@router.post("/register", status_code=status.HTTP_201_CREATED, summary="Create an account; returns a token")
async def register(body: RegisterBody, request: Request, response: Response,
                   service: Accounts) -> SignedInOut:
    signed_in = await service.register(
        body.email, body.password, request.headers.get("user-agent", ""),
        api_key=body.binanceApiKey, secret=body.binanceSecretKey, address=client_address(request),
    )
    remember_device(request, response, signed_in.device_cookie)
    return SignedInOut.of(signed_in)


@router.post("/login", summary="Exchange email and password for a token",
             description="Five failed attempts per email in 15 minutes (and 30 per address across "
                         "emails) lock further attempts out, the right password included; a client "
                         "that sends back the numatix_device cookie of an earlier log-in to this "
                         "account has a budget of its own instead.")
async def login(body: LoginBody, request: Request, response: Response, service: Accounts) -> SignedInOut:
    signed_in = await service.log_in(body.email, body.password, client_address(request),
                                     request.headers.get("user-agent", ""),
                                     device_cookie=request.cookies.get(DEVICE_COOKIE))
    remember_device(request, response, signed_in.device_cookie)
    return SignedInOut.of(signed_in)


@router.post("/logout", status_code=status.HTTP_204_NO_CONTENT, summary="End this token's session")
async def logout(request: Request, service: Accounts) -> Response:
    await service.log_out(request_token(request))
    response = Response(status_code=status.HTTP_204_NO_CONTENT)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.get("/me", summary="The signed-in user")
def me(user: CurrentUser) -> UserOut:
    return UserOut.of(user)


@router.post("/browser-session", status_code=status.HTTP_204_NO_CONTENT, include_in_schema=False)
def browser_session(request: Request, user: CurrentUser, service: Accounts) -> Response:
    """The log-in page hands its fresh token here once; from then on the browser holds it
    only as an HttpOnly cookie that page scripts cannot read (and a device cookie for the account)."""
    token = request_token(request) or ""
    response = Response(status_code=status.HTTP_204_NO_CONTENT)
    known = request.cookies.get(DEVICE_COOKIE)
    remember_device(request, response, service.remembered_device(user.email, known))
    response.set_cookie(
        SESSION_COOKIE, token, max_age=runtime.current().settings.session_ttl_seconds, path="/",
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
    )
    return response


SessionId = Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")]


@router.get("/sessions", summary="Where you are signed in: device, address, last use")
async def sessions(request: Request, user: CurrentUser, service: Accounts) -> list[SessionOut]:
    current = service.sessions.claims(request_token(request)).session_id
    return [SessionOut.of(view, current) for view in await service.sessions.list_live(user.id)]


@router.delete("/sessions/{sessionId}",
               summary="End one of your sessions: its pages and sockets close at once")
async def end_session(sessionId: SessionId, user: CurrentUser, service: Accounts) -> SessionEndedOut:
    await service.sessions.end(user.id, sessionId)
    return SessionEndedOut(message="Session ended", sessionId=sessionId)


@router.post("/logout-everywhere", status_code=status.HTTP_204_NO_CONTENT,
             summary="End every session of yours, this one included")
async def logout_everywhere(user: CurrentUser, service: Accounts) -> Response:
    await service.log_out_everywhere(user.id)
    response = Response(status_code=status.HTTP_204_NO_CONTENT)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response
