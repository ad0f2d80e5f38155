"""Question banks as data: the bank file format (YAML, CSV, Markdown), its checks and schema.

docs/banks.md documents the format; bank.schema.json states it as a JSON Schema; builtin.yaml
is the bank shipped with the package.
"""

from core.banks.document import BankDocument, BankFileError, Problem
from core.banks.files import parse_bank, read_bank_file
from core.banks.yaml_format import dump_yaml_bank

__all__ = [
    "BankDocument",
    "BankFileError",
    "Problem",
    "dump_yaml_bank",
    "parse_bank",
    "read_bank_file",
]
