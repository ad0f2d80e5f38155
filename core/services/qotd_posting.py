"""Posting the question of the day: the scheduled job, and an admin's "post now".

Exactly once per channel and day: a runner first inserts the day's post (unique on schedule and
day) and only the runner whose insert succeeded sends it. A schedule that fires twice, or two
runners at once (EventBridge plus a local timer), meet that key and post nothing more. If the
send fails, the claim is dropped and the next run tries again; a runner that died mid-post
leaves a claim another may take over once its lease ran out (CLAIM_LEASE).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import replace
from datetime import date, datetime

from core.domain.banks import asked_from
from core.domain.errors import EmptyQuestionPool
from core.domain.model import Question, UserRef
from core.domain.notices import DeliveryFailed
from core.domain.qotd import (
    ChannelRef,
    NotAnAdmin,
    PostStatus,
    QotdAlreadyPosted,
    QotdNotConfigured,
    QotdPost,
    QotdSchedule,
)
from core.domain.qotd_notices import QotdQuestionNotice
from core.domain.selection import choose_question
from core.ports import DuplicateKey, Notifier, UnitOfWork
from core.services.banks import bank_pool, tenant_bank
from core.services.deps import Deps

log = logging.getLogger(__name__)


def post_due_questions(
    deps: Deps, notifiers: Mapping[str, Notifier], now: datetime
) -> dict[str, int]:
    """The scheduled job: post each channel's question when its time has come (once a day)."""
    counts = {"posted": 0, "already": 0, "failed": 0}
    with deps.uow() as uow:
        schedules = uow.qotd.active_schedules()
    for schedule in schedules:
        day = schedule.due_day(now)
        if day is None or schedule.channel.platform not in notifiers:
            continue
        try:
            post = _post_day(deps, notifiers, schedule, day, now)
        except (DeliveryFailed, EmptyQuestionPool) as exc:
            log.warning("question of the day in %s not posted: %s", schedule.channel.key, exc)
            counts["failed"] += 1
            continue
        counts["posted" if post else "already"] += 1
    return counts


def post_question_now(
    deps: Deps,
    notifiers: Mapping[str, Notifier],
    *,
    channel: ChannelRef,
    actor: UserRef,
    is_admin: bool,
) -> QotdPost:
    """An admin posts today's question at once (it closes at the usual time, or in the
    schedule's window length from now when that time has passed)."""
    if not is_admin:
        raise NotAnAdmin({"discord": "server"}.get(actor.platform, "workspace"))
    now = deps.clock.now()
    with deps.uow() as uow:
        schedule = uow.qotd.schedule_at(channel)
    if schedule is None:
        raise QotdNotConfigured()
    post = _post_day(deps, notifiers, schedule, schedule.local_day(now), now, early=True)
    if post is None:
        raise QotdAlreadyPosted()
    return post


def _post_day(
    deps: Deps,
    notifiers: Mapping[str, Notifier],
    schedule: QotdSchedule,
    day: date,
    now: datetime,
    *,
    early: bool = False,
) -> QotdPost | None:
    """Claim the day, send it, record the message; None when the day is someone else's."""
    post = _claim(deps, schedule, day, now, early=early)
    if post is None:
        return None
    notice = QotdQuestionNotice(
        platform=schedule.channel.platform,
        tenant=schedule.channel.tenant,
        channel=schedule.channel.channel,
        post=post,
    )
    try:
        message_id = notifiers[schedule.channel.platform].send(notice)
    except Exception:
        with deps.uow() as uow:  # free the day for the next run
            uow.qotd.drop_claim(post.id)
            uow.commit()
        raise
    with deps.uow() as uow:
        uow.qotd.mark_posted(post.id, message_id=message_id, at=deps.clock.now())
        uow.commit()
    return replace(post, status=PostStatus.OPEN, message_id=message_id)


def _claim(
    deps: Deps, schedule: QotdSchedule, day: date, now: datetime, *, early: bool
) -> QotdPost | None:
    opens, closes = schedule.window(day)
    if early:
        opens = now
        if closes <= now:  # posted after the usual window: keep the window's length
            closes = now + (schedule.window(day)[1] - schedule.window(day)[0])
    with deps.uow() as uow:
        existing = uow.qotd.post_on(schedule.id, day)
        if existing is not None:
            return _take_over(deps, existing, now)
        question = _next_question(deps, uow, uow.qotd.bank_ids_posted(schedule.id), schedule)
        try:
            post = uow.qotd.add_post(
                schedule, day=day, question=question, opens_at=opens, closes_at=closes, at=now
            )
            uow.commit()
        except DuplicateKey:  # another runner claimed the day a moment ago
            uow.rollback()
            return None
    return post


def _take_over(deps: Deps, existing: QotdPost, now: datetime) -> QotdPost | None:
    """A claim left by a runner that died mid-post, once its lease has run out."""
    if not existing.claim_is_stale(now) or existing.claimed_at is None:
        return None
    with deps.uow() as uow:
        taken = uow.qotd.retake_claim(existing.id, seen=existing.claimed_at, at=now)
        uow.commit()
    return existing if taken else None


def _next_question(
    deps: Deps, uow: UnitOfWork, posted: Mapping[str, datetime], schedule: QotdSchedule
) -> Question:
    """From the bank the workspace or server chose (else the built-in one), never a repeat in
    this channel until the pool (every role of the setting) is exhausted. Ids are stable across
    a bank's versions (namespaced by the bank), so a re-import does not bring one back early."""
    channel = schedule.channel
    bank = tenant_bank(uow, channel.platform, channel.tenant)
    ref, level = (bank.ref if bank else None), schedule.settings.difficulty
    pool = [q for role in schedule.settings.roles for q in bank_pool(deps, uow, ref, role, level)]
    if not pool and bank is not None:  # none of the channel's roles at its level: the team
        # chose this bank, so any of its questions beats none (or the built-in bank's)
        pool = [asked_from(bank.ref, q) for q in uow.banks.questions(bank.name, bank.version)]
    if not pool:
        raise EmptyQuestionPool()
    return choose_question(pool, last_seen=posted, in_this_session=(), rng=deps.random)
