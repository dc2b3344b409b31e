"""The tools an agent can call: the registry, the cache tools and their freshness rules."""

from .cache_table import CACHE_TOOLS, CacheToolSpec
from .cache_tools import register_cache_tools
from .registry import Tool, ToolContext, ToolRegistry, tool_error, tool_result
from .result_cache import ResultCache


def build_registry(*, result_cache_ms: int) -> ToolRegistry:
    """Every built-in tool, registered through the same door an extension would use."""
    registry = ToolRegistry()
    register_cache_tools(registry, result_cache_ms=result_cache_ms, results=ResultCache())
    return registry


__all__ = [
    "CACHE_TOOLS",
    "CacheToolSpec",
    "ResultCache",
    "Tool",
    "ToolContext",
    "ToolRegistry",
    "build_registry",
    "tool_error",
    "tool_result",
]
