"""Identifiers the Slack surface shares between rendering and listeners.

Every interview button carries `session_id:position`, so a click names the question it acts on:
a double click or a redelivered action finds its work done in the core (`duplicate=True`).
"""

from __future__ import annotations

from dataclasses import dataclass

COMMAND = "/interview"

# Interview buttons (their values are encoded QuestionRefs).
NEXT = "interview_next"
DEEPER = "interview_deeper"
HINT = "interview_hint"
SKIP = "interview_skip"
END = "interview_end"
RETRY = "interview_retry"
INTERVIEW_ACTIONS = (NEXT, DEEPER, HINT, SKIP, END, RETRY)

# Buttons without interview state.
HOME_START = "home_start"
REVIEW_START = "review_start"  # a review session in the DM (App Home, the reminder)
OPEN_DASHBOARD = "open_dashboard"  # a link button: Slack still sends an action, which we ack

# The question of the day: the Answer button (value: the post id), its modal, App Home toggles.
QOTD_ANSWER = "qotd_answer"
QOTD_MODAL = "qotd_answer_modal"
QOTD_ANSWER_BLOCK, QOTD_ANSWER_INPUT = "qotd_answer", "qotd_answer_text"
QOTD_JOIN, QOTD_LEAVE = "qotd_join", "qotd_leave"

# The start modal and its inputs.
START_MODAL = "interview_start"
ROLE_BLOCK, ROLE_INPUT = "role", "role_select"
DIFFICULTY_BLOCK, DIFFICULTY_INPUT = "difficulty", "difficulty_select"
COUNT_BLOCK, COUNT_INPUT = "questions", "questions_select"


def start_form_id(trigger_id: str) -> str:
    """The start form's external id: unique per opening, so the lazy step (which offers the
    workspace's bank) updates this one."""
    return f"start:{trigger_id}"[:255]


@dataclass(frozen=True, slots=True)
class QuestionRef:
    """Which session and which question (position) a button acts on."""

    session_id: int
    position: int

    def encode(self) -> str:
        return f"{self.session_id}:{self.position}"

    @classmethod
    def decode(cls, value: str) -> QuestionRef:
        """Parse a button value; ValueError for anything we did not write ourselves."""
        session, sep, position = (value or "").partition(":")
        if not sep or not session.isdigit() or not position.isdigit():
            raise ValueError(f"not an interview button value: {value!r}")
        return cls(int(session), int(position))
