"""List filters for the cache tools: a few generic kinds, declared per tool in the cache table.

A tool's ``data`` holds one value per cache key. The *lists* in it are found by shape, not by name: a
key's value when it is a list, or a list up to ``MAX_LIST_DEPTH`` objects down (``earthquakes.earthquakes``,
``kev.vulnerabilities``, ``markets-bootstrap.geopolitical``). Items of a list are never entered.

A filter names candidate ``fields`` of an item (dotted paths; ``@list`` is the name of the list holding
the item, so a prediction market's pool counts as its category). Every filter given must hold, and an
item that has none of a filter's fields fails it: ``min_magnitude`` keeps no wildfire, ``type`` keeps no
vulnerability. That is what an agent that asks for "magnitude 6 and above" means, and the ``lists``
counts in the answer show where items went.

Each filter parses its argument once into a normalised, hashable value (part of the result-cache key)
and turns it into a predicate when an answer is rendered (``since: 24h`` needs the clock then).
"""

from __future__ import annotations

import math
import re
from abc import ABC, abstractmethod
from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

from .countries import country_in_place, normalise, resolve_country

MAX_LIST_DEPTH = 2
"""How far below a key's value lists are looked for; WorldMonitor values nest them one or two deep."""
LIST_FIELD = "@list"
MAX_CHOICES = 50
"""Most values one filter accepts (symbols, countries): enough for a watch list, small enough to scan."""
MAX_TEXT_CHARS = 200

Item = Mapping[str, Any]
Predicate = Callable[[Any, str], bool]
"""(item, name of its list) -> keep it."""


class ArgumentError(ValueError):
    """An argument an agent passed is unusable; the message says how to fix it.

    Never a protocol error: the tool answers ``isError: true`` with this message (SEP-1303), so the
    agent can read it and retry.
    """


def field_values(item: Any, field: str, list_name: str) -> list[Any]:
    """The values of ``field`` in ``item``: none when absent or null, a list field's elements."""
    if field == LIST_FIELD:
        return [list_name]
    value: Any = item
    for part in field.split("."):
        if not isinstance(value, Mapping):
            return []
        value = value.get(part)
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _strings(values: list[Any]) -> list[str]:
    return [v for v in values if isinstance(v, str)]


class ListFilter(ABC):
    """One filter argument: its JSON Schema, its parser and its predicate."""

    name: str
    description: str

    @abstractmethod
    def schema(self) -> dict[str, Any]: ...

    @abstractmethod
    def parse(self, raw: Any) -> Hashable:
        """The normalised value, or ``ArgumentError`` naming the argument and what it accepts."""

    @abstractmethod
    def predicate(self, value: Any, now_ms: int) -> Predicate: ...

    def _error(self, raw: Any, accepts: str) -> ArgumentError:
        shown = repr(raw) if not isinstance(raw, str) or len(raw) <= 60 else repr(raw[:60] + "...")
        return ArgumentError(f'"{self.name}" must be {accepts}; got {shown}')


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


@dataclass(frozen=True, slots=True)
class AtLeast(ListFilter):
    """Items whose number in one of ``fields`` is at least the value (``min_magnitude: 6``).

    With ``unit_field``, an item that names its unit counts only in one of ``units``: natural events
    carry EONET wildfire acres and sea-ice areas under ``magnitude`` too (``magnitudeUnit``).
    """

    name: str
    fields: tuple[str, ...]
    description: str
    minimum: float
    maximum: float
    unit_field: str | None = None
    units: tuple[str, ...] = ()

    def schema(self) -> dict[str, Any]:
        return {
            "type": "number",
            "minimum": self.minimum,
            "maximum": self.maximum,
            "description": self.description,
        }

    def parse(self, raw: Any) -> Hashable:
        if not _is_number(raw) or not math.isfinite(raw) or not self.minimum <= raw <= self.maximum:
            raise self._error(raw, f"a number from {self.minimum:g} to {self.maximum:g}")
        return float(raw)

    def predicate(self, value: Any, now_ms: int) -> Predicate:
        threshold = float(value)
        fields, unit_field = self.fields, self.unit_field
        units = frozenset(u.lower() for u in self.units)

        def keep(item: Any, list_name: str) -> bool:
            if unit_field is not None and isinstance(item, Mapping) and unit_field in item:
                unit = item[unit_field]
                if not isinstance(unit, str) or unit.lower() not in units:
                    return False
            return any(
                _is_number(v) and v >= threshold for f in fields for v in field_values(item, f, list_name)
            )

        return keep


