"""The reply schemas as JSON Schema for servers that take one, and JSON read out of model text.

`response_schema` is what OpenAI's strict structured output accepts (every property required,
no others, no defaults) with every $ref inlined, which is also the plainest shape for the
grammar compilers of local servers (Ollama, vLLM). `payload_from_text` reads a reply whose
server did not enforce the schema: bare JSON, JSON in a code fence, JSON after prose or after a
reasoning model's <think> block; whatever it finds is validated against the same pydantic model.
"""

from __future__ import annotations

import json
import re
from typing import Any

from pydantic import BaseModel

__all__ = ["ParsedReply", "payload_from_text", "response_schema"]

_THINKING = re.compile(r"<think>.*?</think>", re.S | re.I)
_CODE_FENCE = re.compile(r"```[A-Za-z0-9_-]*\s*\n?(.*?)```", re.S)
_DECODER = json.JSONDecoder()


def response_schema(model: type[BaseModel]) -> dict[str, Any]:
    """The model's JSON Schema, strict-mode shaped and without references."""
    schema = model.model_json_schema()
    definitions = schema.pop("$defs", {})
    return _strict(_inline(schema, definitions))


def _inline(node: Any, definitions: dict[str, Any]) -> Any:
    if isinstance(node, dict):
        reference = node.get("$ref")
        if isinstance(reference, str) and reference.startswith("#/$defs/"):
            target = definitions[reference.removeprefix("#/$defs/")]
            extra = {k: v for k, v in node.items() if k != "$ref"}
            return _inline({**target, **extra}, definitions)
        return {key: _inline(value, definitions) for key, value in node.items()}
    if isinstance(node, list):
        return [_inline(item, definitions) for item in node]
    return node


def _strict(node: Any) -> Any:
    if isinstance(node, list):
        return [_strict(item) for item in node]
    if not isinstance(node, dict):
        return node
    shaped = {key: _strict(value) for key, value in node.items() if key != "default"}
    if shaped.get("type") == "object" and "properties" in shaped:
        shaped["required"] = list(shaped["properties"])
        shaped["additionalProperties"] = False
    return shaped


class ParsedReply:
    """A validated payload, and whether the reply was nothing but the JSON."""

    __slots__ = ("bare", "payload")

    def __init__(self, payload: BaseModel, *, bare: bool) -> None:
        self.payload = payload
        self.bare = bare


def payload_from_text(text: str, schema: type[BaseModel]) -> ParsedReply:
    """The schema's payload found in `text`; ValueError when none validates.

    `bare` is False when the JSON had to be dug out of prose or a code fence: proof that the
    server did not hold the model to the response format."""
    stripped = _THINKING.sub("", text or "").strip()
    if not stripped:
        raise ValueError("empty reply")
    candidates = _json_objects(stripped)
    if not candidates:
        raise ValueError("no JSON object in the reply")
    errors: list[str] = []
    for document, bare in candidates:
        try:
            return ParsedReply(schema.model_validate(document), bare=bare)
        except ValueError as exc:  # pydantic's ValidationError is a ValueError
            errors.append(str(exc).splitlines()[0])
    raise ValueError(f"no JSON object matched the schema ({errors[0]})")


def _json_objects(text: str) -> list[tuple[Any, bool]]:
    """JSON objects in the text, most likely first: the whole text, fenced blocks, then any."""
    try:
        whole = json.loads(text)
    except ValueError:
        pass
    else:
        return [(whole, True)] if isinstance(whole, dict) else []
    found: list[tuple[Any, bool]] = []
    for block in _CODE_FENCE.findall(text):
        try:
            document = json.loads(block.strip())
        except ValueError:
            continue
        if isinstance(document, dict):
            found.append((document, False))
    for match in re.finditer(r"\{", text):
        try:
            document, _end = _DECODER.raw_decode(text, match.start())
        except ValueError:
            continue
        if isinstance(document, dict):
            found.append((document, False))
            break  # the first complete object; nested ones are part of it
    return found
