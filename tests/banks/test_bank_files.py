"""The bank file format: the shipped bank is a bank file, three formats read alike, and a bad
file is refused whole, naming the file, the line (or row) and the field."""

from __future__ import annotations

import json
import re
from importlib import resources
from pathlib import Path

import jsonschema
import pytest
import yaml

from core.adapters.offline.bank import load_shipped_questions
from core.banks import BankFileError, dump_yaml_bank, parse_bank, read_bank_file
from core.domain.roles import Difficulty, Role

EXAMPLES = Path(__file__).parents[2] / "docs" / "examples" / "banks"
SCHEMA = json.loads(resources.files("core.banks").joinpath("bank.schema.json").read_text())
BUILTIN = resources.files("core.banks").joinpath("builtin.yaml").read_text(encoding="utf-8")


def schema_errors(document: object) -> list[str]:
    validator = jsonschema.Draft202012Validator(SCHEMA)
    return [error.message for error in validator.iter_errors(document)]


def test_the_shipped_bank_is_one_bank_file_that_validates_against_the_schema() -> None:
    jsonschema.Draft202012Validator.check_schema(SCHEMA)
    assert schema_errors(yaml.safe_load(BUILTIN)) == []
    questions = load_shipped_questions()
    assert len(questions) == 270
    assert {(q.role, q.difficulty) for q in questions} == {(r, d) for r in Role for d in Difficulty}


def test_the_shipped_bank_keeps_the_stable_ids_history_and_review_follow() -> None:
    ids = [q.bank_id or "" for q in load_shipped_questions()]
    assert len(set(ids)) == 270
    for question in load_shipped_questions():  # the ids the JSON files had: role-level-NN
        assert (
            question.bank_id
            == f"{question.role.value}-{question.difficulty.value}-"
            + (question.bank_id or "").rsplit("-", 1)[1]
        )
        assert re.fullmatch(r"\d\d", (question.bank_id or "").rsplit("-", 1)[1])
    assert "backend-medium-07" in ids and "machine-learning-hard-02" in ids


@pytest.mark.parametrize("extension", ["yaml", "csv", "md"])
def test_the_documented_examples_read_to_the_same_questions(extension: str) -> None:
    document = read_bank_file(EXAMPLES / f"platform-team.{extension}")
    reference = read_bank_file(EXAMPLES / "platform-team.yaml")
    assert document.questions == reference.questions
    assert [q.bank_id for q in document.questions] == [
        "rate-limiter",
        "idempotent-payments",
        "deploy-rollback",
    ]
    first = document.questions[0]
    assert first.role is Role.BACKEND and first.difficulty is Difficulty.MEDIUM
    assert first.topics == ("api-design", "redis")
    assert len(first.key_points) == 4 and first.hint.startswith("Where is the counter")


def test_the_example_yaml_validates_against_the_schema_too() -> None:
    assert schema_errors(yaml.safe_load((EXAMPLES / "platform-team.yaml").read_text())) == []


def test_an_export_reads_back_to_the_same_questions() -> None:
    questions = list(load_shipped_questions())
    exported = dump_yaml_bank(questions, name="builtin")
    assert parse_bank("again.yaml", exported.encode()).questions == tuple(questions)
    assert schema_errors(yaml.safe_load(exported)) == []


def test_a_question_without_an_id_gets_one_from_its_text_that_stays_the_same() -> None:
    text = QUESTION.replace("  - id: q1\n    role", "  - role")
    first = parse_bank("a.yaml", text.encode()).questions[0]
    again = parse_bank("b.yaml", text.encode()).questions[0]
    assert first.bank_id == again.bank_id
    assert re.fullmatch(r"backend-medium-[0-9a-f]{8}", first.bank_id or "")


QUESTION = """questions:
  - id: q1
    role: backend
    difficulty: medium
    text: What does an index do?
    reference_answer: It speeds up lookups.
    key_points:
      - speeds up reads
      - slows down writes
"""


def refusal(filename: str, text: str) -> str:
    with pytest.raises(BankFileError) as caught:
        parse_bank(filename, text.encode())
    return caught.value.message


