"""A cache tool's arguments: its declared filters plus the few every cache tool takes.

``ToolArguments`` builds the tool's ``inputSchema`` from the same declarations it validates with, so the
two cannot drift. ``parse`` turns an agent's arguments into a ``Query``, normalised so that equivalent
calls share one result-cache entry (``{"limit": 30}`` is the default call), or raises ``ArgumentError``
with every problem at once and what each argument accepts.

The common arguments: ``limit`` (items per list, ``DEFAULT_LIMIT`` unless given, 0 = all), ``summary``
(counts and a sample), ``projection`` (JMESPath over ``data``; ``jmespath`` is accepted too, the name
WorldMonitor's own server uses) and, for a tool of several keys, ``datasets`` (which parts of ``data``).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

import orjson

from .filters import ArgumentError, ListFilter
from .projection import MAX_EXPRESSION_BYTES, compile_projection

DEFAULT_LIMIT = 30
"""Items per list unless the agent asks otherwise: enough to see what is there, small enough that a
default answer costs an agent a few thousand tokens, not a whole dataset."""
MAX_LIMIT = 100_000
SUMMARY_SAMPLE_ITEMS = 3

LIMIT = "limit"
SUMMARY = "summary"
PROJECTION = "projection"
PROJECTION_ALIAS = "jmespath"
DATASETS = "datasets"
COMMON = (DATASETS, LIMIT, SUMMARY, PROJECTION, PROJECTION_ALIAS)

_T = TypeVar("_T")


@dataclass(frozen=True, slots=True)
class Query:
    """What an agent asked of a cache tool, normalised."""

    filters: tuple[tuple[ListFilter, Hashable], ...] = ()
    limit: int | None = DEFAULT_LIMIT
    """Items per list; None for all."""
    summary: bool = False
    projection: str | None = None
    datasets: tuple[str, ...] | None = None
    """Labels of ``data`` to answer, in the tool's order; None for all."""
    cache_key: bytes = b""
    """Equal for equal queries; empty for the default query."""


DEFAULT_QUERY = Query()


class ToolArguments:
    """The arguments one cache tool accepts: schema and parser."""

    def __init__(self, tool_name: str, filters: Sequence[ListFilter], labels: Sequence[str]) -> None:
        self._tool = tool_name
        self._filters = {f.name: f for f in filters}
        clash = set(self._filters) & set(COMMON)
        if clash or len(self._filters) != len(filters):
            raise ValueError(f"{tool_name}: filter names must be unique and not {COMMON}: {sorted(clash)}")
        self._labels = tuple(labels)
        self._names = [*self._filters, *(n for n in COMMON if n != DATASETS or len(self._labels) > 1)]

    def schema(self) -> dict[str, Any]:
        properties = {name: f.schema() for name, f in self._filters.items()}
        if len(self._labels) > 1:
            properties[DATASETS] = {
                "type": "array",
                "items": {"type": "string", "enum": list(self._labels)},
                "minItems": 1,
                "uniqueItems": True,
                "description": "Only these parts of data.",
            }
        properties[LIMIT] = {
            "type": "integer",
            "minimum": 0,
            "maximum": MAX_LIMIT,
            "description": f"Items per list (default {DEFAULT_LIMIT}; 0 = all).",
        }
        properties[SUMMARY] = {
            "type": "boolean",
            "description": f"Counts per list and {SUMMARY_SAMPLE_ITEMS} items each.",
        }
        properties[PROJECTION] = {
            "type": "string",
            "maxLength": MAX_EXPRESSION_BYTES,
            "description": "JMESPath over data, after filters and limit; answered as projection.result. "
            "E.g. earthquakes.earthquakes[].place",
        }
        properties[PROJECTION_ALIAS] = {"type": "string", "description": "Another name for projection."}
        return {"type": "object", "properties": properties, "additionalProperties": False}

    def parse(self, arguments: Any) -> Query:
        """The ``Query`` for ``arguments``; ``ArgumentError`` naming every bad argument."""
        if not isinstance(arguments, dict):
            raise ArgumentError(f'{self._fail()}arguments must be an object, such as {{}} or {{"limit": 10}}')
        problems: list[str] = []
        filters: list[tuple[ListFilter, Hashable]] = []
        for name, raw in arguments.items():
            if name in COMMON:
                continue
            found = self._filters.get(name)
            if found is None:
                problems.append(f'unknown argument "{name}"; {self._tool} takes {", ".join(self._names)}')
                continue
            try:
                filters.append((found, found.parse(raw)))
            except ArgumentError as exc:
                problems.append(str(exc))

        def attempt(step: Callable[[dict[str, Any]], _T], fallback: _T) -> _T:
            try:
                return step(arguments)
            except ArgumentError as exc:
                problems.append(str(exc))
                return fallback

        limit = attempt(self._limit, None)  # the fallbacks only stand in until the error is raised
        summary = attempt(self._summary, False)
        projection = attempt(self._projection, None)
        datasets = attempt(self._datasets, None)
        if problems:
            raise ArgumentError(self._fail() + "; ".join(problems))
        filters.sort(key=lambda pair: pair[0].name)
        normal = {
            "filters": [[f.name, value] for f, value in filters],
            LIMIT: limit,
            SUMMARY: summary,
            PROJECTION: projection,
            DATASETS: datasets,
        }
        is_default = (
            not filters and limit == DEFAULT_LIMIT and not summary and projection is None and datasets is None
        )
        key = b"" if is_default else orjson.dumps(normal)
        return Query(tuple(filters), limit, summary, projection, datasets, key)

    def _fail(self) -> str:
        return f"Invalid arguments for {self._tool}: "

    @staticmethod
    def _limit(arguments: dict[str, Any]) -> int | None:
        raw = arguments.get(LIMIT, DEFAULT_LIMIT)
        if isinstance(raw, bool) or not isinstance(raw, int) or not 0 <= raw <= MAX_LIMIT:
            shown = repr(raw)[:60]
            raise ArgumentError(f'"{LIMIT}" must be an integer from 0 (all) to {MAX_LIMIT}; got {shown}')
        return raw or None

    @staticmethod
    def _summary(arguments: dict[str, Any]) -> bool:
        raw = arguments.get(SUMMARY, False)
        if not isinstance(raw, bool):
            raise ArgumentError(f'"{SUMMARY}" must be true or false; got {repr(raw)[:60]}')
        return raw

    @staticmethod
    def _projection(arguments: dict[str, Any]) -> str | None:
        if PROJECTION in arguments and PROJECTION_ALIAS in arguments:
            raise ArgumentError(f'pass "{PROJECTION}" or "{PROJECTION_ALIAS}", not both')
        name = PROJECTION if PROJECTION in arguments else PROJECTION_ALIAS
        if name not in arguments:
            return None
        return compile_projection(name, arguments[name])

    def _datasets(self, arguments: dict[str, Any]) -> tuple[str, ...] | None:
        if DATASETS not in arguments:
            return None
        if len(self._labels) < 2:
            raise ArgumentError(f'unknown argument "{DATASETS}"; {self._tool} takes {", ".join(self._names)}')
        raw = arguments[DATASETS]
        accepts = f"a non-empty list of distinct names from {', '.join(self._labels)}"
        if (
            not isinstance(raw, list)
            or not raw
            or not all(isinstance(v, str) and v in self._labels for v in raw)
            or len(set(raw)) != len(raw)
        ):
            raise ArgumentError(f'"{DATASETS}" must be {accepts}; got {repr(raw)[:80]}')
        chosen = set(raw)
        return tuple(label for label in self._labels if label in chosen)
