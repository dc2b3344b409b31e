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
