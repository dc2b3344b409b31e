"""Argument completion (server/utilities/completion): country codes for prompts, tool names for the
dataset resource template."""

from __future__ import annotations

from typing import Any

import orjson
import pycountry

from ..errors import InvalidParamsError
from ..tools import ToolContext, ToolRegistry
from .prompts import PromptCatalog
from .resources import DATA_TEMPLATE

MAX_VALUES = 100
"""The spec caps one completion answer at 100 values."""


def _countries() -> list[tuple[str, str]]:
    return sorted((c.alpha_2, c.name) for c in pycountry.countries)


class Completions:
    def __init__(self, registry: ToolRegistry, prompts: PromptCatalog) -> None:
        self._registry = registry
        self._prompts = prompts
        self._countries = _countries()

    async def complete(self, params: dict[str, Any], ctx: ToolContext) -> bytes:
        ref = params.get("ref")
        argument = params.get("argument")
        if not isinstance(ref, dict) or not isinstance(argument, dict):
            raise InvalidParamsError('Invalid params: completion/complete needs "ref" and "argument"')
        name, value = argument.get("name"), argument.get("value", "")
        if not isinstance(name, str) or not isinstance(value, str):
            raise InvalidParamsError("Invalid params: argument.name and argument.value must be strings")
        values = self._values(ref, name, value)
        return orjson.dumps(
            {
                "completion": {
                    "values": values[:MAX_VALUES],
                    "total": len(values),
                    "hasMore": len(values) > MAX_VALUES,
                }
            }
        )

    def _values(self, ref: dict[str, Any], name: str, value: str) -> list[str]:
        if ref.get("type") == "ref/prompt":
            prompt = self._prompts.get_prompt(str(ref.get("name")))
            if prompt is None:
                raise InvalidParamsError("Invalid params: unknown prompt in ref")
            if name == "country_code":
                needle = value.strip().lower()
                return [
                    code
                    for code, country in self._countries
                    if code.lower().startswith(needle) or country.lower().startswith(needle)
                ]
            return []
        if ref.get("type") == "ref/resource":
            if ref.get("uri") != DATA_TEMPLATE:
                raise InvalidParamsError("Invalid params: unknown resource template in ref")
            if name == "tool":
                return [tool for tool in self._registry.names() if tool.startswith(value)]
            return []
        raise InvalidParamsError('Invalid params: ref.type must be "ref/prompt" or "ref/resource"')
