"""Drafting bank questions from a job description: the prompt, the reply schema, the checks.

Shared by every LLM provider (`interviewbot bank generate`). The job description is material
like a candidate's answer: fenced with a per-request boundary and read as data, never as
instructions. What comes back is a draft for a person to review, never used as it is: each
question needs a text, a reference answer, 2–8 key points and a hint, or it is dropped.
"""

from __future__ import annotations

import re

from pydantic import BaseModel, Field

from core.adapters.llm_prompt import Fence
from core.adapters.llm_retry import MAX_OUTPUT_TOKENS_CEILING
from core.domain.model import Question
from core.domain.roles import Difficulty, Role

__all__ = [
    "DRAFT_TEMPLATE_VERSION",
    "DraftPayload",
    "draft_budget",
    "draft_prompt",
    "draft_system_instruction",
    "drafts_from_payload",
]

DRAFT_TEMPLATE_VERSION = "llm-draft-1"
KEY_POINTS = (2, 8)
MAX_TAGS = 4
DRAFT_TEMPERATURE = 0.7  # varied questions; each is reviewed by a person anyway
_TAG = re.compile(r"[^a-z0-9]+")


class DraftedQuestionPayload(BaseModel):
    question: str = Field(description="The interview question, answerable in a chat message")
    reference_answer: str = Field(description="What a strong candidate answers, 4-8 sentences")
    key_points: list[str] = Field(
        description="2-8 short, checkable ideas the reference answer makes, one per item"
    )
    hint: str = Field(description="One sentence that nudges without giving the answer away")
    tags: list[str] = Field(description="1-4 lowercase topic slugs, e.g. caching, sql-indexes")


class DraftPayload(BaseModel):
    questions: list[DraftedQuestionPayload] = Field(description="The drafted questions")


def draft_budget(count: int) -> int:
    """Output tokens for `count` questions: generous, since thinking tokens share the budget."""
    return min(MAX_OUTPUT_TOKENS_CEILING, 4096 + 800 * count)


def draft_system_instruction(prompt_version: str, fence: Fence) -> str:
    """The drafting rules, with this request's fence."""
    return f"""\
[prompt {prompt_version}]
You are a senior interviewer preparing a mock technical interview for the job described in the \
job description. Write the requested number of distinct interview questions, at the requested \
difficulty, on the skills and technologies that job asks for.

Each question:
- is answerable in a few paragraphs in a chat message, without running code;
- comes with a reference answer (4-8 sentences) a strong candidate would give, technically \
correct and specific;
- lists 2-8 key points: short, checkable statements the reference answer makes, one idea each;
- has a one-sentence hint that nudges without giving the answer away;
- has 1-4 tags: short lowercase topic slugs.
Do not copy sentences from the job description; do not ask about the company itself, pay or \
benefits, or anything personal about the candidate.

{fence.rule()}

Reply with JSON matching the response schema and nothing else."""


def draft_prompt(
    role: Role, difficulty: Difficulty, count: int, job_description: str, fence: Fence
) -> str:
    """The request: the role, the level, how many, and the job description fenced as data."""
    return f"""\
Role: {role.label}
Difficulty: {difficulty.label}
Questions wanted: {count}

Job description:
{fence.wrap("job_description", job_description)}"""


def drafts_from_payload(
    payload: DraftPayload, role: Role, difficulty: Difficulty, count: int
) -> tuple[Question, ...]:
    """The usable drafts, at most `count`; ValueError when not one is usable (malformed)."""
    drafts: list[Question] = []
    seen: set[str] = set()
    for item in payload.questions:
        draft = _draft(item, role, difficulty)
        if draft is None or draft.text.casefold() in seen:
            continue
        seen.add(draft.text.casefold())
        drafts.append(draft)
        if len(drafts) == count:
            break
    if not drafts:
        raise ValueError("no drafted question had a text, a reference answer and 2-8 key points")
    return tuple(drafts)


def _draft(item: DraftedQuestionPayload, role: Role, difficulty: Difficulty) -> Question | None:
    text, reference = item.question.strip(), item.reference_answer.strip()
    points = [p.strip() for p in item.key_points if p.strip()]
    low, high = KEY_POINTS
    if not text or not reference or len(points) < low:
        return None
    tags = []
    for raw in item.tags:
        tag = _TAG.sub("-", raw.lower()).strip("-")
        if tag and tag not in tags:
            tags.append(tag)
    return Question(
        role=role,
        difficulty=difficulty,
        text=text,
        reference_answer=reference,
        key_points=tuple(points[:high]),
        topics=tuple(tags[:MAX_TAGS]),
        hint=item.hint.strip(),
    )
