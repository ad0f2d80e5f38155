"""Reading what follows `/interview`: pure, so the ack path can answer mistakes at once."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from core.domain.errors import (
    InvalidQuestionCount,
    InvalidReminder,
    UnknownDifficulty,
    UnknownRole,
)
from core.domain.qotd import QotdChange
from core.domain.qotd_errors import InvalidQotdSetting
from core.domain.qotd_parsing import change_from, options_from_words
from core.domain.reminders import parse_reminder
from core.domain.roles import Difficulty, Role


class Kind(StrEnum):
    MODAL = "modal"  # no arguments: open the form
    HELP = "help"
    HISTORY = "history"
    QUOTA = "quota"
    LINK = "link"
    END = "end"
    START = "start"
    REVIEW = "review"  # a session of the items due for review
    REMIND = "remind"  # `remind daily 09:00 Europe/Paris` or `remind off`
    QOTD = "qotd"  # the channel's question of the day: show, set, pause, resume, post-now
    LEADERBOARD = "leaderboard"  # show, join, leave
    BANK = "bank"  # the workspace's question bank: show, or `use NAME` (admins)
    INVALID = "invalid"


# Sub-commands whose answer needs the database or Redis: they run in a lazy listener.
NEEDS_CORE = frozenset(
    {
        Kind.HISTORY,
        Kind.QUOTA,
        Kind.LINK,
        Kind.END,
        Kind.START,
        Kind.REVIEW,
        Kind.REMIND,
        Kind.QOTD,
        Kind.LEADERBOARD,
        Kind.BANK,
    }
)
QOTD_ACTIONS = {
    "show": "show",
    "status": "show",
    "set": "set",
    "setup": "set",
    "pause": "pause",
    "resume": "resume",
    "post-now": "post-now",
    "now": "post-now",
}
LEADERBOARD_ACTIONS = ("show", "join", "leave")
WORDS = {
    "help": Kind.HELP,
    "?": Kind.HELP,
    "history": Kind.HISTORY,
    "quota": Kind.QUOTA,
    "link": Kind.LINK,
    "end": Kind.END,
    "stop": Kind.END,
    "review": Kind.REVIEW,
}
ADAPTIVE = "adaptive"  # a word anywhere in a start: the level follows the answers


@dataclass(frozen=True, slots=True)
class Command:
    kind: Kind
    role: Role | None = None
    difficulty: Difficulty | None = None
    questions: int | None = None
    error: str = ""  # what to tell the user when kind is INVALID
    adaptive: bool = False
    remind: str = ""  # what follows `remind`, checked already
    action: str = ""  # QOTD / LEADERBOARD: what to do
    change: QotdChange | None = None  # QOTD set: the settings asked for
    bank: str = ""  # BANK use: the bank's name


def parse_command(text: str | None, *, max_questions: int) -> Command:
    """`backend medium 5`, `system design hard adaptive`, `ml`, `help`, `review`,
    `remind daily 09:00 Europe/Paris`, ... or nothing."""
    tokens = (text or "").split()
    if not tokens:
        return Command(Kind.MODAL)
    if len(tokens) == 1 and tokens[0].lower() in WORDS:
        return Command(WORDS[tokens[0].lower()])
    if tokens[0].lower() == "remind":
        return _remind(" ".join(tokens[1:]))
    if tokens[0].lower() == "qotd":
        return _qotd(tokens[1:])
    if tokens[0].lower() == "bank":
        return _bank(tokens[1:])
    if tokens[0].lower() in ("leaderboard", "board"):
        action = tokens[1].lower() if len(tokens) > 1 else "show"
        if action not in LEADERBOARD_ACTIONS or len(tokens) > 2:
            return Command(
                Kind.INVALID, error="Use `/interview leaderboard`, `… join` or `… leave`."
            )
        return Command(Kind.LEADERBOARD, action=action)
    adaptive = any(t.lower() == ADAPTIVE for t in tokens)
    tokens = [t for t in tokens if t.lower() != ADAPTIVE]
    if not tokens:
        return Command(Kind.INVALID, error="Name a role first, e.g. `/interview backend adaptive`.")
    questions = None
    if tokens[-1].isdigit():
        questions = int(tokens.pop())
        if not 1 <= questions <= max_questions:
            return Command(
                Kind.INVALID, error=_message_for(InvalidQuestionCount(questions, max_questions))
            )
    if not tokens:
        return Command(Kind.INVALID, error="Name a role first, e.g. `/interview backend medium 5`.")
    try:
        role, difficulty = _role_and_difficulty(tokens)
    except (UnknownRole, UnknownDifficulty) as error:
        return Command(Kind.INVALID, error=_message_for(error))
    return Command(
        Kind.START, role=role, difficulty=difficulty, questions=questions, adaptive=adaptive
    )


def _message_for(error: BaseException) -> str:
    """The error's Slack text. bots.slack.errors renders with the interview cards (blocks, the
    domain's labels): only a mistyped command loads it, not a container's first start."""
    from bots.slack.errors import message_for

    return message_for(error)


def _remind(setting: str) -> Command:
    try:
        parse_reminder(setting)  # refused at once; the core reads it again when storing it
    except InvalidReminder as error:
        return Command(Kind.INVALID, error=error.message)
    return Command(Kind.REMIND, remind=setting)


def _qotd(words: list[str]) -> Command:
    """`qotd`, `qotd set at 09:30 until 17:00 tz Europe/Paris days mon-fri roles backend`, …"""
    action = QOTD_ACTIONS.get(words[0].lower() if words else "show")
    if action is None:
        return Command(
            Kind.INVALID,
            error="Use `/interview qotd` with `show`, `set …`, `pause`, `resume` or `post-now`.",
        )
    if action != "set":
        return Command(Kind.QOTD, action=action)
    try:
        change = change_from(options_from_words(words[1:]))
    except InvalidQotdSetting as error:
        return Command(Kind.INVALID, error=error.message)
    return Command(Kind.QOTD, action=action, change=change)


def _bank(words: list[str]) -> Command:
    """`bank` (which bank, and the others) or `bank use NAME`."""
    if not words or (len(words) == 1 and words[0].lower() in ("show", "list")):
        return Command(Kind.BANK, action="show")
    if words[0].lower() == "use" and len(words) == 2:
        return Command(Kind.BANK, action="use", bank=words[1])
    return Command(Kind.INVALID, error="Use `/interview bank` or `/interview bank use NAME`.")


def _role_and_difficulty(tokens: list[str]) -> tuple[Role, Difficulty]:
    """The last word is the difficulty when it is one; roles may span words ("system design")."""
    if len(tokens) == 1:
        return Role.parse(tokens[0]), Difficulty.DEFAULT
    try:
        difficulty = Difficulty.parse(tokens[-1])
    except UnknownDifficulty:
        try:
            Role.parse(" ".join(tokens[:-1]))
        except UnknownRole:
            return Role.parse(" ".join(tokens)), Difficulty.DEFAULT  # "system design"
        raise  # a known role followed by an unknown difficulty: say which word was wrong
    return Role.parse(" ".join(tokens[:-1])), difficulty
