"""The four analysis tools as registry entries: arguments, schemas, and the handler of each.

Names and parameters are WorldMonitor's (``get_world_brief(geo_context)``, ``get_country_brief(
country_code, framework)``, ``analyze_situation(query, context, framework)``, ``generate_forecasts(domain,
region)``), plus ``limit``, ``window_hours`` (world brief) and ``narrative`` (false skips the LLM).
Each answers its evidence pack (packs.py) and ``narrative`` / ``narrative_reason`` (narrative.py), as
``structuredContent`` described by its ``outputSchema`` and as the text item older clients read.
A bad argument is a tool error naming it and what it accepts (SEP-1303), never a protocol error.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import orjson

from ..freshness import iso_utc
from ..registry import Tool, ToolContext, ToolRegistry, tool_error, tool_result
from .country_brief import CountryCodeError, country_brief, validate_country_code
from .forecasts import ForecastArgumentError, forecasts
from .index import EvidenceIndex, EvidenceReader
from .narrative import NOT_CONFIGURED, Narrative, Narrator
from .packs import situation, world_brief
from .query import read_focus
from .schemas import output_schema

MAX_WINDOW_H = 168
MAX_TEXT_CHARS = 1000
MAX_CONTEXT_CHARS = 2000
MAX_FRAMEWORK_CHARS = 2000


class ArgumentProblem(ValueError):
    pass


@dataclass(frozen=True, slots=True)
class Param:
    name: str
    schema: dict[str, Any]
    default: Any = None

    def parse(self, raw: Any) -> Any:
        kind = self.schema["type"]
        if kind == "string":
            if not isinstance(raw, str):
                raise ArgumentProblem(f'"{self.name}" must be a string; got {_shown(raw)}')
            if len(raw) > self.schema["maxLength"]:
                raise ArgumentProblem(f'"{self.name}" must be at most {self.schema["maxLength"]} characters')
            return raw.strip() or None
        if kind == "integer":
            low, high = self.schema["minimum"], self.schema["maximum"]
            if isinstance(raw, bool) or not isinstance(raw, int) or not low <= raw <= high:
                raise ArgumentProblem(
                    f'"{self.name}" must be an integer from {low} to {high}; got {_shown(raw)}'
                )
            return raw
        if not isinstance(raw, bool):
            raise ArgumentProblem(f'"{self.name}" must be true or false; got {_shown(raw)}')
        return raw


def _shown(raw: Any) -> str:
    return repr(raw)[:60]


def _text(name: str, description: str, max_chars: int) -> Param:
    return Param(name, {"type": "string", "maxLength": max_chars, "description": description})


def _integer(name: str, description: str, low: int, high: int, default: int) -> Param:
    schema = {
        "type": "integer",
        "minimum": low,
        "maximum": high,
        "default": default,
        "description": description,
    }
    return Param(name, schema, default)


NARRATIVE = Param(
    "narrative",
    {
        "type": "boolean",
        "default": True,
        "description": "Add an LLM narrative citing the evidence ids when the server has an LLM configured "
        "(false: evidence only, faster).",
    },
    True,
)
FRAMEWORK = _text(
    "framework",
    "Analytical lens for the narrative: PMESII-PT, DIME, SWOT, debt cycle, Porter, or your own words.",
    MAX_FRAMEWORK_CHARS,
)

Builder = Callable[[EvidenceIndex, dict[str, Any], int], dict[str, Any]]


@dataclass(frozen=True, slots=True)
class AnalysisSpec:
    name: str
    title: str
    description: str
    params: tuple[Param, ...]
    required: tuple[str, ...]
    build: Builder
    task: Callable[[dict[str, Any], dict[str, Any]], str]

    def input_schema(self) -> dict[str, Any]:
        schema: dict[str, Any] = {
            "type": "object",
            "properties": {p.name: p.schema for p in self.params},
            "additionalProperties": False,
        }
        if self.required:
            schema["required"] = list(self.required)
        return schema

    def parse(self, arguments: dict[str, Any]) -> dict[str, Any]:
        known = {p.name: p for p in self.params}
        problems = [
            f'unknown argument "{name}"; {self.name} takes {", ".join(known)}'
            for name in arguments
            if name not in known
        ]
        values: dict[str, Any] = {}
        for param in self.params:
            if param.name in arguments and arguments[param.name] is not None:
                try:
                    values[param.name] = param.parse(arguments[param.name])
                except ArgumentProblem as exc:
                    problems.append(str(exc))
            else:
                values[param.name] = param.default
        problems += [f'"{name}" is required' for name in self.required if values.get(name) is None]
        if problems:
            raise ArgumentProblem(f"Invalid arguments for {self.name}: " + "; ".join(problems))
        return values


def pack_items(pack: dict[str, Any]) -> list[dict[str, Any]]:
    """Every wire item of a pack, in the pack's order (the narrative's evidence and citable ids)."""
    found: list[dict[str, Any]] = []
    for group in pack.get("groups", ()):
        found.extend(group["items"])
    for section in pack.get("sections", {}).values():
        found.extend(section["items"])
    found.extend(pack.get("items", ()))
    found.extend(pack.get("forecasts", ()))
    found.extend(pack.get("signals", ()))
    return found


class AnalysisTool:
    def __init__(self, spec: AnalysisSpec, reader: EvidenceReader, narrator: Narrator | None) -> None:
        self.spec = spec
        self._reader = reader
        self._narrator = narrator

    def as_tool(self) -> Tool:
        llm = self._narrator is not None
        return Tool(
            self.spec.name,
            self.spec.description,
            self,
            self.spec.input_schema(),
            title=self.spec.title,
            output_schema=output_schema(self.spec.name),
            annotations={
                "title": self.spec.title,
                "readOnlyHint": True,
                "destructiveHint": False,
                # With an LLM the narrative differs between calls and comes from an outside service.
                "idempotentHint": not llm,
                "openWorldHint": llm,
            },
        )

    async def __call__(self, ctx: ToolContext, arguments: dict[str, Any]) -> bytes:
        try:
            args = self.spec.parse(arguments)
        except ArgumentProblem as exc:
            return tool_error(str(exc))
        index = await self._reader.read(ctx)
        try:
            pack = self.spec.build(index, args, ctx.now_ms)
        except (CountryCodeError, ForecastArgumentError, ArgumentProblem) as exc:
            return tool_error(f"{self.spec.name}: {exc}")
        narrative = await self._narrate(pack, args)
        payload = {"tool": self.spec.name, "as_of": iso_utc(ctx.now_ms), **pack, **narrative.to_wire()}
        return tool_result(orjson.dumps(payload))

    async def _narrate(self, pack: dict[str, Any], args: dict[str, Any]) -> Narrative:
        if not args.get("narrative", True):
            return Narrative(None, "not asked for (narrative: false)")
        if self._narrator is None:
            return Narrative(None, NOT_CONFIGURED)
        return await self._narrator.write(self.spec.task(args, pack), pack_items(pack), args.get("framework"))


# -- the four tools ------------------------------------------------------------------------------------


def _world(default_window_h: int) -> AnalysisSpec:
    def build(index: EvidenceIndex, args: dict[str, Any], now_ms: int) -> dict[str, Any]:
        text = args["geo_context"]
        focus = read_focus(text, index.geometry) if text else None
        if focus is not None and focus.empty:
            raise ArgumentProblem(
                f'"geo_context" {text!r} names no country, region, topic or keyword to match'
            )
        return world_brief(index, focus, window_h=args["window_hours"], limit=args["limit"], now_ms=now_ms)

    def task(args: dict[str, Any], pack: dict[str, Any]) -> str:
        focus = f", focused on: {args['geo_context']}" if args["geo_context"] else ""
        return (
            f"Write a world intelligence brief of the most significant developments in this evidence{focus}."
        )

    return AnalysisSpec(
        "get_world_brief",
        "World brief",
        "Top items across all domains (earthquakes, disasters, fires, weather alerts, conflict, cyber, "
        "headlines, ...) in the last hours, grouped by domain, ranked by severity and recency, deduplicated, "
        "each with source, time and id; optional geo_context narrows by region, country or topic. Adds an "
        "LLM narrative citing the ids when the server has an LLM.",
        (
            _text("geo_context", 'Focus: a region, country or topic ("Middle East", "Japan", "cyber").', 300),
            _integer(
                "window_hours",
                "Hours of each source's data to consider, counted back from its own fetch time.",
                1,
                MAX_WINDOW_H,
                default_window_h,
            ),
            _integer("limit", "Most items in the brief.", 1, 100, 30),
            NARRATIVE,
        ),
        (),
        build,
        task,
    )


def _country() -> AnalysisSpec:
    def build(index: EvidenceIndex, args: dict[str, Any], now_ms: int) -> dict[str, Any]:
        code = validate_country_code(args["country_code"], index.geometry)
        return country_brief(index, code, limit=args["limit"], now_ms=now_ms)

    def task(args: dict[str, Any], pack: dict[str, Any]) -> str:
        country = pack["country"]
        return f"Write an intelligence brief on {country['name']} ({country['code']}) from this evidence."

    return AnalysisSpec(
        "get_country_brief",
        "Country brief",
        "Everything the cache knows about one country (ISO 3166-1 alpha-2): earthquakes, disasters and fires "
        "in or near it (Natural Earth boundaries), conflict and unrest, travel advisory, sanctions and "
        "programmes, prediction markets, FX of its currency, headlines; each item with source, time and id. "
        "Adds an LLM narrative (framework: PMESII-PT, debt cycle, ...) when the server has an LLM.",
        (
            _text("country_code", 'ISO 3166-1 alpha-2 country code, e.g. "US", "DE", "JP", "GR".', 8),
            FRAMEWORK,
            _integer("limit", "Most items per section.", 1, 200, 25),
            NARRATIVE,
        ),
        ("country_code",),
        build,
        task,
    )


def _situation() -> AnalysisSpec:
    def build(index: EvidenceIndex, args: dict[str, Any], now_ms: int) -> dict[str, Any]:
        text = " ".join(t for t in (args["query"], args["context"]) if t)
        focus = read_focus(text, index.geometry)
        if focus.empty:
            raise ArgumentProblem(
                f'"query" {args["query"]!r} names no country, region, topic, name or keyword to look for; '
                'ask about something specific, e.g. "earthquakes near Greece" or "Pikabot botnet servers"'
            )
        return situation(index, focus, limit=args["limit"], now_ms=now_ms)

    def task(args: dict[str, Any], pack: dict[str, Any]) -> str:
        context = f" Context: {args['context']}" if args["context"] else ""
        return f"Analyse this situation from the evidence: {args['query']}.{context}"

    return AnalysisSpec(
        "analyze_situation",
        "Situation analysis",
        "Evidence for a free-text question: cached items matching its countries, regions, topics, names and "
        "keywords, ranked, each with its match reasons. Adds an LLM analysis citing the ids when the server "
        "has an LLM.",
        (
            _text(
                "query", 'The question or situation, e.g. "earthquake risk around Greece".', MAX_TEXT_CHARS
            ),
            _text("context", "Extra context that also steers the matching.", MAX_CONTEXT_CHARS),
            FRAMEWORK,
            _integer("limit", "Most items returned.", 1, 100, 20),
            NARRATIVE,
        ),
        ("query",),
        build,
        task,
    )


def _forecasts() -> AnalysisSpec:
    def build(index: EvidenceIndex, args: dict[str, Any], now_ms: int) -> dict[str, Any]:
        domain = args["domain"].lower() if args["domain"] else None
        return forecasts(index, domain=domain, region=args["region"], limit=args["limit"], now_ms=now_ms)

    def task(args: dict[str, Any], pack: dict[str, Any]) -> str:
        scope = " ".join(f"{k}: {args[k]}." for k in ("domain", "region") if args[k])
        return (
            "Explain what these forecasts and prediction markets expect and which signals in the evidence "
            f"support or contradict them. {scope}"
        ).strip()

    return AnalysisSpec(
        "generate_forecasts",
        "Forecasts",
        "The cached forecasts and prediction markets (Polymarket, Kalshi) for a domain and region, with "
        "their probabilities and the cached signals behind each. Adds an LLM explanation citing the ids "
        "when the server has an LLM.",
        (
            _text(
                "domain",
                'Forecast domain: "geopolitical", "economic", "military", "tech", "climate", ...',
                50,
            ),
            _text("region", 'Region or country: "Middle East", "Europe", "Asia Pacific", "Japan", ...', 100),
            _integer("limit", "Most forecasts returned.", 1, 100, 20),
            NARRATIVE,
        ),
        (),
        build,
        task,
    )


def analysis_specs(*, default_window_h: int) -> tuple[AnalysisSpec, ...]:
    return (_world(default_window_h), _country(), _situation(), _forecasts())


def register_analysis_tools(
    registry: ToolRegistry,
    *,
    result_cache_ms: int,
    narrator: Narrator | None = None,
    default_window_h: int = 48,
) -> None:
    reader = EvidenceReader(result_cache_ms=result_cache_ms)
    for spec in analysis_specs(default_window_h=default_window_h):
        registry.register(AnalysisTool(spec, reader, narrator).as_tool())
