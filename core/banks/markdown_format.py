"""Bank files in Markdown: a heading per question, its fields as a list, its answer as sections.

    ## How does a B-tree index speed up a lookup?
    - id: db-btree
    - role: backend
    - difficulty: medium
    - tags: databases, indexing
    - hint: Think about how many pages a lookup reads.

    ### Reference answer
    A B-tree keeps keys sorted in pages ...

    ### Key points
    - keys are kept sorted in a balanced tree of pages
    - a lookup reads O(log n) pages

Line numbers in messages are the file's own. docs/banks.md has the whole format.
"""

from __future__ import annotations

import re
from typing import Any

from core.banks.document import BankDocument, FieldPath, validate_bank

__all__ = ["parse_markdown_bank"]

_QUESTION = re.compile(r"^##\s+(?:Q(?:uestion)?\s*:\s*)?(?P<text>.*\S)\s*$", re.IGNORECASE)
_SECTION = re.compile(r"^###\s+(?P<title>.*\S)\s*$")
_ITEM = re.compile(r"^\s*[-*+]\s+(?P<item>.*\S)\s*$")
_FIELD = re.compile(r"^(?P<key>[A-Za-z_ -]+?)\s*:\s*(?P<value>.*)$")
SECTIONS = {
    "reference answer": "reference_answer",
    "reference": "reference_answer",
    "key points": "key_points",
    "hint": "hint",
    "question": "text",
}


def parse_markdown_bank(text: str, source: str) -> BankDocument:
    """The bank in Markdown `text`; BankFileError naming the lines if bad."""
    reader = _Reader()
    for number, line in enumerate(text.removeprefix("\ufeff").splitlines(), start=1):
        reader.feed(number, line)
    reader.close()
    lines = reader.lines

    def locate(path: FieldPath) -> str:
        for end in range(len(path), -1, -1):
            if path[:end] in lines:
                return f"{source} line {lines[path[:end]]}"
        return f"{source} line 1"

    document: dict[str, Any] = {"questions": reader.questions}
    if reader.description:
        document["description"] = " ".join(reader.description)
        lines[("description",)] = reader.description_line
    return validate_bank(document, locate)


class _Reader:
    """Reads line by line: which question, which section, and where each field started."""

    def __init__(self) -> None:
        self.questions: list[dict[str, Any]] = []
        self.lines: dict[FieldPath, int] = {}
        self.section: str | None = None  # the field a "### …" section fills, else None
        self.paragraph: list[str] = []
        self.description: list[str] = []  # the words before the first question
        self.description_line = 0

    def feed(self, number: int, line: str) -> None:
        if not self.questions and line.startswith("# "):
            return  # the file's title: free text (the bank's name is given on import)
        heading = _QUESTION.match(line) if line.startswith("## ") else None
        if heading:
            self.close()
            self.questions.append({"text": heading["text"]})
            index = len(self.questions) - 1
            self.lines[("questions", index)] = self.lines[("questions", index, "text")] = number
            self.section = None
            return
        if not self.questions:
            if line.strip():
                self.description_line = self.description_line or number
                self.description.append(line.strip())
            return
        section = _SECTION.match(line)
        if section:
            self.close()
            title = section["title"].strip().lower().rstrip(":")
            self.section = SECTIONS.get(title, title.replace(" ", "_"))
            self._mark(self.section, number)
            self.questions[-1].setdefault(self.section, None)
            return
        self._content(number, line)

    def _content(self, number: int, line: str) -> None:
        item = _ITEM.match(line)
        question = self.questions[-1]
        if self.section is None:
            field = _FIELD.match(item["item"]) if item else None
            if field:
                key = field["key"].strip().lower().replace(" ", "_")
                value = field["value"].strip()
                if key == "tags":  # "- tags: a, b" lists them on one line
                    question[key] = [t.strip() for t in value.split(",") if t.strip()]
                else:
                    question[key] = value
                self._mark(key, number)
            elif line.strip():  # more words of the question, under its heading
                question["text"] = f"{question['text']} {line.strip()}"
            return
        if self.section in ("key_points", "tags"):
            if item:
                points = question.get(self.section) or []
                self.lines[("questions", len(self.questions) - 1, self.section, len(points))] = (
                    number
                )
                question[self.section] = [*points, item["item"]]
            elif line.strip() and question.get(self.section):  # a wrapped item goes on
                question[self.section][-1] += f" {line.strip()}"
            return
        if line.strip() or self.paragraph:
            self.paragraph.append(line.strip())

    def close(self) -> None:
        """End the section being read: its paragraphs become the field's text."""
        if self.section and self.section not in ("key_points", "tags") and self.questions:
            text = "\n".join(self.paragraph).strip()
            text = re.sub(r"(?<!\n)\n(?!\n)", " ", text)  # wrapped lines join; blank lines stay
            self.questions[-1][self.section] = text or None
        self.paragraph = []

    def _mark(self, key: str, number: int) -> None:
        self.lines[("questions", len(self.questions) - 1, key)] = number
