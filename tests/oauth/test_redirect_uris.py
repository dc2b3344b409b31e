"""Redirect URIs: registration rules (RFC 7591 §2, RFC 6749 §3.1.2, RFC 8252 §7.3/§8.3) and matching
(RFC 9700 §4.1.3 exact match; RFC 8252 §7.3 any port on loopback)."""

from __future__ import annotations

import pytest

from worldmonitor_mcp.oauth.errors import InvalidRedirectUriError
from worldmonitor_mcp.oauth.redirect_uris import all_loopback, check_registrable, find_match, matches


@pytest.mark.parametrize(
    "uri",
    [
        "https://claude.ai/api/mcp/auth_callback",
        "https://app.example.com/cb?x=1",
        "http://127.0.0.1:33418/callback",
        "http://localhost:6274/oauth/callback",
        "http://[::1]:8080/cb",
        "http://127.0.0.1/cb",
    ],
)
def test_rfc7591_registrable_https_and_loopback_http(uri: str) -> None:
    assert check_registrable(uri) == uri


@pytest.mark.parametrize(
    ("uri", "reason"),
    [
        ("http://example.com/cb", "loopback"),  # plain http off loopback
        ("http://127.0.0.1.evil.com/cb", "loopback"),
        ("https://example.com/cb#frag", "fragment"),  # RFC 6749 §3.1.2
        ("https://example.com/cb#", "fragment"),
        ("javascript:alert(1)", "https"),
        ("data:text/html,hi", "https"),
        ("cursor://anysphere/cb", "https"),
        ("https://user@example.com/cb", "userinfo"),
        ("https://example.com@evil.com/cb", "userinfo"),
        ("https://example.com/a/../cb", "dot segments"),
        ("https://example.com/a/%2e%2e/cb", "dot segments"),
        ("https://example.com\\@evil.com/cb", "backslash"),
        ("https://exa mple.com/cb", "spaces"),
        ("https:///cb", "host"),
        ("https://example.com:99999/cb", "port"),
        ("https://example.com/" + "a" * 2000, "limited"),
    ],
)
def test_redirect_uri_attacks_are_refused_at_registration(uri: str, reason: str) -> None:
    with pytest.raises(InvalidRedirectUriError, match=reason):
        check_registrable(uri)


def test_operator_allowlist_narrows_registration() -> None:
    patterns = ["https://*.example.com/*"]
    assert check_registrable("https://app.example.com/cb", patterns)
    with pytest.raises(InvalidRedirectUriError, match="allowlist"):
        check_registrable("https://evil.test/cb", patterns)
    with pytest.raises(InvalidRedirectUriError, match="loopback"):  # the built-in rules still apply
        check_registrable("http://app.example.com/cb", ["http://*"])


def test_rfc9700_4_1_3_exact_match_for_https() -> None:
    registered = "https://claude.ai/api/mcp/auth_callback"
    assert matches(registered, registered)
    for other in [
        "https://claude.ai/api/mcp/auth_callback/",
        "https://claude.ai/api/mcp/auth_callback?x=1",
        "https://claude.ai:8443/api/mcp/auth_callback",  # another port on a non-loopback host
        "https://evil.ai/api/mcp/auth_callback",  # another host
        "https://CLAUDE.ai/api/mcp/auth_callback",
        "https://claude.ai/api/mcp/AUTH_CALLBACK",
        "https://claude.ai/api/mcp/auth_callback#x",
        "https://claude.ai/api/mcp/x/../auth_callback",
    ]:
        assert not matches(registered, other), other


def test_rfc8252_7_3_loopback_may_use_any_port() -> None:
    registered = "http://127.0.0.1:3000/callback"
    assert matches(registered, "http://127.0.0.1:51234/callback")
    assert matches(registered, "http://127.0.0.1/callback")
    assert matches("http://localhost/cb", "http://localhost:9999/cb")
    assert matches("http://[::1]:1/cb", "http://[::1]:2/cb")


@pytest.mark.parametrize(
    "presented",
    [
        "http://127.0.0.1:51234/other",  # path differs
        "http://localhost:3000/callback",  # host differs (no name/IP swapping)
        "http://127.0.0.1:3000/callback?x=1",
        "http://127.0.0.1:3000@evil.com/callback",  # userinfo trick
        "http://127.0.0.1:abc/callback",
        "https://127.0.0.1:3000/callback",  # scheme differs
        "http://127.0.0.1:3000/callback#f",
    ],
)
def test_rfc8252_7_3_only_the_port_may_differ(presented: str) -> None:
    assert not matches("http://127.0.0.1:3000/callback", presented)


def test_find_match_returns_the_presented_uri() -> None:
    assert find_match(["https://a.example/cb", "http://127.0.0.1:1/cb"], "http://127.0.0.1:7/cb") == (
        "http://127.0.0.1:7/cb"
    )
    assert find_match(["https://a.example/cb"], "https://b.example/cb") is None


def test_all_loopback() -> None:
    assert all_loopback(["http://127.0.0.1:1/cb", "http://localhost/cb"])
    assert not all_loopback(["http://127.0.0.1:1/cb", "https://a.example/cb"])
    assert not all_loopback([])
