"""Custom ids of the interview's buttons and modal: `ib:<action>:<session>:<position>:<owner>`.

Everything a press needs travels in the id, so buttons keep working after a restart (nothing is
held in memory) and every action names the question it acts on, which makes a double click or a
redelivery find its work done. The owner's user id lets a transport refuse someone else's press
before any I/O, which matters most for Answer: its modal must be the very first response.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

PREFIX = "ib"


class Action(StrEnum):
    ANSWER = "answer"  # button: open the answer modal
    SUBMIT = "submit"  # the modal itself
    NEXT = "next"
    DEEPER = "deeper"
    HINT = "hint"
    SKIP = "skip"
    END = "end"
    RETRY = "retry"


# The template discord.py's DynamicItem matches against every pressed button's custom id.
TEMPLATE = (
    rf"{PREFIX}:(?P<action>{'|'.join(a.value for a in Action)})"
    r":(?P<session>[0-9]{1,18}):(?P<position>[0-9]{1,4}):(?P<owner>[0-9]{1,20})"
)
_PATTERN = re.compile(TEMPLATE)


@dataclass(frozen=True, slots=True)
class CustomId:
    action: Action
    session_id: int
    position: int
    owner: str  # the Discord user id of the session's candidate

    def __str__(self) -> str:
        return f"{PREFIX}:{self.action}:{self.session_id}:{self.position}:{self.owner}"

    def with_action(self, action: Action) -> CustomId:
        return CustomId(action, self.session_id, self.position, self.owner)


def custom_id(action: Action, session_id: int, position: int, owner: str) -> str:
    return str(CustomId(action, session_id, position, owner))


def parse(value: str) -> CustomId | None:
    """The parsed id, or None for anything that is not one of ours (other bots, old formats)."""
    match = _PATTERN.fullmatch(value or "")
    if match is None:
        return None
    return CustomId(
        Action(match["action"]), int(match["session"]), int(match["position"]), match["owner"]
    )


# The question of the day's Answer button and its modal: `ibq:answer:<post>`, `ibq:submit:<post>`.
# Anyone in the channel may press it (each person answers once), so no owner rides along.
QOTD_PREFIX = "ibq"
QOTD_TEMPLATE = rf"{QOTD_PREFIX}:(?P<action>answer|submit):(?P<post>[0-9]{{1,18}})"
_QOTD_PATTERN = re.compile(QOTD_TEMPLATE)


@dataclass(frozen=True, slots=True)
class QotdId:
    action: str  # "answer" (the button) or "submit" (the modal)
    post_id: int

    def __str__(self) -> str:
        return f"{QOTD_PREFIX}:{self.action}:{self.post_id}"


def parse_qotd(value: str) -> QotdId | None:
    match = _QOTD_PATTERN.fullmatch(value or "")
    return QotdId(match["action"], int(match["post"])) if match else None
