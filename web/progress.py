"""The progress page's view model: what is due, mastery per tag over time, the review history —
composed from the core's learning-loop use cases."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from core import services
from core.domain.learning import Grade, ReviewCard, mastery_by_tag
from core.domain.presentation import tag_label
from core.services import ReviewStatus
from core.services.deps import Deps
from web.dependencies import Viewer
from web.views import band_of, short_day

PROGRESS_DAYS = 90
HISTORY_ROWS = 30


@dataclass(frozen=True, slots=True)
class Progress:
    status: ReviewStatus
    history: list[ReviewCard]  # newest first
    chart: dict[str, Any]  # what app.js draws (the page shows the same as a table)
    grades: dict[int, str]  # grade value -> its label ("Again", "Hard", …)


def build_progress(deps: Deps, viewer: Viewer) -> Progress:
    status = services.review_status(deps, user=viewer.ref)
    history = services.review_history(deps, scope=viewer.scope, days=PROGRESS_DAYS)
    mastery = mastery_by_tag(history, zone=deps.rules.timezone)
    chart = {
        "mastery": {
            "days": [d.isoformat() for d in mastery.days],
            "labels": [short_day(d) for d in mastery.days],
            "series": [
                {"label": tag_label(tag), "values": list(values)}
                for tag, values in mastery.by_tag.items()
            ],
        }
    }
    return Progress(
        status=status,
        history=history[:HISTORY_ROWS],
        chart=chart,
        grades={int(g): g.label for g in Grade},
    )


def review_band(card: ReviewCard) -> dict[str, str] | None:
    """The score band of a review (None when skipped), for the table's badge."""
    return band_of(card.score)
