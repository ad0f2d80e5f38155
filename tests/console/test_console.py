"""The terminal adapter, scripted through stdin like `printf ... | interviewbot chat`."""

from __future__ import annotations

import io

import pytest
from rich.console import Console

from bots.console.chat import EXIT_QUOTA, AnswerReader, TerminalInterview
from core import services
from core.services.deps import Deps
from tests.fakes import make_deps


def run(script: str, deps: Deps | None = None) -> str:
    deps = deps or make_deps()
    out = io.StringIO()
    console = Console(file=out, width=100, force_terminal=False, color_system=None)
    interview = TerminalInterview(
        deps,
        console,
        AnswerReader(io.StringIO(script), console, interactive=False),
        web_base_url="http://127.0.0.1:8000",
    )
    assert interview.run(role="backend", difficulty="easy", questions=2) == 0
    return out.getvalue()


def test_a_scripted_interview_runs_to_its_summary() -> None:
    output = run("a first answer with enough words to score\n/hint\n\n/skip\n")
    assert "Question 1 of 2" in output and "Question 2 of 2" in output
    assert "Evaluation" in output and "Hint:" in output
    assert "Your answer is empty" in output  # the blank line was explained, not recorded
    assert "Interview summary" in output and "skipped" in output
    assert "enter the code" in output  # first time: how to see it on the web


def test_end_of_input_ends_the_session_with_a_summary() -> None:
    output = run("")
    assert "Interview summary" in output and "Answered 0 of 2, skipped 0." in output


def test_unknown_commands_and_errors_are_explained() -> None:
    output = run("/wat\n" + "x" * 5000 + "\n/end\n")
    assert "Unknown command /wat" in output
    assert "the limit is 4,000" in output
    assert "Interview summary" in output


def test_linked_terminals_get_no_link_hint() -> None:
    deps = make_deps()
    from bots.console.chat import terminal_user

    with deps.uow() as uow:
        identity = uow.identities.ensure(terminal_user())
        uow.identities.set_web_user(identity.id, "00000000-0000-0000-0000-000000000001")
        uow.commit()
    assert services.is_linked(deps, user=terminal_user())
    assert "enter the code" not in run("/end\n", deps)


def test_a_piped_deeper_after_an_answer_asks_the_follow_up() -> None:
    output = run("an answer with several words in it\n/deeper\nthe follow-up answer\n/end\n")
    assert "Follow-up on question 1 of 2" in output
    assert output.count("Evaluation") == 2  # the answer and the follow-up answer
    assert "Answered 1 of 2" in output and "plus 1 follow-up" in output


def interactive_run(script: str, deps: Deps) -> tuple[int, str]:
    out = io.StringIO()
    console = Console(file=out, width=100, force_terminal=False, color_system=None)
    interview = TerminalInterview(
        deps,
        console,
        AnswerReader(io.StringIO(script), console, interactive=True),
        web_base_url="http://127.0.0.1:8000",
    )
    return interview.run(role="backend", difficulty="easy", questions=2), out.getvalue()


def test_help_explains_every_command() -> None:
    output = run("/help\n/end\n")
    for command, meaning in (
        ("/hint", "a hint for this question"),
        ("/skip", "skip this question"),
        ("/retry", "evaluate your saved answer again"),
        ("/deeper", "one follow-up question"),
        ("/end", "end the interview now"),
    ):
        assert f"{command}" in output and meaning in output


def test_retry_at_the_what_next_prompt_explains_instead_of_moving_on() -> None:
    deps = make_deps()
    answer = "A cache keeps hot rows in memory so reads skip the database.\n\n"
    code, output = interactive_run(answer + "/retry\n/end\n", deps)
    assert code == 0
    assert "already evaluated: there is nothing to retry" in output
    assert "Question 2 of 2" not in output  # /retry did not silently move on
    assert "Answered 1 of 2" in output


def test_a_used_up_quota_is_refused_with_its_own_exit_code() -> None:
    deps = make_deps(quota_per_day=1)
    assert run("/end\n", deps)
    code, output = interactive_run("/end\n", deps)
    assert code == EXIT_QUOTA
    assert "You have used all 1 interview sessions for today" in output


def test_ctrl_c_pauses_and_resume_continues_where_it_stopped() -> None:
    deps = make_deps()

    class InterruptingStream(io.StringIO):
        def readline(self, *args: object) -> str:
            line = super().readline()
            if not line:
                raise KeyboardInterrupt
            return line

    out = io.StringIO()
    console = Console(file=out, width=100, force_terminal=False, color_system=None)
    first = TerminalInterview(
        deps,
        console,
        AnswerReader(
            InterruptingStream("An index is a B-tree on a column.\n"), console, interactive=False
        ),
        web_base_url="http://127.0.0.1:8000",
    )
    with pytest.raises(KeyboardInterrupt):  # run_chat turns it into the "paused" message
        first.run(role="backend", difficulty="easy", questions=2)
    resumed = TerminalInterview(
        deps,
        console,
        AnswerReader(io.StringIO("/end\n"), console, interactive=False),
        web_base_url="http://127.0.0.1:8000",
    )
    assert resumed.resume() == 0
    output = out.getvalue()
    assert "Resuming: Question" in output and "Answered 1 of 2" in output
