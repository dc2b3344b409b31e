"""JMESPath projections: an agent picks the fields it wants out of a tool's ``data``.

Limits, each with its reason: the expression is at most ``MAX_EXPRESSION_BYTES`` (a projection names
fields; a longer one is a mistake or an attack on the parser), and its result at most
``MAX_OUTPUT_BYTES`` encoded (an agent's context is the scarce thing). Both are reported inside the tool
result (``isError: true``), as is a bad expression, so the agent can fix it and call again.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import jmespath
import orjson
from jmespath.exceptions import JMESPathError
from jmespath.parser import ParsedResult

from .filters import ArgumentError

MAX_EXPRESSION_BYTES = 1024
MAX_OUTPUT_BYTES = 256 * 1024
_COMPILED_KEPT = 256
"""Compiled expressions kept; agents repeat theirs, and a compile costs far more than a lookup."""

EXAMPLE = "earthquakes.earthquakes[?magnitude > `6`].{place: place, magnitude: magnitude}"

_EVALUATION_ERRORS = (JMESPathError, RecursionError, TypeError, ValueError, KeyError, OverflowError)
"""jmespath raises its own errors for most bad input, and a few built-ins for type mix-ups inside
functions (``sort_by`` over mixed values) or for nesting deeper than Python's stack."""


@lru_cache(maxsize=_COMPILED_KEPT)
def _compile(expression: str) -> ParsedResult:
    return jmespath.compile(expression)


def compile_projection(name: str, raw: Any) -> str:
    """Check that ``raw`` is a usable expression and return it; ``ArgumentError`` says what is wrong."""
    if not isinstance(raw, str) or not raw.strip():
        raise ArgumentError(f'"{name}" must be a JMESPath expression (a text), such as {EXAMPLE}')
    size = len(raw.encode())
    if size > MAX_EXPRESSION_BYTES:
        raise ArgumentError(f'"{name}" is {size} bytes; expressions are limited to {MAX_EXPRESSION_BYTES}')
    try:
        _compile(raw)
    except _EVALUATION_ERRORS as exc:
        raise ArgumentError(f'"{name}" is not a valid JMESPath expression: {_reason(exc)}') from exc
    return raw


def project(expression: str, data: Any) -> Any:
    """The expression's result over ``data``; ``ArgumentError`` when it fails or answers too much."""
    try:
        result = _compile(expression).search(data)
    except _EVALUATION_ERRORS as exc:
        raise ArgumentError(f"the projection failed on this tool's data: {_reason(exc)}") from exc
    try:
        size = len(orjson.dumps(result))
    except orjson.JSONEncodeError as exc:  # a sum past 64-bit integers, say
        raise ArgumentError(f"the projection's result cannot be encoded as JSON: {_reason(exc)}") from exc
    if size > MAX_OUTPUT_BYTES:
        raise ArgumentError(
            f"the projection's result is {size} bytes, over the {MAX_OUTPUT_BYTES // 1024} KiB limit; "
            "select fewer fields, or narrow with filters or limit"
        )
    return result


def _reason(exc: BaseException) -> str:
    if isinstance(exc, RecursionError):
        return "nested too deeply"
    text = " ".join(str(exc).split())
    return text[:300] or type(exc).__name__
