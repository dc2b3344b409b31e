"""MCP prompts (server/prompts): ready-made jobs that chain the cache tools.

Each prompt is one declaration: its arguments (with a validator) and the instructions it renders.
The rendered message tells the agent which tools to call, with which filters, and to respect the
freshness flags, so a user gets a grounded briefing from one menu entry.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import orjson
import pycountry

from ..errors import InvalidParamsError
from ..tools import ToolContext

FRESHNESS_RULE = (
    "Every tool answer carries cached_at and stale: say how old the data is, and flag stale data as possibly "
    "outdated rather than presenting it as current."
)


class PromptArgumentError(InvalidParamsError):
    pass


def country_code(value: str) -> str:
    code = value.strip().upper()
    if len(code) != 2 or pycountry.countries.get(alpha_2=code) is None:
        raise PromptArgumentError(
            "Invalid params: country_code must be an ISO 3166-1 alpha-2 code such as UA or JP, "
            f"not {value[:20]!r}"
        )
    return code


def magnitude(value: str) -> str:
    try:
        number = float(value)
    except ValueError:
        number = -1.0
    if not 0 <= number <= 10:
        raise PromptArgumentError("Invalid params: min_magnitude must be a number from 0 to 10, e.g. 5.5")
    return f"{number:g}"


def short_text(value: str) -> str:
    text = " ".join(value.split())
    if not 1 <= len(text) <= 200:
        raise PromptArgumentError("Invalid params: the argument must be 1 to 200 characters")
    return text


@dataclass(frozen=True, slots=True)
class Argument:
    name: str
    description: str
    required: bool
    parse: Callable[[str], str]


@dataclass(frozen=True, slots=True)
class Prompt:
    name: str
    title: str
    description: str
    render: Callable[[dict[str, str]], str]
    arguments: tuple[Argument, ...] = field(default_factory=tuple)

    def descriptor(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "title": self.title,
            "description": self.description,
            "arguments": [
                {"name": a.name, "description": a.description, "required": a.required} for a in self.arguments
            ],
        }


def _country_briefing(args: dict[str, str]) -> str:
    code = args["country_code"]
    country = pycountry.countries.get(alpha_2=code)
    name = getattr(country, "common_name", None) or getattr(country, "name", code)
    return (
        f"Prepare a briefing on {name} ({code}) from the WorldMonitor cache. Call get_conflict_events, "
        "get_natural_disasters, get_sanctions_data, get_news_intelligence, get_prediction_markets and "
        f"get_economic_data, keep what concerns {name}, and organise it as: security, hazards, sanctions, "
        f"economy and markets, outlook. Cite each item's source and time. {FRESHNESS_RULE}"
    )


def _disaster_watch(args: dict[str, str]) -> str:
    threshold = args.get("min_magnitude", "5")
    region = f" in or near {args['region']}" if "region" in args else ""
    return (
        f"Watch for natural disasters{region}. Call get_natural_disasters and list earthquakes of magnitude "
        f"{threshold} or more, active wildfires and natural events (GDACS, EONET), newest first, with place, "
        f"time and severity; then call get_climate_data for active severe-weather alerts. {FRESHNESS_RULE}"
    )


def _cyber_watch(args: dict[str, str]) -> str:
    focus = f" Focus on {args['vendor']}." if "vendor" in args else ""
    return (
        "Summarise the current cyber threat picture. Call get_cyber_threats and report the most recently "
        "added known exploited vulnerabilities (CVE, vendor, product, due date, ransomware use) and active "
        "botnet command-and-control servers; then call get_infrastructure_status for outages."
        f"{focus} {FRESHNESS_RULE}"
    )


def _market_open(args: dict[str, str]) -> str:
    focus = f" Focus on {args['symbols']}." if "symbols" in args else ""
    return (
        "Prepare a market-open note. Call get_market_data (indices, commodities, crypto, fear & greed), "
        "get_economic_data (rates, ECB reference FX, calendar) and get_prediction_markets (finance), and "
        f"summarise what moved and what is scheduled.{focus} {FRESHNESS_RULE}"
    )


PROMPTS: tuple[Prompt, ...] = (
    Prompt(
        "country_briefing",
        "Country briefing",
        "A sourced briefing on one country: security, hazards, sanctions, economy, outlook.",
        _country_briefing,
        (Argument("country_code", "ISO 3166-1 alpha-2 code, e.g. UA", True, country_code),),
    ),
    Prompt(
        "disaster_watch",
        "Disaster watch",
        "Recent earthquakes, wildfires, natural events and severe-weather alerts.",
        _disaster_watch,
        (
            Argument("region", "Optional place or region to focus on", False, short_text),
            Argument("min_magnitude", "Smallest earthquake magnitude to list (default 5)", False, magnitude),
        ),
    ),
    Prompt(
        "cyber_watch",
        "Cyber watch",
        "Known exploited vulnerabilities, botnet C2 servers and infrastructure outages.",
        _cyber_watch,
        (Argument("vendor", "Optional vendor or product to focus on", False, short_text),),
    ),
    Prompt(
        "market_open",
        "Market open",
        "Markets, rates, FX and finance prediction markets before the open.",
        _market_open,
        (Argument("symbols", "Optional comma-separated symbols to focus on", False, short_text),),
    ),
)


class PromptCatalog:
    def __init__(self, prompts: tuple[Prompt, ...] = PROMPTS) -> None:
        self._prompts = {p.name: p for p in prompts}
        self._list = orjson.dumps({"prompts": [p.descriptor() for p in prompts]})

    def get_prompt(self, name: str) -> Prompt | None:
        return self._prompts.get(name)

    async def list(self, params: dict[str, Any], ctx: ToolContext) -> bytes:
        return self._list

    async def get(self, params: dict[str, Any], ctx: ToolContext) -> bytes:
        name = params.get("name")
        prompt = self._prompts.get(name) if isinstance(name, str) else None
        if prompt is None:
            raise InvalidParamsError(
                f"Invalid params: unknown prompt {str(name)[:60]!r}; prompts/list names them"
            )
        given = params.get("arguments") or {}
        if not isinstance(given, dict) or not all(isinstance(v, str) for v in given.values()):
            raise InvalidParamsError("Invalid params: prompt arguments must be an object of strings")
        known = {a.name: a for a in prompt.arguments}
        unknown = sorted(set(given) - set(known))
        if unknown:
            raise InvalidParamsError(f"Invalid params: {prompt.name} has no argument {unknown[0][:40]!r}")
        parsed: dict[str, str] = {}
        for argument in prompt.arguments:
            if argument.name in given and given[argument.name] != "":
                parsed[argument.name] = argument.parse(given[argument.name])
            elif argument.required:
                raise InvalidParamsError(f"Invalid params: {prompt.name} needs {argument.name}")
        message = {"role": "user", "content": {"type": "text", "text": prompt.render(parsed)}}
        return orjson.dumps({"description": prompt.description, "messages": [message]})
