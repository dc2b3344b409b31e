"""The narrative's prompt and the checks on its answer, as pure functions (no I/O).

The model sees the evidence and nothing else: one line per item, led by its id. It must answer a JSON
object ``{"narrative": "...", "citations": ["id", ...]}`` and cite ids in square brackets after each
claim. An answer is accepted only when it is that object, its text is within ``MAX_NARRATIVE_CHARS``,
and it cites at least one id of the pack; citations of ids the pack does not hold are removed from the
text and the list, and counted, so an invented source never reaches the caller.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import orjson

MAX_PROMPT_ITEMS = 60
"""Items shown to the model: the pack's best, enough for a brief; the rest stay in the evidence."""
MAX_ITEM_CHARS = 400
MAX_FRAMEWORK_CHARS = 500
MAX_NARRATIVE_WORDS = 350
MAX_NARRATIVE_CHARS = 4000
"""About 350 words with citations; a longer answer ignored the instructions (or is not prose)."""

FRAMEWORKS: dict[str, str] = {
    "pmesii-pt": "PMESII-PT: Political, Military, Economic, Social, Information, Infrastructure, "
    "Physical environment and Time; one short paragraph per variable the evidence speaks to.",
    "debt cycle": "Ray Dalio's debt-cycle lens: where the economy sits in the short- and long-term debt "
    "cycles, credit conditions, currency and policy room, as far as the evidence shows.",
    "swot": "SWOT: strengths, weaknesses, opportunities and threats.",
    "dime": "DIME: the Diplomatic, Information, Military and Economic instruments of power.",
    "porter": "Porter's five forces, where the evidence bears on them.",
}
"""Short names an agent may pass as ``framework``; any other text is used as the lens itself."""

_CITATION = re.compile(r"\[([A-Za-z][\w.-]*:[^\[\]\s]{1,200})\]")
_FENCE = re.compile(r"^\s*```(?:json)?\s*|\s*```\s*$", re.IGNORECASE)


def framework_lens(framework: str | None) -> str | None:
    if not framework or not framework.strip():
        return None
    text = " ".join(framework.split())[:MAX_FRAMEWORK_CHARS]
    return FRAMEWORKS.get(text.lower().replace("_", " ").replace("pmesii pt", "pmesii-pt"), text)


def evidence_line(item: dict[str, Any]) -> str:
    """``[id] domain | source | time | countries | title | facts`` for one wire item."""
    parts = [
        f"[{item['id']}]",
        str(item.get("domain", "")),
        str(item.get("source", "")),
        str(item.get("time") or "undated"),
        ",".join(item.get("countries") or []) or "-",
        str(item.get("title", "")),
    ]
    facts = item.get("facts")
    if facts:
        parts.append(orjson.dumps(facts).decode())
    line = " | ".join(parts)
    return line if len(line) <= MAX_ITEM_CHARS else line[: MAX_ITEM_CHARS - 1] + "…"


def build_messages(task: str, items: Sequence[dict[str, Any]], framework: str | None) -> list[dict[str, str]]:
    lens = framework_lens(framework)
    system = (
        "You are an intelligence analyst. Write only from the evidence the user gives you: every "
        "statement must rest on one or more evidence items, cited by id in square brackets right after "
        "it, like [quake:us7000c93g]. Never cite an id that is not in the evidence, and add no facts "
        "from elsewhere. Say plainly when the evidence is thin or old. "
        f"Write at most {MAX_NARRATIVE_WORDS} words. Answer with one JSON object and nothing else: "
        '{"narrative": "<your text with [id] citations>", "citations": ["<id>", ...]}.'
    )
    if lens:
        system += f" Analytical lens: {lens}"
    evidence = "\n".join(evidence_line(item) for item in items[:MAX_PROMPT_ITEMS])
    user = f"Task: {task}\n\nEvidence (id | domain | source | time | countries | title | facts):\n{evidence}"
    return [{"role": "system", "content": system}, {"role": "user", "content": user}]


class AnswerError(ValueError):
    """The model's answer cannot be used; the message is the reason given to the caller."""


@dataclass(frozen=True, slots=True)
class CheckedNarrative:
    text: str
    citations: tuple[str, ...]
    stripped: int
    """Citations of ids that are not in the pack, removed."""


def parse_answer(content: Any) -> dict[str, Any]:
    """The JSON object in a chat completion's message content (a code fence around it is tolerated)."""
    if not isinstance(content, str) or not content.strip():
        raise AnswerError("the model answered no text")
    text = _FENCE.sub("", content.strip())
    try:
        value = orjson.loads(text)
    except orjson.JSONDecodeError:
        start, end = text.find("{"), text.rfind("}")
        try:
            value = orjson.loads(text[start : end + 1]) if 0 <= start < end else None
        except orjson.JSONDecodeError:
            value = None
    if not isinstance(value, dict):
        raise AnswerError('the model did not answer the JSON object asked for ({"narrative", "citations"})')
    return value


def check_citations(answer: dict[str, Any], known_ids: set[str]) -> CheckedNarrative:
    narrative = answer.get("narrative")
    if not isinstance(narrative, str) or not narrative.strip():
        raise AnswerError('the model\'s answer has no "narrative" text')
    if len(narrative) > MAX_NARRATIVE_CHARS:
        raise AnswerError(
            f"the model's narrative is {len(narrative)} characters, over the {MAX_NARRATIVE_CHARS} allowed"
        )
    listed = answer.get("citations")
    claimed = [c for c in listed if isinstance(c, str)] if isinstance(listed, list) else []
    claimed += _CITATION.findall(narrative)
    invalid = {c for c in claimed if c not in known_ids}

    def keep_known(found: re.Match[str]) -> str:
        return found.group(0) if found.group(1) in known_ids else ""

    text = re.sub(r"[ \t]{2,}", " ", _CITATION.sub(keep_known, narrative)).strip()
    valid = tuple(dict.fromkeys(c for c in claimed if c in known_ids))
    if not valid:
        raise AnswerError(
            "the model cited none of the evidence ids"
            + (f" ({len(invalid)} invented citations removed)" if invalid else "")
        )
    return CheckedNarrative(text, valid, len(invalid))
