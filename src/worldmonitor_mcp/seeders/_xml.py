"""Safe XML for every feed that serves it: defusedxml only, DTDs refused, errors typed.

No legitimate feed we read (RSS from news publishers, GDACS, the State Department; FAA airport status)
carries a DTD or entity declarations inline, so ``forbid_dtd=True`` costs nothing and shuts out
entity-expansion ("billion laughs") and external-entity attacks before expat expands anything. FAA's
``<Dtd_File>`` is an ordinary element naming its schema, not a ``<!DOCTYPE>``.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET  # the Element type and ParseError only: parsing goes through defusedxml

import defusedxml.ElementTree as SafeET
from defusedxml import DefusedXmlException

from .base import FeedFormatError, UnsafeXmlError
from .sniff import looks_like_html, payload_hint


def parse_xml(feed: str, payload: bytes, *, expected: str) -> ET.Element:
    """Parse ``payload`` into its root element; ``expected`` names the format for error messages."""
    if looks_like_html(payload):
        raise FeedFormatError(feed, f"expected {expected}{payload_hint(payload)}")
    try:
        return SafeET.fromstring(payload, forbid_dtd=True)
    except DefusedXmlException as exc:
        raise UnsafeXmlError(
            feed, f"refused XML with a DTD or entity declarations ({exc!r}); {expected} has none"
        ) from exc
    except ET.ParseError as exc:
        raise FeedFormatError(feed, f"not well-formed XML ({exc}){payload_hint(payload)}") from exc
    except (LookupError, ValueError) as exc:
        # The XML declaration names an encoding expat cannot use: unknown ("bogus"), not a text codec
        # ("base64"), or multi-byte ("shift_jis").
        raise FeedFormatError(feed, f"unusable character encoding in the XML declaration ({exc})") from exc


def child_text(element: ET.Element, tag: str) -> str | None:
    """The stripped text of the first child named ``tag`` (Clark notation for namespaced tags).

    None when the child is absent; an empty element gives "".
    """
    child = element.find(tag)
    if child is None:
        return None
    return "".join(child.itertext()).strip()
