"""The optional narrative: an OpenAI-compatible chat-completions call, bounded in time and size.

``Narrator.write`` never raises for the model's sake: whatever goes wrong (not configured, slow, down,
an HTTP error, a body that is not JSON, an answer that is not the object asked for, a huge answer, no
valid citation) it returns ``Narrative(None, reason)``, and the tool still answers with its evidence.

What goes to the endpoint: the model name, the messages (the evidence and the instructions, prompt.py)
and, when configured, ``Authorization: Bearer <WORLDMONITOR_LLM_API_KEY>``. Nothing of the caller's
request reaches this module (``ToolContext`` carries no credential), and the shared client is built
without default headers or auth (app.py), so no other secret can travel with the call. Reasons name
neither the key nor the URL.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import anyio
import httpx
import orjson
from pydantic import SecretStr

from ... import __version__
from .prompt import AnswerError, build_messages, check_citations, framework_lens, parse_answer

logger = logging.getLogger(__name__)

MAX_RESPONSE_BYTES = 256 * 1024
"""A chat completion of a few hundred words is a few KiB; a quarter MiB is a runaway or hostile answer,
and reading stops there."""
TEMPERATURE = 0.2
"""Low: a brief should restate the evidence, not invent around it."""
NOT_CONFIGURED = (
    "no LLM is configured (set WORLDMONITOR_LLM_BASE_URL and WORLDMONITOR_LLM_MODEL); "
    "the evidence above is complete without it"
)


@dataclass(frozen=True, slots=True)
class NarratorConfig:
    base_url: str
    """Up to the API version, e.g. ``https://api.openai.com/v1``; ``/chat/completions`` is appended."""
    model: str
    api_key: SecretStr | None
    budget_s: float
    max_tokens: int


@dataclass(frozen=True, slots=True)
class Narrative:
    value: dict[str, Any] | None
    reason: str | None

    def to_wire(self) -> dict[str, Any]:
        return {"narrative": self.value, "narrative_reason": self.reason}


class _TooLarge(Exception):
    pass


class Narrator:
    """Writes narratives with one shared ``httpx.AsyncClient`` (injected, owned by the app)."""

    def __init__(self, config: NarratorConfig, http: httpx.AsyncClient) -> None:
        self._config = config
        self._http = http
        self._url = config.base_url.rstrip("/") + "/chat/completions"
        headers = {
            "Content-Type": "application/json",
            "Accept": "application/json",
            "User-Agent": f"worldmonitor-mcp/{__version__}",
        }
        if config.api_key is not None and config.api_key.get_secret_value():
            headers["Authorization"] = f"Bearer {config.api_key.get_secret_value()}"
        self._headers = headers

    @property
    def model(self) -> str:
        return self._config.model

    async def write(self, task: str, items: Sequence[dict[str, Any]], framework: str | None) -> Narrative:
        if not items:
            return Narrative(None, "no evidence to write from: the pack is empty")
        body = orjson.dumps(
            {
                "model": self._config.model,
                "messages": build_messages(task, items, framework),
                "temperature": TEMPERATURE,
                "max_tokens": self._config.max_tokens,
            }
        )
        budget = self._config.budget_s
        try:
            with anyio.fail_after(budget):
                status, raw = await self._post(body)
        except TimeoutError:
            return Narrative(None, f"the model did not answer within the {budget:g} s budget")
        except _TooLarge:
            return Narrative(
                None, f"the model's answer exceeded {MAX_RESPONSE_BYTES // 1024} KiB and was dropped"
            )
        except httpx.HTTPError as exc:
            logger.warning("llm call failed: %s", type(exc).__name__)
            return Narrative(None, f"the model endpoint could not be reached ({type(exc).__name__})")
        if status != 200:
            return Narrative(None, f"the model endpoint answered HTTP {status}")
        try:
            content = _message_content(raw)
            checked = check_citations(parse_answer(content), {str(item["id"]) for item in items})
        except AnswerError as exc:
            return Narrative(None, str(exc))
        return Narrative(
            {
                "text": checked.text,
                "citations": list(checked.citations),
                "stripped_citations": checked.stripped,
                "framework": framework_lens(framework),
                "model": self._config.model,
            },
            None,
        )

    async def _post(self, body: bytes) -> tuple[int, bytes]:
        async with self._http.stream("POST", self._url, content=body, headers=self._headers) as response:
            chunks: list[bytes] = []
            size = 0
            async for chunk in response.aiter_bytes():
                size += len(chunk)
                if size > MAX_RESPONSE_BYTES:
                    raise _TooLarge
                chunks.append(chunk)
            return response.status_code, b"".join(chunks)


def _message_content(raw: bytes) -> Any:
    try:
        completion = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise AnswerError("the model endpoint answered malformed JSON, not a chat completion") from exc
    try:
        return completion["choices"][0]["message"]["content"]
    except (KeyError, IndexError, TypeError) as exc:
        raise AnswerError(
            "the model endpoint's answer is not a chat completion (no choices[0].message)"
        ) from exc
