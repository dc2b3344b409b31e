"""Proof Key for Code Exchange, RFC 7636 (https://www.rfc-editor.org/rfc/rfc7636), S256 only.

``plain`` is refused: it protects nothing against an attacker who sees the authorization request, and
OAuth 2.1 and the MCP authorization spec require S256. A missing method is refused too, rather than
read as the §4.3 default of ``plain``.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re

from .errors import InvalidGrantError, InvalidRequestError

S256 = "S256"
CODE_CHALLENGE_METHODS: tuple[str, ...] = (S256,)

# The challenge is BASE64URL(SHA256(verifier)): 43 characters for S256; 43-128 allows for other methods'
# lengths without ever accepting characters outside base64url.
_CHALLENGE = re.compile(r"[A-Za-z0-9_-]{43,128}")
# §4.1: code-verifier = 43*128unreserved, unreserved = ALPHA / DIGIT / "-" / "." / "_" / "~"
_VERIFIER = re.compile(r"[A-Za-z0-9\-._~]{43,128}")


def check_challenge(code_challenge: str | None, method: str | None) -> str:
    """The challenge of an authorization request, or the ``invalid_request`` that says what to fix."""
    if not code_challenge:
        raise InvalidRequestError("code_challenge is required (PKCE, RFC 7636, with S256)")
    if method != S256:
        raise InvalidRequestError("code_challenge_method must be S256")
    if not _CHALLENGE.fullmatch(code_challenge):
        raise InvalidRequestError("code_challenge must be 43 to 128 base64url characters")
    return code_challenge


def s256(code_verifier: str) -> str:
    digest = hashlib.sha256(code_verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def verify(code_verifier: str | None, code_challenge: str) -> None:
    """4.6. Server Verifies code_verifier before Returning the Tokens: "If the values are not equal, an
    error response indicating invalid_grant MUST be returned"."""
    if not code_verifier:
        raise InvalidRequestError("code_verifier is required")
    if not _VERIFIER.fullmatch(code_verifier):
        raise InvalidGrantError("code_verifier must be 43 to 128 unreserved characters")
    if not hmac.compare_digest(s256(code_verifier), code_challenge):
        raise InvalidGrantError("code_verifier does not match the code_challenge")
