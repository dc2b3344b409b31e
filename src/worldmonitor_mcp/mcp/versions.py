"""Protocol revisions, and which era a request belongs to.

Two eras share one endpoint:

* the handshake era (2025-03-26, 2025-06-18, 2025-11-25): ``initialize`` negotiates a version
  (Lifecycle, "Version Negotiation"), and later requests name it in the ``MCP-Protocol-Version``
  header (Transports, "Protocol Version Header": missing means 2025-03-26, unsupported is 400);
* the stateless era (2026-07-28): no handshake; every request carries its version and client
  capabilities in ``params._meta`` and mirrors version, method and name in headers.

The era comes from the body, not the header: Claude sends ``MCP-Protocol-Version: 2026-07-28`` on
connections it negotiated as 2025-11-25, with bodies that carry no ``_meta`` version, and those must
keep working as the handshake-era requests they are.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ..errors import HeaderMismatchError, InvalidParamsError, UnsupportedProtocolVersionError

HANDSHAKE_VERSIONS: tuple[str, ...] = ("2025-03-26", "2025-06-18", "2025-11-25")
MODERN_VERSIONS: tuple[str, ...] = ("2026-07-28",)
ALL_VERSIONS: tuple[str, ...] = (*HANDSHAKE_VERSIONS, *MODERN_VERSIONS)
LATEST_HANDSHAKE_VERSION = HANDSHAKE_VERSIONS[-1]
DEFAULT_HEADERLESS_VERSION = "2025-03-26"
BATCH_VERSIONS = frozenset({"2025-03-26"})
"""JSON-RPC batches exist only in 2025-03-26; 2025-06-18 removed them."""

PROTOCOL_VERSION_META_KEY = "io.modelcontextprotocol/protocolVersion"
CLIENT_CAPABILITIES_META_KEY = "io.modelcontextprotocol/clientCapabilities"
CLIENT_INFO_META_KEY = "io.modelcontextprotocol/clientInfo"
SERVER_INFO_META_KEY = "io.modelcontextprotocol/serverInfo"

NAME_BEARING_METHODS: Mapping[str, str] = {
    "tools/call": "name",
    "prompts/get": "name",
    "resources/read": "uri",
}
"""2026-07-28 transports: the body field each method mirrors in the ``Mcp-Name`` header."""


_BASE64_SENTINEL = re.compile(r"=\?base64\?(?P<payload>.*)\?=")


def decode_header_value(value: str | None) -> str | None:
    """2026-07-28 transports: a header value that would not survive HTTP travels as ``=?base64?...?=``."""
    if value is None:
        return None
    match = _BASE64_SENTINEL.fullmatch(value)
    if match is None:
        return value
    try:
        return base64.b64decode(match.group("payload"), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return None


def negotiate(requested: object) -> str:
    """Lifecycle: echo a supported requested version, otherwise answer our latest."""
    if isinstance(requested, str) and requested in HANDSHAKE_VERSIONS:
        return requested
    return LATEST_HANDSHAKE_VERSION


@dataclass(frozen=True, slots=True)
class Exchange:
    """The era and version one request is served under."""

    modern: bool
    protocol_version: str
    client_info: Any = None
    client_capabilities: Any = None


def _meta_of(params: Mapping[str, Any]) -> Mapping[str, Any] | None:
    meta = params.get("_meta")
    return meta if isinstance(meta, Mapping) else None


def is_modern(method: str, params: Mapping[str, Any]) -> bool:
    meta = _meta_of(params)
    return method == "server/discover" or (meta is not None and PROTOCOL_VERSION_META_KEY in meta)


def classify(method: str, params: Mapping[str, Any], headers: Mapping[str, str] | None) -> Exchange:
    """The era of one request, validating what that era requires. ``headers`` (lower-case names) is
    None on transports without headers (stdio)."""
    if is_modern(method, params):
        return _modern(method, params, headers)
    header_version = None if headers is None else headers.get("mcp-protocol-version")
    if header_version is None:
        return Exchange(False, DEFAULT_HEADERLESS_VERSION)
    if header_version in HANDSHAKE_VERSIONS:
        return Exchange(False, header_version)
    if header_version in MODERN_VERSIONS:
        # A 2026-07-28 header on a handshake-era body: tolerated (see the module docstring).
        return Exchange(False, LATEST_HANDSHAKE_VERSION)
    raise UnsupportedProtocolVersionError(header_version, ALL_VERSIONS)


def _modern(method: str, params: Mapping[str, Any], headers: Mapping[str, str] | None) -> Exchange:
    """The 2026-07-28 ladder, first failure wins: envelope keys (-32602), headers agree with the body
    (-32020), the version is one we serve (-32022)."""
    meta = _meta_of(params)
    if meta is None:
        raise InvalidParamsError(
            "Invalid params: params._meta must carry "
            f"{PROTOCOL_VERSION_META_KEY!r} and {CLIENT_CAPABILITIES_META_KEY!r}"
        )
    missing = [k for k in (PROTOCOL_VERSION_META_KEY, CLIENT_CAPABILITIES_META_KEY) if k not in meta]
    if missing:
        raise InvalidParamsError(f"Invalid params: params._meta is missing {', '.join(missing)}")
    version = meta[PROTOCOL_VERSION_META_KEY]
    if headers is not None:
        if headers.get("mcp-protocol-version") != version:
            raise HeaderMismatchError(
                "MCP-Protocol-Version header does not match params._meta's protocol version"
            )
        if headers.get("mcp-method") != method:
            raise HeaderMismatchError("Mcp-Method header does not match the request's method")
        name_key = NAME_BEARING_METHODS.get(method)
        name = params.get(name_key) if name_key is not None else None
        if name is not None and decode_header_value(headers.get("mcp-name")) != name:
            raise HeaderMismatchError(f"Mcp-Name header does not match the request's {name_key!r}")
    if not isinstance(version, str):
        raise InvalidParamsError("Invalid params: the protocol version in params._meta must be a string")
    if version not in MODERN_VERSIONS:
        raise UnsupportedProtocolVersionError(version, ALL_VERSIONS)
    return Exchange(True, version, meta.get(CLIENT_INFO_META_KEY), meta[CLIENT_CAPABILITIES_META_KEY])
