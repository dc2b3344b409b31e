"""worldmonitor-mcp: an MCP server for world-intelligence data."""

__version__ = "0.1.0"
