"""Reading a bank file of any supported format, chosen by its name's extension."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from core.banks.csv_format import parse_csv_bank
from core.banks.document import BankDocument, BankFileError, Problem
from core.banks.markdown_format import parse_markdown_bank
from core.banks.yaml_format import parse_yaml_bank

__all__ = ["FORMATS", "MAX_FILE_BYTES", "parse_bank", "read_bank_file"]

MAX_FILE_BYTES = 5_000_000  # 2,000 questions of the largest kind fit well within it
FORMATS: dict[str, Callable[[str, str], BankDocument]] = {
    ".yaml": parse_yaml_bank,
    ".yml": parse_yaml_bank,
    ".csv": parse_csv_bank,
    ".md": parse_markdown_bank,
    ".markdown": parse_markdown_bank,
}


def read_bank_file(path: Path) -> BankDocument:
    """The bank in the file at `path`; BankFileError (naming file, line and field) if it is bad."""
    try:
        data = path.read_bytes()
    except OSError as error:
        raise BankFileError([Problem(str(path), f"cannot be read: {error.strerror}")]) from None
    return parse_bank(path.name, data)


def parse_bank(filename: str, data: bytes) -> BankDocument:
    """The bank in `data`, read as the format its `filename` names (an upload, a file)."""
    reader = FORMATS.get(Path(filename).suffix.lower())
    if reader is None:
        known = ", ".join(sorted(FORMATS))
        raise BankFileError([Problem(filename, f"unknown bank format (use one of: {known})")])
    if len(data) > MAX_FILE_BYTES:
        raise BankFileError([Problem(filename, f"is larger than {MAX_FILE_BYTES:,} bytes")])
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise BankFileError([Problem(f"{filename} line {line}", "is not UTF-8 text")]) from None
    return reader(text, filename)
