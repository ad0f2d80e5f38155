"""`interviewbot bank import|list|export|remove`: manage the question banks stored in the database.

Files are read and checked by core.banks (YAML, CSV, Markdown; docs/banks.md); a file with any
problem imports nothing, and every problem names the file, the line or row and the field.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

__all__ = ["register_management"]


def register_management(actions: argparse._SubParsersAction) -> None:
    """Add import, list, export and remove to `interviewbot bank`."""
    importer = actions.add_parser(
        "import",
        help="import a bank file (YAML, CSV or Markdown); a new version if NAME exists",
        description="Check a bank file and store it as question bank NAME (its next version "
        "when NAME exists). A file with any problem imports nothing. Formats: docs/banks.md.",
    )
    importer.add_argument("path", type=Path, metavar="PATH", help=".yaml, .yml, .csv or .md")
    importer.add_argument("--name", required=True, help="the bank's name, e.g. platform-team")
    importer.add_argument(
        "--scope",
        default="global",
        help="who may use it: global (default), workspace:<Slack team id>, guild:<Discord id>",
    )
    importer.set_defaults(handler=_import)

    listing = actions.add_parser("list", help="the banks: name, version, scope, what they hold")
    listing.set_defaults(handler=_list)

    exporter = actions.add_parser(
        "export", help="write a bank's latest version as YAML (imports back the same)"
    )
    exporter.add_argument("name", metavar="NAME", help="a bank's name, or builtin")
    exporter.add_argument("--out", type=Path, metavar="FILE", help="default: standard output")
    exporter.set_defaults(handler=_export)

    remover = actions.add_parser(
        "remove", help="take a bank out of use (interviews that used it keep their history)"
    )
    remover.add_argument("name", metavar="NAME")
    remover.set_defaults(handler=_remove)


def _import(args: argparse.Namespace) -> int:
    from core.banks import BankFileError, read_bank_file
    from core.bootstrap import build_core
    from core.domain.banks import BankScope, check_bank_name
    from core.services.banks import import_bank

    name, scope = check_bank_name(args.name), BankScope.parse(args.scope)  # before the file
    try:
        document = read_bank_file(args.path)
    except BankFileError as error:
        print(f"{error.message}\nNothing was imported.", file=sys.stderr)
        return 1
    info = import_bank(
        build_core().deps, document=document, name=name, scope=str(scope), source=args.path.name
    )
    count = info.question_count
    print(
        f"Imported {count} question{'s' * (count != 1)} from {args.path.name} as bank "
        f"'{info.name}' version {info.version} ({info.scope}): {info.offers()}."
    )
    return 0


def _list(_: argparse.Namespace) -> int:
    from core.bootstrap import build_core
    from core.domain.banks import BUILTIN_BANK
    from core.services.banks import builtin_question_count, list_banks

    core = build_core()
    shipped = builtin_question_count(core.deps)
    print(f"{'NAME':<24} {'VERSION':>7}  {'QUESTIONS':>9}  {'SCOPE':<28} ROLES (LEVELS)")
    print(
        f"{BUILTIN_BANK:<24} {'-':>7}  {shipped:>9}  {'global':<28} every role (easy, medium, hard)"
    )
    for bank in list_banks(core.deps):
        print(
            f"{bank.name:<24} {bank.version:>7}  {bank.question_count:>9}  "
            f"{bank.scope!s:<28} {bank.offers()}"
        )
    return 0


def _export(args: argparse.Namespace) -> int:
    from core.bootstrap import build_core
    from core.services.banks import export_bank

    text = export_bank(build_core().deps, name=args.name)
    if args.out is None:
        sys.stdout.write(text)
        return 0
    try:
        args.out.write_text(text, encoding="utf-8")
    except OSError as error:
        print(f"interviewbot bank export: cannot write {args.out}: {error}", file=sys.stderr)
        return 1
    print(f"Wrote bank '{args.name}' to {args.out}.")
    return 0


def _remove(args: argparse.Namespace) -> int:
    from core.bootstrap import build_core
    from core.services.banks import remove_bank

    remove_bank(build_core().deps, name=args.name)
    print(
        f"Removed bank '{args.name}'. Interviews that used it keep their questions and history; "
        "workspaces that chose it use the built-in bank again."
    )
    return 0
