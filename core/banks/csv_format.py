"""Bank files as CSV (a spreadsheet's export): one question per row, a header row naming columns.

Rows are numbered as a spreadsheet numbers them: the header is row 1, the first question row 2.
Key points are separated by line breaks in the cell or by " | "; tags by commas or " | ".
"""

from __future__ import annotations

import csv
import io
import re
from typing import Any

from core.banks.document import (
    QUESTION_FIELDS,
    BankDocument,
    BankFileError,
    FieldPath,
    Problem,
    validate_bank,
)

__all__ = ["parse_csv_bank"]

COLUMN_ALIASES = {"question": "text", "reference": "reference_answer", "topics": "tags"}
_POINT_SEPARATOR = re.compile(r"\s*(?:\r?\n|\|)\s*")
_TAG_SEPARATOR = re.compile(r"\s*[,|]\s*")


def parse_csv_bank(text: str, source: str) -> BankDocument:
    """The bank in CSV `text`; BankFileError naming the rows and columns if bad."""
    rows = list(csv.reader(io.StringIO(text.removeprefix("\ufeff"))))
    if not rows:
        raise BankFileError([Problem(f"{source} row 1", "the file is empty (no header row)")])
    header = [COLUMN_ALIASES.get(_column(c), _column(c)) for c in rows[0]]
    unknown = [c for c in header if c and c not in QUESTION_FIELDS]
    if unknown:
        message = f"unknown column '{unknown[0]}' (columns: {', '.join(QUESTION_FIELDS)})"
        raise BankFileError([Problem(f"{source} row 1", message)])
    questions: list[dict[str, Any]] = []
    row_numbers: list[int] = []
    for number, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue  # a blank line between questions
        if len(row) > len(header):
            message = f"has {len(row)} cells but the header names {len(header)} columns"
            raise BankFileError([Problem(f"{source} row {number}", message)])
        cells = {column: cell.strip() for column, cell in zip(header, row, strict=False) if column}
        questions.append(_question(cells))
        row_numbers.append(number)

    def locate(path: FieldPath) -> str:
        if len(path) >= 2 and isinstance(path[1], int) and path[1] < len(row_numbers):
            return f"{source} row {row_numbers[path[1]]}"
        return f"{source} row 1"

    return validate_bank({"questions": questions}, locate)


def _column(name: str) -> str:
    return "_".join(name.strip().lower().replace("-", " ").split())


def _question(cells: dict[str, str]) -> dict[str, Any]:
    """One row as the fields of a question; empty cells are left out (as missing)."""
    question: dict[str, Any] = {k: v for k, v in cells.items() if v}
    if "key_points" in question:
        question["key_points"] = [p for p in _POINT_SEPARATOR.split(question["key_points"]) if p]
    if "tags" in question:
        question["tags"] = [t for t in _TAG_SEPARATOR.split(question["tags"]) if t]
    return question
