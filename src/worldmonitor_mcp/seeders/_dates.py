"""Timestamps as upstream feeds write them, to epoch milliseconds, or ``ValueError``.

Every function here raises ``ValueError`` (never ``TypeError``, ``OverflowError`` or ``IndexError``) on a
value it cannot read, so a pydantic validator that calls it reports the field by name and the parser's
``FeedFormatError`` says which one was wrong. A timestamp without a zone is taken as UTC: every feed we read
that omits the zone (GDACS GeoJSON, FIRMS, EONET) documents its times as UTC.
"""

from __future__ import annotations

from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

from pydantic import AfterValidator

from .base import epoch_ms

_RFC822_DATE_ONLY = "%a, %d %b %Y"
"""The State Department's advisory feed writes ``Tue, 16 Feb 2021``: RFC 822 without the time."""

MIN_YEAR = 1970
MAX_YEAR = 9999
"""Feeds never carry dates before the epoch; such a value is a corrupt field, not history."""


def _checked(moment: datetime) -> int:
    if not MIN_YEAR <= moment.year <= MAX_YEAR:
        raise ValueError(f"year {moment.year} is out of range")
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    try:
        return epoch_ms(moment)
    except (OverflowError, OSError) as exc:
        raise ValueError(f"date-time out of range: {moment!r}") from exc


def rfc822_ms(value: str) -> int:
    """``Tue, 10 Dec 2024 18:09:57 GMT`` (RSS ``pubDate``); a date without a time is midnight UTC."""
    text = value.strip()
    try:
        moment = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError, OverflowError):
        try:
            moment = datetime.strptime(text, _RFC822_DATE_ONLY)
        except ValueError as exc:
            raise ValueError(f"not an RFC 822 date: {value[:60]!r}") from exc
    return _checked(moment)


def iso_ms(value: str) -> int:
    """ISO 8601 (``2025-11-08T12:00:00Z``, ``2025-03-17T17:09:31+00:00``)."""
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError as exc:
        raise ValueError(f"not an ISO 8601 date-time: {value[:60]!r}") from exc
    return _checked(moment)


def strptime_ms(value: str, pattern: str) -> int:
    """``value`` in the ``strptime`` ``pattern``; UTC unless the pattern reads a zone."""
    try:
        moment = datetime.strptime(value.strip(), pattern)
    except ValueError as exc:
        raise ValueError(f"{value[:60]!r} does not match {pattern!r}") from exc
    return _checked(moment)


def matches_strptime(pattern: str) -> AfterValidator:
    """A pydantic validator for a string field kept as the feed wrote it, that must read as ``pattern``
    (``date: Annotated[str, matches_strptime("%Y-%m-%d")]``)."""

    def check(value: str) -> str:
        strptime_ms(value, pattern)
        return value

    return AfterValidator(check)


def iso_utc(ms: int) -> str:
    """Epoch milliseconds -> ``2024-12-10T18:09:57Z`` (whole seconds; what WorldMonitor's ISO fields hold)."""
    return datetime.fromtimestamp(ms / 1000, UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
