"""The terminal interview: the embedded default's main job, scriptable when stdin is a pipe."""

from __future__ import annotations

import getpass
import sys
import uuid
from typing import TextIO

from rich.console import Console

from bots.console import render
from core import services
from core.domain.errors import InterviewError, NothingToReview, QuotaExceeded
from core.domain.interview import Step
from core.domain.model import ConversationRef, Platform, UserRef
from core.domain.results import (
    AnswerOutcome,
    AnswerStatus,
    HintGiven,
    QuestionAsked,
    SessionStarted,
    SessionSummary,
)
from core.services.deps import Deps

COMMANDS = (
    ("/hint", "a hint for this question (then one key point at a time)"),
    ("/skip", "skip this question (no score) and move on"),
    ("/retry", "evaluate your saved answer again after a failed evaluation"),
    ("/deeper", "after an evaluation: one follow-up question on what your answer missed"),
    ("/end", "end the interview now and see its summary"),
    ("/help", "this list"),
)
HELP = "Commands: " + "  ".join(name for name, _ in COMMANDS) + "  (/help explains them)"
EXIT_QUOTA = 3  # `interviewbot chat` refused: today's sessions are used up
EXIT_NOTHING_DUE = 4  # `interviewbot chat --review` with nothing due for review
EXIT_INTERRUPTED = 130


def help_text() -> str:
    lines = [f"  {name:<8} {what}" for name, what in COMMANDS]
    return "\n".join(["Answer in as many lines as you like and finish with an empty line.", *lines])


def terminal_user() -> UserRef:
    return UserRef(Platform.TERMINAL, "local", getpass.getuser())


class AnswerReader:
    """Reads one answer: a line when piped, or lines until an empty one when interactive."""

    def __init__(self, stream: TextIO, console: Console, *, interactive: bool) -> None:
        self.stream, self.console, self.interactive = stream, console, interactive
        self._pushed_back: list[str] = []

    def read(self, prompt: str) -> str | None:
        if self._pushed_back:
            return self._pushed_back.pop()
        if not self.interactive:
            line = self.stream.readline()
            return None if line == "" else line.rstrip("\n")
        self.console.print(f"[bold]{prompt}[/] [dim](finish with an empty line)[/]")
        lines: list[str] = []
        while True:
            line = self.stream.readline()
            if line == "":
                return "\n".join(lines) if lines else None
            if not line.strip():
                if lines:
                    return "\n".join(lines)
                continue
            lines.append(line.rstrip("\n"))
            if line.strip().startswith("/") and len(lines) == 1:
                return lines[0]

    def read_line(self, prompt: str) -> str | None:
        """One line, for a menu choice (an empty line is a valid answer; None at end of input)."""
        self.console.print(f"[dim]{prompt}[/]", end="")
        line = self.stream.readline()
        return None if line == "" else line.rstrip("\n")

    def next_choice(self) -> str:
        """Piped: peek at the next line; a /deeper or /end there is a choice, else an answer."""
        line = self.read("")
        if line is None:
            return ""
        if line.strip().lower() in ("/deeper", "/end"):
            return line.strip().lower()
        self._pushed_back.append(line)
        return ""


