"""PKCE, RFC 7636: S256 only, challenge and verifier syntax, constant-time comparison."""

from __future__ import annotations

import base64
import hashlib

import pytest

from worldmonitor_mcp.oauth import pkce
from worldmonitor_mcp.oauth.errors import InvalidGrantError, InvalidRequestError

VERIFIER = "dBjftJeZ4CVP-mJ92K2T_6yxM1grY1GaAtVzBHWnWKs"
CHALLENGE = "Yp7zM9-8iP_tLDlQ6AHwp7xPACq0trylLhWkRdFjwdI"


def test_4_2_s256_is_base64url_of_sha256_without_padding() -> None:
    digest = hashlib.sha256(VERIFIER.encode("ascii")).digest()
    assert pkce.s256(VERIFIER) == base64.urlsafe_b64encode(digest).decode().rstrip("=") == CHALLENGE


def test_4_6_matching_verifier_passes() -> None:
    pkce.verify(VERIFIER, CHALLENGE)


def test_4_6_wrong_verifier_is_invalid_grant() -> None:
    with pytest.raises(InvalidGrantError):
        pkce.verify("x" * 43, CHALLENGE)


@pytest.mark.parametrize("verifier", ["short", "a" * 129, "has space" + "a" * 40, "é" * 43])
def test_4_1_verifier_syntax_is_checked(verifier: str) -> None:
    with pytest.raises(InvalidGrantError):
        pkce.verify(verifier, CHALLENGE)


def test_4_5_missing_verifier_is_invalid_request() -> None:
    with pytest.raises(InvalidRequestError):
        pkce.verify(None, CHALLENGE)


@pytest.mark.parametrize("method", ["plain", None, "s256", "S512"])
def test_4_3_only_s256_is_accepted_plain_and_missing_refused(method: str | None) -> None:
    with pytest.raises(InvalidRequestError, match="S256"):
        pkce.check_challenge(CHALLENGE, method)


@pytest.mark.parametrize(
    "challenge", ["", "a" * 42, "a" * 129, "a" * 42 + "=", "a" * 42 + "+", "a" * 42 + "."]
)
def test_4_2_challenge_is_43_to_128_base64url_characters(challenge: str) -> None:
    with pytest.raises(InvalidRequestError):
        pkce.check_challenge(challenge, "S256")


def test_4_2_valid_challenge_passes() -> None:
    assert pkce.check_challenge(CHALLENGE, "S256") == CHALLENGE
    assert pkce.check_challenge("A" * 128, "S256") == "A" * 128
