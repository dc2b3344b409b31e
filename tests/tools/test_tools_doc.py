"""docs/tools.md names every cache tool with exactly its filters and labels, so it cannot drift."""

from __future__ import annotations

from pathlib import Path

from worldmonitor_mcp.tools.cache_table import CACHE_TOOLS
from worldmonitor_mcp.tools.freshness import label_for_key

DOC = Path(__file__).resolve().parents[2] / "docs" / "tools.md"


def expected_row(spec: object) -> str:
    name = spec.name  # type: ignore[attr-defined]
    filters = ", ".join(f"`{f.name}`" for f in spec.filters)  # type: ignore[attr-defined]
    labels = ", ".join(f"`{label_for_key(k)}`" for k in spec.keys)  # type: ignore[attr-defined]
    return f"| `{name}` | {filters} | {labels} |"


def test_every_tool_row_in_docs_matches_the_table() -> None:
    rows = {line for line in DOC.read_text().splitlines() if line.startswith("| `get_")}
    expected = {expected_row(spec) for spec in CACHE_TOOLS}
    assert rows == expected, f"update docs/tools.md; rows missing: {sorted(expected - rows)}"
