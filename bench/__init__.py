"""Benchmarks: ``python -m bench.run`` (``make bench``) measures an authenticated ``tools/call`` against
a bare Starlette route and the official MCP SDK, all under the same uvicorn settings. See
docs/performance.md for the method and the latest numbers.
"""