_DURATION = re.compile(r"(\d{1,6})\s*([mhdw])")
_UNIT_MS = {"m": 60_000, "h": 3_600_000, "d": 86_400_000, "w": 604_800_000}
_SECONDS_BELOW = 100_000_000_000
"""An epoch number below this is in seconds (year 5138 in seconds; 1973 in milliseconds)."""
_MAX_EPOCH_MS = 253_402_300_799_000  # 9999-12-31T23:59:59Z


@lru_cache(maxsize=8192)
def _iso_ms(text: str) -> int | None:
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return int(parsed.timestamp() * 1000)


def epoch_ms(value: Any) -> int | None:
    """A timestamp as items carry it (epoch ms or s, digits, ISO 8601), in epoch ms; None if it is none."""
    if _is_number(value):
        if not math.isfinite(value):
            return None
        return int(value if abs(value) >= _SECONDS_BELOW else value * 1000)
    if isinstance(value, str) and value:
        if value.isdigit() and len(value) <= 16:
            return epoch_ms(int(value))
        return _iso_ms(value)
    return None


@dataclass(frozen=True, slots=True)
class Since(ListFilter):
    """Items whose first timestamp among ``fields`` is at or after a time, absolute or back from now."""

    name: str
    fields: tuple[str, ...]
    description: str

    def schema(self) -> dict[str, Any]:
        return {
            "type": "string",
            "maxLength": 64,
            "description": self.description
            + ": an ISO 8601 date or time (2025-01-31, 2025-01-31T12:00Z) or a span back from now "
            "(90m, 24h, 7d, 2w).",
        }

    def parse(self, raw: Any) -> Hashable:
        accepts = (
            "an ISO 8601 date or time such as 2025-01-31 or 2025-01-31T12:00Z, or a span such as 24h or 7d"
        )
        if not isinstance(raw, str) or len(raw) > 64:
            raise self._error(raw, accepts)
        text = raw.strip().lower()
        if (span := _DURATION.fullmatch(text)) is not None:
            return f"{int(span.group(1))}{span.group(2)}"
        at = _iso_ms(raw.strip())
        if at is None or not 0 <= at <= _MAX_EPOCH_MS:
            raise self._error(raw, accepts)
        return at

    def predicate(self, value: Any, now_ms: int) -> Predicate:
        # A span ("24h") is measured back from the time of rendering; a time is absolute epoch ms.
        threshold = now_ms - int(value[:-1]) * _UNIT_MS[value[-1]] if isinstance(value, str) else int(value)
        fields = self.fields

        def keep(item: Any, list_name: str) -> bool:
            for f in fields:
                for v in field_values(item, f, list_name):
                    at = epoch_ms(v)
                    if at is not None:
                        return at >= threshold
            return False

        return keep


@dataclass(frozen=True, slots=True)
class Contains(ListFilter):
    """Items where one of ``fields`` has the text at the start of a word, ignoring case, accents and
    punctuation."""

    name: str
    fields: tuple[str, ...]
    description: str

    def schema(self) -> dict[str, Any]:
        return {
            "type": "string",
            "minLength": 1,
            "maxLength": MAX_TEXT_CHARS,
            "description": self.description,
        }

    def parse(self, raw: Any) -> Hashable:
        accepts = f"a non-empty text of at most {MAX_TEXT_CHARS} characters, with letters or digits"
        if not isinstance(raw, str) or len(raw) > MAX_TEXT_CHARS or not normalise(raw):
            raise self._error(raw, accepts)
        return normalise(raw)

    def predicate(self, value: Any, now_ms: int) -> Predicate:
        wanted = f" {value}"
        fields = self.fields

        def keep(item: Any, list_name: str) -> bool:
            # Matched at the start of a word: "iran" finds "Iran-backed" and "Iranian", not "Tirana".
            return any(
                wanted in f" {normalise(text)} "
                for f in fields
                for text in _strings(field_values(item, f, list_name))
            )

        return keep


def _one_or_many(schema: dict[str, Any]) -> dict[str, Any]:
    return {
        "anyOf": [
            schema,
            {"type": "array", "items": schema, "minItems": 1, "maxItems": MAX_CHOICES, "uniqueItems": True},
        ]
    }


def _listed(raw: Any) -> list[Any] | None:
    values = raw if isinstance(raw, list) else [raw]
    if not values or len(values) > MAX_CHOICES or not all(isinstance(v, str) and v.strip() for v in values):
        return None
    return values