def test_yaml_problems_name_the_file_the_line_and_the_field() -> None:
    one_point = QUESTION.replace("      - slows down writes\n", "")
    assert refusal("questions.yaml", one_point) == (
        "questions.yaml line 7: key_points must list 2–8 items"
    )
    # Every problem is reported, each at its own line; and the schema refuses the same file.
    bad = QUESTION.replace("role: backend", "role: chef").replace("  - id: q1\n", "  - id: 'a b'\n")
    message = refusal("team.yaml", bad + "    colour: blue\n")
    assert "team.yaml line 2: id 'a b' must be" in message
    assert "team.yaml line 3: role 'chef' is not one of the interview roles" in message
    assert "team.yaml line 10: unknown question field 'colour'" in message
    assert schema_errors(yaml.safe_load(bad)) != []


def test_a_missing_field_is_reported_where_its_question_starts() -> None:
    text = QUESTION + QUESTION.split("questions:\n")[1].replace("id: q1", "id: q2").replace(
        "    reference_answer: It speeds up lookups.\n", ""
    )
    assert refusal("x.yaml", text) == "x.yaml line 10: reference_answer is required"


def test_yaml_that_does_not_parse_names_its_line() -> None:
    assert refusal("x.yml", QUESTION + "    hint: [unclosed\n").startswith("x.yml line 1")
    assert re.match(
        r"x\.yml line (10|11): is not valid YAML",
        refusal("x.yml", QUESTION + "  bad: : :\n   - x\n"),
    )


def test_duplicate_ids_name_both_places() -> None:
    text = QUESTION + QUESTION.split("questions:\n")[1]
    assert (
        refusal("x.yaml", text) == "x.yaml line 10: id 'q1' is used twice (first at x.yaml line 2)"
    )


def test_a_models_draft_is_refused_until_a_person_marks_it_reviewed() -> None:
    message = refusal("draft.yaml", "draft: true\n" + QUESTION)
    assert message.startswith("draft.yaml line 1: draft: this file is a model's draft")
    assert parse_bank("draft.yaml", ("draft: false\n" + QUESTION).encode()).questions


def test_csv_problems_name_the_row() -> None:
    header = "id,role,difficulty,text,reference_answer,key_points\n"
    good = "a,backend,easy,What is HTTP?,A protocol.,requests | responses\n"
    bad = "b,backend,easy,What is TCP?,A protocol.,only one point\n"
    assert refusal("team.csv", header + good + bad) == (
        "team.csv row 3: key_points must list 2–8 items"
    )
    assert refusal("team.csv", "id,colour\n").startswith("team.csv row 1: unknown column 'colour'")


def test_markdown_problems_name_the_line() -> None:
    text = (
        (EXAMPLES / "platform-team.md")
        .read_text()
        .replace("- difficulty: easy", "- difficulty: brutal")
    )
    line = text.splitlines().index("- difficulty: brutal") + 1
    assert (
        refusal("team.md", text)
        == f"team.md line {line}: difficulty 'brutal' must be easy, medium or hard"
    )


def test_files_of_unknown_formats_or_encodings_are_refused() -> None:
    assert "unknown bank format" in refusal("team.txt", QUESTION)
    with pytest.raises(BankFileError, match=r"team.yaml line 2: is not UTF-8"):
        parse_bank("team.yaml", b"questions:\n  - \xff\n")


def test_roles_are_the_interview_roles_and_their_aliases_as_the_schema_lists() -> None:
    listed = SCHEMA["$defs"]["question"]["properties"]["role"]["enum"]
    assert {Role.parse(name) for name in listed} == set(Role)
    text = QUESTION.replace("role: backend", "role: ml")
    assert parse_bank("x.yaml", text.encode()).questions[0].role is Role.MACHINE_LEARNING


def test_a_draft_from_bank_generate_imports_once_a_person_marks_it_reviewed() -> None:
    from datetime import UTC, datetime

    from core.services.drafting import DraftedBank, draft_bank_yaml

    tricky = load_shipped_questions()[0]
    drafted = DraftedBank(
        role=tricky.role,
        difficulty=tricky.difficulty,
        questions=(tricky, load_shipped_questions()[1]),
        requested=2,
        drafted_by='gpt-4o-mini "test"',
        source="job: backend.txt",
        generated_at=datetime(2026, 12, 6, 7, 0, tzinfo=UTC),
    )
    draft = draft_bank_yaml(drafted)
    message = refusal("backend-easy-draft.yaml", draft)
    assert message.startswith("backend-easy-draft.yaml line 5: draft: this file is a model's")
    reviewed = parse_bank("reviewed.yaml", draft.replace("draft: true\n", "").encode())
    assert [q.text for q in reviewed.questions] == [q.text for q in drafted.questions]
    assert schema_errors(yaml.safe_load(draft.replace("draft: true\n", ""))) == []
