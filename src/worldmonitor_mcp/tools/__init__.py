"""The tools an agent can call: the registry, the cache tools and their freshness, the analysis tools."""

from .analysis import Narrator, NarratorConfig, register_analysis_tools
from .cache_table import CACHE_TOOLS, CacheToolSpec
from .cache_tools import register_cache_tools
from .registry import Tool, ToolContext, ToolRegistry, tool_error, tool_result
from .result_cache import ResultCache


def build_registry(
    *, result_cache_ms: int, narrator: Narrator | None = None, brief_window_h: int = 48
) -> ToolRegistry:
    """Every built-in tool, registered through the same door an extension would use."""
    registry = ToolRegistry()
    register_cache_tools(registry, result_cache_ms=result_cache_ms, results=ResultCache())
    register_analysis_tools(
        registry, result_cache_ms=result_cache_ms, narrator=narrator, default_window_h=brief_window_h
    )
    return registry


__all__ = [
    "CACHE_TOOLS",
    "CacheToolSpec",
    "Narrator",
    "NarratorConfig",
    "ResultCache",
    "Tool",
    "ToolContext",
    "ToolRegistry",
    "build_registry",
    "tool_error",
    "tool_result",
]
