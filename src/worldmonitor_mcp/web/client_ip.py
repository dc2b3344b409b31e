"""The client's address: the TCP peer, or a forwarded address only when the operator trusts proxies.

``X-Forwarded-For`` is a list each proxy appends to, so only entries added by trusted proxies can be
believed: with N trusted hops the client is the N-th entry from the right. Anything a client sends
beyond that is ignored, since it could be forged.
"""

from __future__ import annotations

from starlette.types import Scope

from .asgi import header

UNKNOWN = "unknown"


def client_ip(scope: Scope, trusted_proxy_hops: int) -> str:
    peer = scope.get("client")
    peer_ip = str(peer[0]) if peer else UNKNOWN
    if trusted_proxy_hops <= 0:
        return peer_ip
    forwarded = header(scope, b"x-forwarded-for")
    if not forwarded:
        return peer_ip
    hops = [part.strip() for part in forwarded.split(",") if part.strip()]
    if len(hops) < trusted_proxy_hops:
        return hops[0] if hops else peer_ip
    return hops[-trusted_proxy_hops]
