"""Server-rendered HTML pages of the authorization server (consent, errors), and their headers.

Templates live in ``oauth/templates`` and are rendered by Jinja2 with autoescaping on, so a client
name or a message can never become markup. Pages load nothing from elsewhere: the only style is inline,
allowed by a per-response CSP nonce, and no script runs at all. Every page is unframeable
(``frame-ancestors 'none'`` and ``X-Frame-Options: DENY``: clickjacking a consent is the attack),
uncacheable, and sends no Referer (the page URL carries the authorization request).
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from typing import Any

import jinja2
from starlette.types import Send

from .asgi import send_response

HTML = "text/html; charset=utf-8"

_templates = jinja2.Environment(
    loader=jinja2.PackageLoader("worldmonitor_mcp", "oauth/templates"),
    autoescape=True,
    undefined=jinja2.StrictUndefined,
)


def page_headers(csp_nonce: str, form_targets: str = "'none'") -> dict[str, str]:
    return {
        "Content-Security-Policy": (
            f"default-src 'none'; style-src 'nonce-{csp_nonce}'; form-action {form_targets}; "
            "frame-ancestors 'none'; base-uri 'none'"
        ),
        "X-Frame-Options": "DENY",
        "X-Content-Type-Options": "nosniff",
        "Cache-Control": "no-store",
        "Referrer-Policy": "no-referrer",
    }


async def send_page(
    send: Send,
    status: int,
    template: str,
    context: Mapping[str, Any],
    *,
    form_targets: str = "'none'",
    headers: Mapping[str, str] | None = None,
) -> None:
    csp_nonce = secrets.token_urlsafe(16)
    html = _templates.get_template(template).render(csp_nonce=csp_nonce, **context)
    all_headers = {**page_headers(csp_nonce, form_targets), **(headers or {})}
    await send_response(send, status, html.encode(), all_headers, content_type=HTML)


async def send_error_page(
    send: Send,
    status: int,
    title: str,
    message: str,
    advice: str,
    headers: Mapping[str, str] | None = None,
) -> None:
    context = {"title": title, "message": message, "advice": advice}
    await send_page(send, status, "error.html", context, headers=headers)


async def send_redirect(send: Send, status: int, location: str) -> None:
    headers = {"Location": location, "Cache-Control": "no-store", "Referrer-Policy": "no-referrer"}
    await send_response(send, status, b"", headers, content_type=None)
