"""The terminal interview: the embedded default's main job, scriptable when stdin is a pipe."""

from __future__ import annotations

import getpass
import sys
import uuid
from typing import TextIO

from rich.console import Console

from bots.console import render
from core import services
from core.domain.errors import InterviewError
from core.domain.model import ConversationRef, UserRef
from core.domain.results import AnswerOutcome, AnswerStatus, QuestionAsked, SessionSummary
from core.services.deps import Deps

HELP = "Commands: /hint  /skip  /deeper  /retry  /end  /help"


def terminal_user() -> UserRef:
    return UserRef("terminal", "local", getpass.getuser())


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

    def read_line(self, prompt: str) -> str:
        """One line, for a menu choice (an empty line is a valid answer here)."""
        self.console.print(f"[dim]{prompt}[/]", end="")
        return self.stream.readline().rstrip("\n")

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

    def run(self, *, role: str, difficulty: str, questions: int | None) -> int:
        conversation = ConversationRef(
            "terminal", "local", "terminal", self.user.user, thread=f"cli-{uuid.uuid4().hex[:12]}"
        )
        started = services.start_session(
            self.deps,
            conversation=conversation,
            role=role,
            difficulty=difficulty,
            questions=questions,
            display_name=self.user.user,
        )
        if started.quota:
            self.console.print(
                f"[dim]Session {started.quota.used} of {started.quota.limit} today.[/] {HELP}"
            )
        current: QuestionAsked = started
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
                self._hint(current)
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
            if command.startswith("/"):
                return self._error(
                    HELP if command == "/help" else f"Unknown command {text}. {HELP}"
                )
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
        if choice == "/deeper" and outcome.can_go_deeper:
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
        """What to do after an evaluation: a menu when interactive; piped, a /deeper or /end
        on the line after the answer (any other line is the next question's answer)."""
        if not self.reader.interactive:
            return self.reader.next_choice()
        prompt = (
            "Enter for the next question"
            + (", /deeper for a follow-up" if outcome.can_go_deeper else "")
            + ", /end to finish: "
        )
        return self.reader.read_line(prompt).strip().lower()

    def _hint(self, current: QuestionAsked) -> None:
        hint = services.give_hint(
            self.deps,
            session_id=current.session.id,
            position=current.question.position,
            actor=self.user,
        )
        self.console.print(render.hint_text(hint))

    def _end(self, current: QuestionAsked) -> SessionSummary:
        return services.end_session(self.deps, session_id=current.session.id, actor=self.user)

    def _finish(self, summary: SessionSummary) -> int:
        self.console.print(render.summary_panel(summary, web_base_url=self.web_base_url))
        if not services.is_linked(self.deps, user=self.user):
            link = services.issue_link_code(self.deps, user=self.user)
            self.console.print(render.link_hint(link.code, web_base_url=self.web_base_url))
        return 0

    def _error(self, message: str) -> None:
        self.console.print(render.error_text(message))

    @staticmethod
    def _delivery() -> str:
        return f"terminal-{uuid.uuid4().hex}"


def stdin_is_interactive() -> bool:
    return sys.stdin.isatty()
