"""Helpers for the authorization-server tests: RFC 6749 token requests."""

from __future__ import annotations

import base64
from typing import Any
from urllib.parse import quote_plus

import httpx

FORM = {"Content-Type": "application/x-www-form-urlencoded"}


def basic(client_id: str, secret: str) -> str:
    """RFC 6749 §2.3.1: each part form-urlencoded, then joined with ':' and base64-encoded."""
    raw = f"{quote_plus(client_id)}:{quote_plus(secret)}".encode()
    return "Basic " + base64.b64encode(raw).decode()


async def request_token(client: httpx.AsyncClient, secret: str, **extra: Any) -> httpx.Response:
    data = {"grant_type": "client_credentials", "client_id": "worldmonitor", "client_secret": secret, **extra}
    return await client.post("/oauth/token", data=data)


# -- authorization code + PKCE helpers (part 2) ------------------------------------------------------

import hashlib  # noqa: E402
import re  # noqa: E402
import secrets  # noqa: E402
from dataclasses import dataclass  # noqa: E402
from urllib.parse import parse_qs, urlsplit  # noqa: E402

REDIRECT = "http://127.0.0.1:9999/callback"
RESOURCE = "http://127.0.0.1:8000/mcp"
ISSUER = "http://127.0.0.1:8000"
_NONCE = re.compile(r'name="nonce" value="([^"]+)"')


def pkce_pair() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    return verifier, challenge


async def register(
    client: httpx.AsyncClient,
    redirect_uris: list[str] | None = None,
    method: str = "none",
    **extra: Any,
) -> dict[str, Any]:
    body = {
        "client_name": "Test Client",
        "redirect_uris": redirect_uris or [REDIRECT],
        "token_endpoint_auth_method": method,
        "grant_types": ["authorization_code", "refresh_token"],
        **extra,
    }
    reply = await client.post("/oauth/register", json=body)
    assert reply.status_code == 201, reply.text
    result: dict[str, Any] = reply.json()
    return result


def authorize_params(client_id: str, challenge: str, **extra: str) -> dict[str, str]:
    params = {
        "response_type": "code",
        "client_id": client_id,
        "redirect_uri": REDIRECT,
        "code_challenge": challenge,
        "code_challenge_method": "S256",
        "state": "st-123",
        "scope": "mcp",
        "resource": RESOURCE,
    }
    params.update(extra)
    return params


def nonce_of(page: httpx.Response) -> str:
    found = _NONCE.search(page.text)
    assert found, page.text
    return found.group(1)


def query_of(location: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}


@dataclass
class Flow:
    client_id: str
    verifier: str
    code: str
    redirect_uri: str = REDIRECT


async def approve(client: httpx.AsyncClient, api_key: str, client_id: str, **extra: str) -> tuple[str, str]:
    """GET the consent page, approve with ``api_key``: returns (code, verifier)."""
    verifier, challenge = pkce_pair()
    page = await client.get("/oauth/authorize", params=authorize_params(client_id, challenge, **extra))
    assert page.status_code == 200, page.text
    reply = await client.post(
        "/oauth/authorize", data={"nonce": nonce_of(page), "api_key": api_key, "action": "approve"}
    )
    assert reply.status_code == 303, reply.text
    query = query_of(reply.headers["location"])
    return query["code"], verifier


async def code_flow(
    client: httpx.AsyncClient, api_key: str, method: str = "none"
) -> tuple[dict[str, Any], dict[str, Any]]:
    """DCR, consent, token: returns (registration, token reply)."""
    registration = await register(client, method=method)
    code, verifier = await approve(client, api_key, registration["client_id"])
    data = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": REDIRECT,
        "code_verifier": verifier,
        "client_id": registration["client_id"],
        "resource": RESOURCE,
    }
    if method != "none":
        data["client_secret"] = registration["client_secret"]
    reply = await client.post("/oauth/token", data=data)
    assert reply.status_code == 200, reply.text
    tokens: dict[str, Any] = reply.json()
    return registration, tokens