class TerminalInterview:
    def __init__(self, deps: Deps, console: Console, reader: AnswerReader, *, web_base_url: str):
        self.deps, self.console, self.reader = deps, console, reader
        self.web_base_url = web_base_url
        self.user = terminal_user()

    def run(
        self,
        *,
        role: str,
        difficulty: str | None,
        questions: int | None,
        adaptive: bool = False,
        bank: str | None = None,
    ) -> int:
        """A new interview from its first question to its summary; the exit code."""
        try:
            started = services.start_session(
                self.deps,
                conversation=self._conversation(),
                role=role,
                difficulty=difficulty,
                questions=questions,
                display_name=self.user.user,
                adaptive=adaptive,
                bank=bank,
            )
        except InterviewError as exc:
            self._error(exc.message)
            return EXIT_QUOTA if isinstance(exc, QuotaExceeded) else 1
        return self._begin(started)

    def review(self, *, questions: int | None) -> int:
        """A review session of what is due (exit code 4 when nothing is, with when it will be)."""
        try:
            started = services.start_review(
                self.deps,
                conversation=self._conversation(),
                questions=questions,
                display_name=self.user.user,
            )
        except NothingToReview as exc:
            self._error(exc.message.replace("Start a normal interview", "Run `interviewbot chat`"))
            return EXIT_NOTHING_DUE
        except InterviewError as exc:
            self._error(exc.message)
            return EXIT_QUOTA if isinstance(exc, QuotaExceeded) else 1
        return self._begin(started)

    def _conversation(self) -> ConversationRef:
        thread = f"cli-{uuid.uuid4().hex[:12]}"
        return ConversationRef(Platform.TERMINAL, "local", "terminal", self.user.user, thread)

    def _begin(self, started: SessionStarted) -> int:
        if started.quota:
            self.console.print(
                f"[dim]Session {started.quota.used} of {started.quota.limit} today.[/] {HELP}"
            )
        return self._loop(started)

    def resume(self) -> int:
        """Continue this terminal's interview in progress where it stopped."""
        session = services.latest_active_session(self.deps, user=self.user)
        if session is None:
            self._error("There is no interview in progress to resume; start a new one.")
            return 1
        interview = services.interview_of(self.deps, session_id=session.id, actor=self.user)
        current = QuestionAsked(session, interview.current)
        self.console.print(
            f"[dim]Resuming: {interview.label(current.question.position)}.[/] {HELP}"
        )
        if interview.step is Step.SKIPPED:  # skipped just before the pause: move on
            moved = services.next_question(
                self.deps,
                session_id=session.id,
                after_position=current.question.position,
                actor=self.user,
            )
            if isinstance(moved, SessionSummary):
                return self._finish(moved)
            current = moved
        elif interview.step is Step.EVALUATED:  # answered before the pause: where to go next
            outcome = services.retry_evaluation(
                self.deps,
                session_id=session.id,
                position=current.question.position,
                actor=self.user,
            )
            result = self._evaluated(current, outcome)
            if isinstance(result, SessionSummary):
                return self._finish(result)
            current = result or current
        return self._loop(current)

    def _loop(self, current: QuestionAsked) -> int:
        self.console.print(render.question_panel(current))
        while True:
            text = self.reader.read("Your answer")
            if text is None:  # end of input: close the session with what was answered
                return self._finish(self._end(current))
            result = self._handle(current, text.strip())
            if isinstance(result, SessionSummary):
                return self._finish(result)
            if result is not None:
                current = result
                self.console.print(render.question_panel(current))

    def _handle(self, current: QuestionAsked, text: str) -> QuestionAsked | SessionSummary | None:
        session_id, position = current.session.id, current.question.position
        command = text.lower()
        try:
            if command == "/hint":
                self.console.print(render.hint_text(self._hint(current)))
                return None
            if command == "/skip":
                return services.skip_question(
                    self.deps,
                    session_id=session_id,
                    position=position,
                    actor=self.user,
                    delivery_id=self._delivery(),
                )
            if command == "/end":
                return self._end(current)
            if command == "/retry":
                retried = services.retry_evaluation(
                    self.deps, session_id=session_id, position=position, actor=self.user
                )
                return self._evaluated(current, retried)
            if command == "/deeper":
                return self._error("Answer the question first; then /deeper asks a follow-up.")
            if command == "/help":
                self.console.print(help_text())
                return None
            if command.startswith("/"):
                return self._error(f"Unknown command {text}. {HELP}")
            with self.console.status("Evaluating…", spinner="dots"):
                outcome = services.submit_answer(
                    self.deps,
                    session_id=session_id,
                    actor=self.user,
                    text=text,
                    delivery_id=self._delivery(),
                )
            return self._evaluated(current, outcome)
        except InterviewError as exc:
            return self._error(exc.message)

    def _evaluated(
        self, current: QuestionAsked, outcome: AnswerOutcome
    ) -> QuestionAsked | SessionSummary | None:
        self.console.print(render.evaluation_panel(outcome))
        if outcome.status is not AnswerStatus.EVALUATED:
            self.console.print(render.error_text("Your answer is saved. Type /retry to try again."))
            return None
        position = current.question.position
        choice = self._choice_after(outcome)
        if choice == "/deeper":
            with self.console.status("Writing a follow-up…", spinner="dots"):
                return services.go_deeper(
                    self.deps, session_id=current.session.id, position=position, actor=self.user
                )
        if choice == "/end":
            return self._end(current)
        return services.next_question(
            self.deps, session_id=current.session.id, after_position=position, actor=self.user
        )

    def _choice_after(self, outcome: AnswerOutcome) -> str:
        """What to do after an evaluation: a menu when interactive (asked again until it is a
        choice it offers); piped, a /deeper or /end on the line after the answer."""
        if not self.reader.interactive:
            choice = self.reader.next_choice()
            return choice if choice != "/deeper" or outcome.can_go_deeper else ""
        offers = {"": "the next question", "/end": "finish"}
        if outcome.can_go_deeper:
            offers["/deeper"] = "a follow-up"
        prompt = "Enter for the next question" + (
            ", /deeper for a follow-up" if "/deeper" in offers else ""
        )
        while True:
            line = self.reader.read_line(prompt + ", /end to finish: ")
            choice = "/end" if line is None else line.strip().lower()
            if choice in offers:
                return choice
            self._error(_why_not(choice, outcome))

    def _hint(self, current: QuestionAsked) -> HintGiven:
        return services.give_hint(
            self.deps,
            session_id=current.session.id,
            position=current.question.position,
            actor=self.user,
        )

    def _end(self, current: QuestionAsked) -> SessionSummary:
        return services.end_session(self.deps, session_id=current.session.id, actor=self.user)

    def _finish(self, summary: SessionSummary) -> int:
        self.console.print(render.summary_panel(summary, web_base_url=self.web_base_url))
        if not services.is_linked(self.deps, user=self.user):
            link = services.issue_link_code(self.deps, user=self.user)
            minutes = self.deps.rules.link_code_minutes
            self.console.print(
                render.link_hint(link.code, web_base_url=self.web_base_url, minutes=minutes)
            )
        return 0

    def _error(self, message: str) -> None:
        self.console.print(render.error_text(message))

    @staticmethod
    def _delivery() -> str:
        return f"terminal-{uuid.uuid4().hex}"


def _why_not(choice: str, outcome: AnswerOutcome) -> str:
    """Why a command typed at the "what next" prompt does nothing there."""
    if choice == "/retry":
        return "This answer is already evaluated: there is nothing to retry."
    if choice == "/deeper":
        return "No follow-up is available on this question (its follow-ups are used up)."
    if choice in ("/hint", "/skip"):
        return f"{choice} applies to a question you have not answered yet; this one is scored."
    if choice == "/help":
        return help_text()
    return "Press Enter for the next question, or type one of the commands offered."


def stdin_is_interactive() -> bool:
    return sys.stdin.isatty()
