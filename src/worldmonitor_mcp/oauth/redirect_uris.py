"""Redirect URIs: which may be registered, and when a presented one matches a registered one.

Registration (RFC 7591 §2, OAuth 2.1 §2.3.1, the MCP authorization spec's "Communication Security"):
``https`` anywhere, or ``http`` only on a loopback host (RFC 8252 §7.3), never with a fragment
(RFC 6749 §3.1.2), userinfo, backslashes, dot segments or control characters, and only when the
operator's allowlist of patterns admits it.

Matching (OAuth 2.1 §4.1.1 / RFC 9700 §4.1.3): exact string comparison, with the one exception RFC 8252
§7.3 demands: "The authorization server MUST allow any port to be specified at the time of the request
for loopback IP redirect URIs", because native apps take whatever port is free.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Sequence
from urllib.parse import SplitResult, urlsplit

from .errors import InvalidRedirectUriError

MAX_REDIRECT_URI_CHARS = 2000
"""Longer than any real callback, short enough to keep client records and consent pages small."""

LOOPBACK_NAMES = frozenset({"localhost"})
DEFAULT_PATTERNS: tuple[str, ...] = ("https://*", "http://localhost*", "http://127.0.0.1*", "http://[::1]*")
"""Any https host plus loopback: the default of WORLDMONITOR_REDIRECT_URI_PATTERNS."""


def is_loopback(host: str | None) -> bool:
    if not host:
        return False
    name = host.strip("[]").lower()
    if name in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def _parse(uri: str) -> SplitResult:
    """The parts of a redirect URI that can be safely matched, or the reason it cannot."""
    if len(uri) > MAX_REDIRECT_URI_CHARS:
        raise InvalidRedirectUriError(f"redirect URIs are limited to {MAX_REDIRECT_URI_CHARS} characters")
    if any(ord(char) <= 0x20 or ord(char) == 0x7F for char in uri) or "\\" in uri:
        raise InvalidRedirectUriError("a redirect URI must not contain spaces, controls or backslashes")
    if "#" in uri:
        raise InvalidRedirectUriError("a redirect URI must not have a fragment (RFC 6749 §3.1.2)")
    parts = urlsplit(uri)
    if parts.scheme not in {"https", "http"}:
        raise InvalidRedirectUriError("a redirect URI must use https (or http on a loopback host)")
    if "@" in parts.netloc:
        raise InvalidRedirectUriError("a redirect URI must not carry userinfo (user@host)")
    if not parts.hostname:
        raise InvalidRedirectUriError("a redirect URI needs a host")
    try:
        parts.port  # noqa: B018 (raises ValueError for a port that is not a number in range)
    except ValueError:
        raise InvalidRedirectUriError("the redirect URI's port is not a valid port number") from None
    if parts.scheme == "http" and not is_loopback(parts.hostname):
        raise InvalidRedirectUriError("http redirect URIs are allowed only on loopback hosts (RFC 8252 §7.3)")
    segments = parts.path.split("/")
    if "." in segments or ".." in segments or "%2e" in parts.path.lower():
        raise InvalidRedirectUriError("a redirect URI must not contain dot segments")
    return parts


def glob_matches(pattern: str, uri: str) -> bool:
    """``*`` matches any run of characters; everything else, brackets included, is literal."""
    regex = ".*".join(re.escape(part) for part in pattern.split("*"))
    return re.fullmatch(regex, uri) is not None


def check_registrable(uri: str, patterns: Sequence[str] = DEFAULT_PATTERNS) -> str:
    """The URI, if a client may register it; otherwise ``invalid_redirect_uri`` naming the rule."""
    if not isinstance(uri, str) or not uri:
        raise InvalidRedirectUriError("each redirect URI must be a non-empty string")
    _parse(uri)
    if not any(glob_matches(pattern, uri) for pattern in patterns):
        raise InvalidRedirectUriError("this server's redirect URI allowlist does not admit that URI")
    return uri


def all_loopback(uris: Sequence[str]) -> bool:
    """Every URI goes back to the user's own machine: the client is a local app, not a website."""
    return bool(uris) and all(is_loopback(urlsplit(uri).hostname) for uri in uris)


def matches(registered: str, presented: str) -> bool:
    """RFC 9700 §4.1.3 exact match, with RFC 8252 §7.3's free port for loopback IP redirects."""
    if presented == registered:
        return True
    try:
        want, got = _parse(registered), _parse(presented)
    except InvalidRedirectUriError:
        return False
    if want.scheme != "http" or not is_loopback(want.hostname):
        return False
    return (
        got.scheme == want.scheme
        and got.hostname == want.hostname
        and got.path == want.path
        and got.query == want.query
    )


def find_match(registered: Sequence[str], presented: str) -> str | None:
    """The presented URI when it matches one of the registered ones, else None."""
    return presented if any(matches(uri, presented) for uri in registered) else None
