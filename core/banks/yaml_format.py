"""Bank files in YAML, the canonical format (docs/banks.md): read with line numbers, and written.

Reading is fast (the C loader when present) and finds line numbers only when there is a problem
to report: the built-in bank of 270 questions is read this way at every start.
"""

from __future__ import annotations

from typing import Any

import yaml

from core.banks.document import (
    BankDocument,
    BankFileError,
    FieldPath,
    Problem,
    validate_bank,
)
from core.domain.model import Question

__all__ = ["dump_yaml_bank", "parse_yaml_bank"]

_Loader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_Dumper: type[yaml.SafeDumper] = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


def parse_yaml_bank(text: str, source: str) -> BankDocument:
    """The bank in `text` (named `source` in messages); BankFileError naming the lines if bad."""
    try:
        data = yaml.load(text, Loader=_Loader)  # a safe loader: no arbitrary objects
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f"{source} line {mark.line + 1}" if mark is not None else source
        problem = getattr(error, "problem", None) or str(error)
        raise BankFileError([Problem(where, f"is not valid YAML: {problem}")]) from None
    return validate_bank(data, _YamlLines(text, source))


class _YamlLines:
    """Where each field of a YAML document is: found from its nodes, once, when first asked."""

    def __init__(self, text: str, source: str) -> None:
        self.text, self.source = text, source
        self.lines: dict[FieldPath, int] | None = None

    def __call__(self, path: FieldPath) -> str:
        if self.lines is None:
            self.lines = {}
            root = yaml.compose(self.text, Loader=_Loader)
            if root is not None:
                self._walk(root, ())
        for end in range(len(path), -1, -1):  # a missing field: where its question starts
            if path[:end] in self.lines:
                return f"{self.source} line {self.lines[path[:end]]}"
        return f"{self.source} line 1"

    def _walk(self, node: yaml.Node, path: FieldPath) -> None:
        assert self.lines is not None
        self.lines.setdefault(path, node.start_mark.line + 1)
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                child = (*path, str(key.value))
                self.lines[child] = key.start_mark.line + 1
                self._walk(value, child)
        elif isinstance(node, yaml.SequenceNode):
            for index, item in enumerate(node.value):
                self._walk(item, (*path, index))


def dump_yaml_bank(questions: list[Question], *, name: str, description: str = "") -> str:
    """A YAML bank file that reads back to the same questions (ids, order and all)."""
    document: dict[str, Any] = {"name": name}
    if description:
        document["description"] = description
    document["questions"] = [_question(q) for q in questions]
    return yaml.dump(
        document,
        Dumper=_Dumper,
        sort_keys=False,
        allow_unicode=True,
        width=100,
        default_flow_style=False,
    )


def _question(question: Question) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "id": question.bank_id,
        "role": question.role.value,
        "difficulty": question.difficulty.value,
        "text": question.text,
        "reference_answer": question.reference_answer,
        "key_points": list(question.key_points),
    }
    if question.hint:
        fields["hint"] = question.hint
    if question.topics:
        fields["tags"] = list(question.topics)
    return fields
