"""Rich rendering of the core's results for the terminal."""

from __future__ import annotations

from rich.console import Console, Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from core.domain.model import Evaluation, Verdict
from core.domain.presentation import (
    criterion_label,
    difficulty_path_text,
    format_score,
    score_band,
    score_bar,
    session_url,
    summary_counts,
    tag_label,
)
from core.domain.results import (
    AnswerOutcome,
    AnswerStatus,
    HintGiven,
    QuestionAsked,
    SessionSummary,
)

BAND_STYLES = {"strong": "green", "good": "yellow", "fair": "dark_orange", "weak": "red"}


def question_panel(asked: QuestionAsked) -> Panel:
    own = asked.question.question  # its own role and level (adaptive and review sessions move)
    kind = "Review · " if asked.session.plan else ""
    title = f"{kind}{own.role.label} · {own.difficulty.label} — {asked.label}"
    return Panel(Text(asked.question.question.text, style="bold"), title=title, border_style="cyan")


def evaluation_panel(outcome: AnswerOutcome) -> Panel:
    if outcome.status is not AnswerStatus.EVALUATED or outcome.evaluation is None:
        return Panel(Text(outcome.message), title="Not evaluated yet", border_style="red")
    evaluation = outcome.evaluation
    band = score_band(evaluation.score)
    style = BAND_STYLES[band.name]
    score_line = Text.assemble(
        (score_bar(evaluation.score), style),
        "  ",
        (format_score(evaluation.score), f"bold {style}"),
        f"  {band.label}",
        ("  (cached)" if outcome.attempt.cached else "", "dim"),
    )
    criteria = Table.grid(padding=(0, 2))
    for name, value in evaluation.criteria.items():
        criteria.add_row(criterion_label(name), score_bar(value, width=5), format_score(value))
    parts: list[object] = [
        score_line,
        criteria,
        Text(f"Graded by: {evaluation.graded_by}", style="dim") if evaluation.graded_by else Text(),
        Text(),
        Text("Feedback", style="bold"),
        Text(evaluation.feedback),
    ]
    if evaluation.points:
        parts += [Text(), Text("Key points", style="bold"), *_points(evaluation)]
    if evaluation.tags:
        tags = ", ".join(tag_label(t) for t in evaluation.tags)
        parts += [Text(), Text.assemble(("Work on: ", "bold"), tags)]
    parts += [
        Text(),
        Text("Ideal answer", style="bold"),
        Text(evaluation.ideal_answer, style="dim"),
    ]
    return Panel(Group(*parts), title="Evaluation", border_style=style)  # type: ignore[arg-type]


VERDICT_MARKS = {
    Verdict.COVERED: ("✔", "green"),
    Verdict.PARTIAL: ("◐", "yellow"),
    Verdict.MISSING: ("✘", "red"),
    Verdict.CONTRADICTED: ("⚠", "red"),
}


def _points(evaluation: Evaluation) -> list[Text]:
    """Each key point with its verdict, and the words of the answer that earned it."""
    lines = []
    for point in evaluation.points:
        mark, style = VERDICT_MARKS[point.verdict]
        line = Text.assemble(
            (f"{mark} ", style), point.point, (f"  ({point.verdict.value})", "dim")
        )
        if point.quote:
            line.append(f"\n    You said: “{point.quote}”", style="dim")
        lines.append(line)
    return lines


def hint_text(hint: HintGiven) -> Text:
    return Text.assemble(("Hint: ", "bold magenta"), hint.hint)


def summary_panel(summary: SessionSummary, *, web_base_url: str) -> Panel:
    table = Table(show_header=True, header_style="bold", expand=True)
    table.add_column("#", width=4)
    table.add_column("Question")
    table.add_column("Score", width=8, justify="right")
    for entry in summary.transcript:
        attempt = entry.attempt
        score = (
            format_score(attempt.evaluation.score)
            if attempt and attempt.evaluation
            else (attempt.status.value if attempt else "—")
        )
        prefix = "↳ " if entry.question.follow_up_of else ""
        table.add_row(str(entry.question.main_index), prefix + entry.question.question.text, score)
    lines = [
        Text.assemble(("Average score: ", "bold"), format_score(summary.average_score)),
        Text(summary_counts(summary) + "."),
    ]
    if summary.strongest:
        lines.append(Text.assemble(("Strongest: ", "bold green"), ", ".join(summary.strongest)))
    if summary.weakest:
        weakest = ", ".join(tag_label(t) for t in summary.weakest)
        lines.append(Text.assemble(("Work on: ", "bold red"), weakest))
    for advice in summary.practice_next:
        lines.append(Text(f"• {advice}"))
    if summary.adaptive_path:
        path = difficulty_path_text(summary.adaptive_path)
        lines.append(Text.assemble(("Levels: ", "bold"), path))
    url = session_url(web_base_url, summary.session.id)
    lines.append(Text.assemble(("Review it on the web: ", "dim"), (url, "underline")))
    return Panel(Group(table, *lines), title="Interview summary", border_style="cyan")


def link_hint(code: str, *, web_base_url: str, minutes: int) -> Text:
    """First time here: how to see this terminal's interviews in a web account."""
    base = web_base_url.rstrip("/")
    return Text.assemble(
        ("See your terminal interviews on the web: ", "bold"),
        f"create an account at {base}/register, then enter the code ",
        (code, "bold cyan"),
        f" at {base}/link (valid {minutes} minutes; `interviewbot link` gives a new one).",
    )


def error_text(message: str) -> Text:
    return Text(message, style="yellow")


def make_console() -> Console:
    return Console(highlight=False, soft_wrap=False)
