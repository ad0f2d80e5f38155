"""Closing a question of the day: once its window has passed (and its answers are evaluated, or
the grace for a burst is over), reply in its thread with the ideal answer, how many answered,
the score distribution and the top authors who opted in, then edit the post to show it closed.

Once per question: a runner takes the post with a conditional update (open -> revealing) and
only that runner sends; a runner that died mid-reveal is taken over after CLAIM_LEASE."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import datetime

from core.domain.qotd import CLAIM_LEASE, PostStatus, QotdPost
from core.domain.qotd_figures import summarize_reveal
from core.domain.qotd_notices import QotdQuestionNotice, QotdRevealNotice
from core.ports import Notifier
from core.services.deps import Deps

log = logging.getLogger(__name__)

BATCH = 50


def reveal_closed_questions(
    deps: Deps, notifiers: Mapping[str, Notifier], now: datetime
) -> dict[str, int]:
    """The scheduled job: reveal every question whose window has closed."""
    counts = {"revealed": 0, "waiting": 0, "already": 0, "failed": 0}
    stale_before = now - CLAIM_LEASE
    with deps.uow() as uow:
        posts = uow.qotd.closing(now=now, stale_before=stale_before, limit=BATCH)
        pending = {p.id: uow.qotd.pending_count(p.id) for p in posts}
    for post in posts:
        notifier = notifiers.get(post.channel.platform)
        if notifier is None:
            continue
        if post.status is PostStatus.OPEN and not post.ready_to_reveal(
            now, pending=pending[post.id]
        ):
            counts["waiting"] += 1  # answers of a burst are still being evaluated
            continue
        with deps.uow() as uow:
            claimed = uow.qotd.claim_reveal(post.id, at=now, stale_before=stale_before)
            uow.commit()
        if not claimed:
            counts["already"] += 1
            continue
        counts["revealed" if _reveal(deps, notifier, post) else "failed"] += 1
    return counts


def _reveal(deps: Deps, notifier: Notifier, post: QotdPost) -> bool:
    with deps.uow() as uow:
        total, scored = uow.qotd.scored_answers(post.id)
    summary = summarize_reveal(post, scored, total=total)
    where = {"platform": post.channel.platform, "tenant": post.channel.tenant}
    try:
        notifier.send(
            QotdRevealNotice(
                **where, channel=post.channel.channel, thread=post.message_id, summary=summary
            )
        )
    except Exception as exc:
        log.warning("reveal of question %s not posted: %s", post.id, exc)
        with deps.uow() as uow:  # open again: the next run tries once more
            uow.qotd.end_reveal(post.id, revealed=False, at=deps.clock.now())
            uow.commit()
        return False
    with deps.uow() as uow:
        uow.qotd.end_reveal(post.id, revealed=True, at=deps.clock.now())
        uow.commit()
    if post.message_id:
        closed = QotdQuestionNotice(
            **where,
            channel=post.channel.channel,
            replaces=post.message_id,
            post=post,
            closed=True,
            answered=total,
        )
        try:  # cosmetic: the reveal is out, a failed edit is not worth a second reveal
            notifier.send(closed)
        except Exception as exc:
            log.warning("could not mark question %s closed: %s", post.id, exc)
    return True