@dataclass(frozen=True, slots=True)
class OneOf(ListFilter):
    """Items where one of ``fields`` equals one of the values, ignoring case.

    With ``suffix``, ``c2_server`` also matches an enum value ending in ``_C2_SERVER``
    (``CYBER_THREAT_TYPE_C2_SERVER``), so agents pass the short name.
    """

    name: str
    fields: tuple[str, ...]
    description: str
    choices: tuple[str, ...] = ()
    suffix: bool = False

    def schema(self) -> dict[str, Any]:
        one: dict[str, Any] = {"type": "string", "minLength": 1, "maxLength": MAX_TEXT_CHARS}
        if self.choices:
            one = {"type": "string", "enum": list(self.choices)}
        return {**_one_or_many(one), "description": self.description}

    def parse(self, raw: Any) -> Hashable:
        if self.choices:
            accepts = f"one of {', '.join(self.choices)}, or a list of them"
        else:
            accepts = f"a text, or a list of 1 to {MAX_CHOICES} texts"
        values = _listed(raw)
        if values is None or any(len(v) > MAX_TEXT_CHARS for v in values):
            raise self._error(raw, accepts)
        wanted = sorted({v.strip().lower() for v in values})
        if self.choices and not set(wanted) <= {c.lower() for c in self.choices}:
            raise self._error(raw, accepts)
        return tuple(wanted)

    def predicate(self, value: Any, now_ms: int) -> Predicate:
        wanted = frozenset(value)
        suffixes = tuple(f"_{w}" for w in wanted) if self.suffix else ()
        fields = self.fields

        def matches(text: str) -> bool:
            lowered = text.lower()
            return lowered in wanted or (bool(suffixes) and lowered.endswith(suffixes))

        def keep(item: Any, list_name: str) -> bool:
            return any(matches(t) for f in fields for t in _strings(field_values(item, f, list_name)))

        return keep


@dataclass(frozen=True, slots=True)
class Country(ListFilter):
    """Items in one of the countries: an ISO code in ``codes`` fields, or a place name in ``places``."""

    name: str
    codes: tuple[str, ...]
    places: tuple[str, ...]
    description: str

    def schema(self) -> dict[str, Any]:
        one = {"type": "string", "minLength": 2, "maxLength": 80}
        return {
            **_one_or_many(one),
            "description": self.description
            + ": ISO 3166-1 alpha-2 or alpha-3 codes or English names (JP, JPN, Japan), one or a list.",
        }

    def parse(self, raw: Any) -> Hashable:
        accepts = "a country (ISO code such as JP, or an English name such as Japan) or a list of them"
        values = _listed(raw)
        if values is None:
            raise self._error(raw, accepts)
        codes = {v: resolve_country(v) if len(v) <= 80 else None for v in values}
        unknown = [v for v, code in codes.items() if code is None]
        if unknown:
            raise ArgumentError(
                f'"{self.name}": {", ".join(repr(v[:80]) for v in unknown[:5])} names no country we know; '
                "pass ISO 3166-1 codes such as JP or JPN, or English names such as Japan"
            )
        return tuple(sorted({code for code in codes.values() if code is not None}))

    def predicate(self, value: Any, now_ms: int) -> Predicate:
        wanted = frozenset(value)
        codes, places = self.codes, self.places

        def keep(item: Any, list_name: str) -> bool:
            for f in codes:
                if any(code.upper() in wanted for code in _strings(field_values(item, f, list_name))):
                    return True
            return any(
                country_in_place(place) in wanted
                for f in places
                for place in _strings(field_values(item, f, list_name))
            )

        return keep


# -- walking the lists of a tool's data ----------------------------------------------------------------

ListShaper = Callable[[str, str, list[Any]], list[Any]]
"""(path such as ``earthquakes.earthquakes``, the list's own name, the list) -> the list to answer."""


def reshape_lists(data: Mapping[str, Any], shaper: ListShaper) -> dict[str, Any]:
    """A copy of ``data`` with every list (see the module docstring) replaced by ``shaper``'s answer.

    Only the objects on the way to a list are copied; items are shared with the input.
    """
    return {label: _walk(value, label, label, 0, shaper) for label, value in data.items()}


def _walk(value: Any, path: str, name: str, depth: int, shaper: ListShaper) -> Any:
    if isinstance(value, list):
        return shaper(path, name, value)
    if isinstance(value, dict) and depth < MAX_LIST_DEPTH:
        return {key: _walk(child, f"{path}.{key}", key, depth + 1, shaper) for key, child in value.items()}
    return value
