"""What the operator sees on first start: a new key and configurations ready to paste.

Printed once, when the key is created; the key is never stored or printed again.
"""

from __future__ import annotations

import json


def connection_help(base_url: str, key: str) -> str:
    endpoint = f"{base_url}/mcp"
    desktop = {
        "mcpServers": {
            "worldmonitor": {
                "command": "npx",
                "args": ["-y", "mcp-remote", endpoint, "--header", "X-WorldMonitor-Key:${WORLDMONITOR_KEY}"],
                "env": {"WORLDMONITOR_KEY": key},
            }
        }
    }
    return f"""
Created an API key. It is shown only this once; store it now:

    {key}

curl:
    curl -s {endpoint} -H 'Content-Type: application/json' -H 'X-WorldMonitor-Key: {key}' \\
      -d '{{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{{"name":"get_natural_disasters"}}}}'

MCP Inspector (CLI):
    npx @modelcontextprotocol/inspector --cli {endpoint} --transport http \\
      --header 'X-WorldMonitor-Key: {key}' --method tools/list

Claude Desktop (claude_desktop_config.json):
{json.dumps(desktop, indent=2)}

More keys: worldmonitor-mcp keys create --label NAME
"""
