"""Fuzzing the JSON-RPC 2.0 decoder: any bytes are a request or a clean protocol error, never a crash."""

from __future__ import annotations

import orjson
from hypothesis import given, settings
from hypothesis import strategies as st

from worldmonitor_mcp.errors import InvalidRequestError, ParseError
from worldmonitor_mcp.mcp import jsonrpc

scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**63), max_value=2**64 - 1)  # what JSON numbers decode to as integers
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20)
)
json_values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
    max_leaves=20,
)

messages = st.fixed_dictionaries(
    {},
    optional={
        "jsonrpc": st.sampled_from(["2.0", "1.0", 2, None]),
        "id": json_values,
        "method": st.one_of(st.text(max_size=20), json_values),
        "params": json_values,
    },
)


@given(st.binary(max_size=300))
def test_arbitrary_bytes(body: bytes) -> None:
    try:
        request = jsonrpc.decode(body)
    except (ParseError, InvalidRequestError):
        return
    assert isinstance(request.method, str)


@settings(max_examples=300)
@given(messages)
def test_arbitrary_messages(message: dict[str, object]) -> None:
    body = orjson.dumps(message)
    try:
        request = jsonrpc.decode(body)
    except InvalidRequestError:
        return
    assert message["jsonrpc"] == "2.0"
    assert isinstance(request.params, dict)
    assert request.id is None or (isinstance(request.id, str | int) and not isinstance(request.id, bool))
    if request.id is not None:
        encoded = orjson.loads(jsonrpc.encode_result(request.id, b"{}"))
        assert encoded == {"jsonrpc": "2.0", "id": request.id, "result": {}}
