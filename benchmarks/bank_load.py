"""Reading the built-in question bank (core/banks/builtin.yaml, 270 questions), which every
process does once at start (a Lambda before its snapshot), as a ratio to the JSON files the
bank was read from before it became a bank file.

Each sample, alternating:
  yaml:     parse_yaml_bank(builtin.yaml) — the C YAML loader, then every check of the format
            (roles, levels, lengths, 2–8 key points, tags, unique ids) into Question objects;
  baseline: json.loads of the same questions as JSON, one Question built per entry with no
            checks (what core/adapters/offline/bank.py did before issue 14);
  errors:   the same file with one problem in its last question: what an import reporting
            line numbers pays (the YAML node tree is composed only then).
Figures are medians over the runs; ratios are against the baseline of the same run.

    .venv/bin/python benchmarks/bank_load.py [--runs 30]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections.abc import Callable
from importlib import resources
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import yaml

from core.banks import BankFileError
from core.banks.yaml_format import parse_yaml_bank
from core.domain.model import Question
from core.domain.roles import Difficulty, Role


def from_json(text: str) -> tuple[Question, ...]:
    return tuple(
        Question(
            role=Role(raw["role"]),
            difficulty=Difficulty(raw["difficulty"]),
            text=raw["text"].strip(),
            reference_answer=raw["reference_answer"].strip(),
            key_points=tuple(p.strip() for p in raw["key_points"]),
            topics=tuple(raw.get("tags", ())),
            hint=raw.get("hint", "").strip(),
            bank_id=raw["id"],
        )
        for raw in json.loads(text)["questions"]
    )


def refused(text: str) -> Callable[[], object]:
    def run() -> object:
        try:
            return parse_yaml_bank(text, "builtin.yaml")
        except BankFileError as error:
            return error.problems

    return run


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30)
    runs = parser.parse_args().runs
    text = resources.files("core.banks").joinpath("builtin.yaml").read_text(encoding="utf-8")
    as_json = json.dumps(yaml.safe_load(text))
    head, _, tail = text.rpartition("difficulty: ")
    broken = head + "difficulty: brutal" + tail[tail.index("\n") :]  # the last question's
    cases: dict[str, Callable[[], object]] = {
        "baseline": lambda: from_json(as_json),
        "yaml": lambda: parse_yaml_bank(text, "builtin.yaml").questions,
        "errors": refused(broken),
    }
    assert cases["yaml"]() == cases["baseline"]()  # type: ignore[operator]
    assert "must be easy, medium or hard" in str(cases["errors"]())
    samples: dict[str, list[float]] = {name: [] for name in cases}
    for _ in range(runs):
        for name, call in cases.items():
            started = time.perf_counter()
            call()
            samples[name].append((time.perf_counter() - started) * 1000)
    base = statistics.median(samples["baseline"])
    loader = getattr(yaml, "CSafeLoader", None)
    print(f"runs: {runs}; YAML loader: {'CSafeLoader' if loader else 'SafeLoader (pure Python)'}")
    print("| measurement | median | ratio to baseline |")
    print("|---|---|---|")
    for name, label in (
        ("baseline", "JSON, no checks (before)"),
        ("yaml", "builtin.yaml, every check (now)"),
        ("errors", "a file with a problem: checks + line numbers"),
    ):
        median = statistics.median(samples[name])
        print(f"| {label} | {median:.1f} ms | {median / base:.2f} |")


if __name__ == "__main__":
    main()
