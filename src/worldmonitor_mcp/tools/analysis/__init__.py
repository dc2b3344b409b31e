"""The analysis tools: get_world_brief, get_country_brief, analyze_situation, generate_forecasts.

Evidence first: each tool assembles a pack of cached items deterministically (index.py reads the store,
adapters.py maps records, packs.py / country_brief.py / forecasts.py select and rank) and answers it
whether or not an LLM is configured; narrative.py adds an optional narrative that must cite the pack's
ids. This is the package's public surface; the modules behind it are internal.
"""

from .narrative import Narrator, NarratorConfig
from .tools import register_analysis_tools

__all__ = ["Narrator", "NarratorConfig", "register_analysis_tools"]
