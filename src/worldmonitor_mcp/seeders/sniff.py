"""Recognise the payloads a feed URL returns when something in between went wrong.

An upstream outage, a CDN block page or a captive portal answers with HTML where JSON or XML was
expected. Saying so turns "expected value at line 1 column 1" into an error an operator can act on.
"""

from __future__ import annotations

_UTF8_BOM = b"\xef\xbb\xbf"
_SNIFF_BYTES = 512
"""Enough for a doctype and an <html> tag after a little leading whitespace."""


def looks_like_html(payload: bytes) -> bool:
    head = payload[:_SNIFF_BYTES].removeprefix(_UTF8_BOM).lstrip().lower()
    return head.startswith((b"<!doctype html", b"<html"))


def payload_hint(payload: bytes) -> str:
    """A parenthesised clause to append to a format error, or an empty string."""
    if not payload.strip():
        return " (the payload is empty)"
    if looks_like_html(payload):
        return " (the payload is an HTML page, not the feed: an upstream error page or a proxy in between?)"
    return ""
