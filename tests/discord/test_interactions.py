"""The shared handling, transport-free: acknowledgements, error mapping, idempotency, threads."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from bots.discord import ids
from bots.discord.ids import Action
from bots.discord.interactions import InteractionHandler
from bots.discord.model import (
    AckKind,
    Caller,
    ChatMessage,
    Command,
    DeliveryFailed,
    ModalSubmit,
    Press,
    Reply,
)
from core import services
from core.adapters.offline.evaluator import OfflineEvaluator, OfflineQuestionWriter
from core.bootstrap import Core, build_core
from core.config import Settings
from core.domain.errors import LlmUnavailable, ServiceUnavailable
from core.ports import EvaluatorReply
from tests.discord import payloads
from tests.discord.payloads import ALICE, BOB, CHANNEL_ID, GUILD_ID

GOOD_ANSWER = (
    "I would add an index on the filtered columns, check the query plan with EXPLAIN, avoid "
    "N+1 queries, cache hot reads and paginate results."
)
THREAD = "600000000000000001"
_next = iter(range(10**17, 10**18))


def caller(
    user: str = ALICE,
    *,
    channel: str = CHANNEL_ID,
    channel_type: int | None = 0,
    parent: str | None = None,
    guild: str | None = GUILD_ID,
    permissions: int = int(payloads.ALL_PERMISSIONS),
) -> Caller:
    return Caller(
        interaction_id=str(next(_next)),
        user_id=user,
        display_name=payloads.NAMES[user].title(),
        guild_id=guild,
        channel_id=channel,
        channel_type=channel_type,
        parent_id=parent,
        app_permissions=permissions,
    )


def in_thread(user: str = ALICE) -> Caller:
    return caller(user, channel=THREAD, channel_type=11, parent=CHANNEL_ID)


class Recorder:
    """A Responder that records what the handling asked the transport to do; `failing` names
    the calls that Discord refuses (they are not recorded)."""

    def __init__(self, *failing: str, thread_fails: bool = False) -> None:
        self.events: list[tuple[str, Any]] = []
        self.failing = set(failing) | ({"thread"} if thread_fails else set())

    def edit_original(self, reply: Reply) -> None:
        if "edit" in self.failing:
            raise DeliveryFailed("edit the response: Discord answered 404")
        self.events.append(("edit", reply))

    def delete_original(self) -> None:
        self.events.append(("delete", None))

    def follow_up(self, reply: Reply) -> None:
        if "follow-up" in self.failing:
            raise DeliveryFailed("send a follow-up: Discord answered 503")
        self.events.append(("follow-up", reply))

    def open_thread(self, *, name: str, private: bool, user_id: str) -> str:
        if "thread" in self.failing:
            raise DeliveryFailed("Discord answered 403")
        self.events.append(("thread", (name, private, user_id)))
        return THREAD

    def post(self, channel_id: str, reply: Reply) -> None:
        if "post" in self.failing:
            raise DeliveryFailed("post a message: Discord answered 403")
        self.events.append(("post", (channel_id, reply)))

    def kinds(self) -> list[str]:
        return [kind for kind, _ in self.events]

    def last(self, kind: str) -> Any:
        return next(value for k, value in reversed(self.events) if k == kind)


class FlakyEvaluator(OfflineEvaluator):
    """Fails while `failing` is set, like a model that is down; counts calls."""

    def __init__(self) -> None:
        super().__init__()
        self.failing = False
        self.calls = 0

    def evaluate(self, question: Any, answer: str) -> EvaluatorReply:
        self.calls += 1
        if self.failing:
            raise LlmUnavailable("The AI evaluator is not responding.", kind="timeout")
        return super().evaluate(question, answer)


class RedisGoesDown:
    """The Locks port with Redis unreachable for the locks named `prefix…`."""

    def __init__(self, inner: Any, prefix: str) -> None:
        self.inner, self.prefix, self.down = inner, prefix, True

    def acquire(self, name: str, *, ttl_seconds: float) -> str | None:
        if self.down and name.startswith(self.prefix):
            raise ServiceUnavailable("Redis")
        return self.inner.acquire(name, ttl_seconds=ttl_seconds)

    def release(self, name: str, token: str) -> bool:
        return self.inner.release(name, token)


class FailingWriter(OfflineQuestionWriter):
    def follow_up(self, *args: Any) -> Any:
        raise LlmUnavailable("The AI could not write a follow-up right now.", kind="timeout")


@pytest.fixture
def evaluator() -> FlakyEvaluator:
    return FlakyEvaluator()


@pytest.fixture
def make_handler(
    embedded_settings: Settings, evaluator: FlakyEvaluator
) -> Callable[..., InteractionHandler]:
    cores: list[Core] = []

    def make(writer: Any = None, **overrides: Any) -> InteractionHandler:
        settings = embedded_settings.model_copy(update=overrides)
        core = build_core(
            settings, auto_migrate=True, llm=(evaluator, writer or OfflineQuestionWriter())
        )
        cores.append(core)
        return InteractionHandler(settings, lambda: core, reads_replies=True)

    yield make  # type: ignore[misc]
    for core in cores:
        core.close()


@pytest.fixture
def handler(make_handler: Callable[..., InteractionHandler]) -> InteractionHandler:
    return make_handler()


def start(handler: InteractionHandler, out: Recorder, who: Caller | None = None) -> str:
    command = Command(who or caller(), "start", {"role": "backend", "difficulty": "medium"})
    assert handler.acknowledge(command).kind is AckKind.DEFER
    handler.complete(command, out)
    _, question = out.last("post")
    return payloads.custom_ids(question.payload())["Answer"]


def answer(handler: InteractionHandler, answer_id: str, text: str = GOOD_ANSWER) -> Recorder:
    out = Recorder()
    submit = ModalSubmit(in_thread(), str(ids.parse(answer_id).with_action(Action.SUBMIT)), text)  # type: ignore[union-attr]
    assert handler.acknowledge(submit).kind is AckKind.DEFER
    handler.complete(submit, out)
    return out


def test_help_is_answered_at_once_and_privately(handler: InteractionHandler) -> None:
    ack = handler.acknowledge(Command(caller(), "help"))
    assert ack.kind is AckKind.MESSAGE and ack.reply is not None and ack.reply.ephemeral
    assert "/interview start" in (ack.reply.content or "")
    assert handler._core is None  # nothing was built to say it


@pytest.mark.parametrize(
    ("where", "expected"),
    [
        (in_thread(), "regular text channel"),
        (caller(channel_type=2), "regular text channel"),  # a voice channel's chat
        (caller(permissions=1 << 11), "Create Public Threads, Send Messages in Threads"),
        (
            caller(permissions=1 << 35 | 1 << 38 | 1 << 14),
            "need these permissions in this channel to run an interview: View Channel. Ask",
        ),
    ],
)
def test_start_is_refused_at_once_where_no_thread_can_open(
    handler: InteractionHandler, where: Caller, expected: str
) -> None:
    ack = handler.acknowledge(Command(where, "start", {"role": "backend", "difficulty": "easy"}))
    assert ack.kind is AckKind.MESSAGE and ack.reply is not None and ack.reply.ephemeral
    assert expected in (ack.reply.content or "")
    assert services.quota_status(handler.deps, user=where.user).used == 0


def test_start_opens_a_thread_binds_it_and_posts_the_first_question(
    handler: InteractionHandler,
) -> None:
    out = Recorder()
    start(handler, out)
    assert out.kinds() == ["thread", "post", "edit"]
    assert out.last("thread") == ("Interview · Backend · Alice", False, ALICE)
    channel, question = out.last("post")
    assert channel == THREAD and question.ping == ALICE
    assert question.embeds[0]["title"] == "Question 1 of 5"
    assert f"<#{THREAD}>" in (out.last("edit").content or "")
    session = services.find_session(handler.deps, conversation=in_thread().conversation())
    assert session is not None and session.conversation.thread == THREAD


def test_private_threads_follow_the_server_setting(
    make_handler: Callable[..., InteractionHandler],
) -> None:
    handler, out = make_handler(discord_private_threads=True), Recorder()
    refused = handler.acknowledge(Command(caller(permissions=1 << 35 | 1 << 38 | 1 << 14), "start"))
    assert "Create Private Threads" in (refused.reply.content or "")  # type: ignore[union-attr]
    start(handler, out)
    assert out.last("thread")[1] is True


def test_quota_refusal_leaves_no_thread_behind(handler: InteractionHandler) -> None:
    for _ in range(3):
        start(handler, Recorder())
    out = Recorder()
    command = Command(caller(), "start", {"role": "backend", "difficulty": "medium"})
    handler.complete(command, out)
    assert out.kinds() == ["edit"]
    assert "all 3 interview sessions" in (out.last("edit").content or "")
    assert out.last("edit").content.startswith("⚠️")


def test_a_thread_that_cannot_open_ends_the_session(handler: InteractionHandler) -> None:
    out = Recorder(thread_fails=True)
    handler.complete(Command(caller(), "start", {"role": "ml", "difficulty": "hard"}), out)
    assert out.kinds() == ["edit"]
    assert "could not open a thread" in (out.last("edit").content or "")
    assert services.latest_active_session(handler.deps, user=caller().user) is None
    assert services.quota_status(handler.deps, user=caller().user).used == 0  # given back


def test_someone_elses_buttons_are_refused_before_any_work(handler: InteractionHandler) -> None:
    answer_id = start(handler, Recorder())
    for request in (
        Press(in_thread(BOB), answer_id),
        ModalSubmit(in_thread(BOB), answer_id.replace("answer", "submit"), "mine"),
    ):
        ack = handler.acknowledge(request)
        assert ack.kind is AckKind.MESSAGE and ack.reply is not None and ack.reply.ephemeral
        assert "belongs to someone else" in (ack.reply.content or "")


def test_answer_opens_a_modal_and_a_submit_is_evaluated_once(
    handler: InteractionHandler, evaluator: FlakyEvaluator
) -> None:
    answer_id = start(handler, Recorder())
    ack = handler.acknowledge(Press(in_thread(), answer_id))
    assert ack.kind is AckKind.MODAL and ack.modal is not None
    assert ack.modal["components"][0]["components"][0]["max_length"] == 4000
    first = answer(handler, answer_id)
    assert first.kinds() == ["edit"]
    embed = first.last("edit").embeds[0]
    assert embed["fields"][0] == {"name": "Your answer", "value": GOOD_ANSWER}
    second = answer(handler, answer_id, "a second go at it")  # a double submit
    assert second.kinds() == ["delete", "follow-up"]
    assert "first answer to this question was taken" in second.last("follow-up").content
    assert evaluator.calls == 1


def test_a_failed_evaluation_is_saved_and_retried_with_the_button(
    handler: InteractionHandler, evaluator: FlakyEvaluator
) -> None:
    answer_id = start(handler, Recorder())
    evaluator.failing = True
    failed = answer(handler, answer_id).last("edit")
    assert failed.embeds[0]["title"] == "Your answer is saved"
    retry = payloads.custom_ids(failed.payload())["Retry"]
    evaluator.failing = False
    out = Recorder()
    press = Press(in_thread(), retry)
    assert handler.acknowledge(press).kind is AckKind.DEFER_UPDATE
    handler.complete(press, out)
    assert out.kinds() == ["follow-up", "edit"]  # the evaluation comes, the spent Retry goes
    assert out.last("edit").components == ()
    assert "/10" in out.last("follow-up").embeds[0]["title"]
    assert not out.last("follow-up").ephemeral
    again = Recorder()  # a second click on the same Retry: shown privately, not posted twice
    handler.complete(Press(in_thread(), retry), again)
    shown = again.last("follow-up")
    assert shown.ephemeral and shown.content.startswith("Already evaluated")
    assert shown.embeds == out.last("follow-up").embeds
    assert evaluator.calls == 2


def test_a_follow_up_the_llm_cannot_write_offers_to_try_again(
    make_handler: Callable[..., InteractionHandler],
) -> None:
    handler = make_handler(writer=FailingWriter())
    answer_id = start(handler, Recorder())
    deeper = payloads.custom_ids(answer(handler, answer_id).last("edit").payload())["Go deeper"]
    out = Recorder()
    handler.complete(Press(in_thread(), deeper), out)
    assert out.kinds() == ["follow-up"]
    message = out.last("follow-up")
    assert message.ephemeral and "could not write a follow-up" in message.content
    assert payloads.custom_ids(message.payload()) == {"Try again": deeper}


def test_a_modal_error_replaces_the_thinking_message_privately(
    handler: InteractionHandler,
) -> None:
    answer_id = start(handler, Recorder())
    services.end_session(
        handler.deps, session_id=ids.parse(answer_id).session_id, actor=caller().user
    )  # type: ignore[union-attr]
    out = answer(handler, answer_id)
    assert out.kinds() == ["delete", "follow-up"]
    error = out.last("follow-up")
    assert error.ephemeral and "already finished" in error.content
    assert error.embeds[0]["description"] == GOOD_ANSWER  # a modal keeps nothing: give it back


def test_an_answer_saved_while_redis_is_down_offers_retry(
    handler: InteractionHandler, evaluator: FlakyEvaluator
) -> None:
    answer_id = start(handler, Recorder())
    handler.deps.locks = locks = RedisGoesDown(handler.deps.locks, "attempt:")
    out = answer(handler, answer_id)
    assert out.kinds() == ["delete", "follow-up"]
    error = out.last("follow-up")
    assert error.ephemeral and "Your answer is saved: press Retry" in error.content
    assert error.embeds is None  # saved: nothing to give back
    retry = payloads.custom_ids(error.payload())["Retry"]
    assert retry == str(ids.parse(answer_id).with_action(Action.RETRY))  # type: ignore[union-attr]
    locks.down = False
    again = Recorder()
    handler.complete(Press(in_thread(), retry), again)
    evaluated = again.last("follow-up")
    assert "/10" in evaluated.embeds[0]["title"] and not evaluated.ephemeral
    assert evaluator.calls == 1


def test_a_thread_reply_saved_while_redis_is_down_offers_retry(
    handler: InteractionHandler,
) -> None:
    answer_id = start(handler, Recorder())
    handler.deps.locks = RedisGoesDown(handler.deps.locks, "attempt:")
    out = MessageRecorder()
    handler.answer_message(chat(GOOD_ANSWER), out)
    assert [kind for kind, _ in out.events] == ["evaluating", "reply"]
    error = out.events[-1][1]
    assert error is not None and "Your answer is saved" in (error.content or "")
    retry = payloads.custom_ids(error.payload())["Retry"]
    assert retry == str(ids.parse(answer_id).with_action(Action.RETRY))  # type: ignore[union-attr]


def test_a_press_that_meets_an_outage_can_be_tried_again(handler: InteractionHandler) -> None:
    answer_id = start(handler, Recorder())
    deeper = payloads.custom_ids(answer(handler, answer_id).last("edit").payload())["Go deeper"]
    handler.deps.locks = RedisGoesDown(handler.deps.locks, "deeper:")
    out = Recorder()
    handler.complete(Press(in_thread(), deeper), out)
    assert out.kinds() == ["follow-up"]  # the evaluation keeps its buttons
    error = out.last("follow-up")
    assert error.ephemeral and "temporarily unavailable" in error.content
    assert payloads.custom_ids(error.payload()) == {"Try again": deeper}


def test_ids_of_the_wrong_kind_are_refused_as_stale(handler: InteractionHandler) -> None:
    for request in (
        Press(in_thread(), f"ib:submit:1:1:{ALICE}"),  # a modal's id on a button
        ModalSubmit(in_thread(), f"ib:next:1:1:{ALICE}", "text"),  # a button's id on a modal
        Press(in_thread(), "poll:vote:1"),  # another app's, or an old format
    ):
        ack = handler.acknowledge(request)
        assert ack.kind is AckKind.MESSAGE and ack.reply is not None and ack.reply.ephemeral
        assert "older version of the bot" in (ack.reply.content or "")
    assert handler._core is None


def test_double_clicked_next_posts_one_question(handler: InteractionHandler) -> None:
    answer_id = start(handler, Recorder())
    next_id = payloads.custom_ids(answer(handler, answer_id).last("edit").payload())[
        "Next question"
    ]
    first, second = Recorder(), Recorder()
    handler.complete(Press(in_thread(), next_id), first)
    handler.complete(Press(in_thread(), next_id), second)
    assert first.kinds() == ["follow-up", "edit"]
    posted = first.last("follow-up")
    assert posted.embeds[0]["title"] == "Question 2 of 5" and not posted.ephemeral
    shown = second.last("follow-up")  # the same question again, only for the one who clicked
    assert shown.ephemeral and shown.content.startswith("Already asked")
    assert shown.embeds == posted.embeds and shown.components == posted.components


def test_a_used_message_that_cannot_be_edited_costs_nothing(handler: InteractionHandler) -> None:
    """Taking the buttons off is cosmetic: the next question is posted even when it fails."""
    answer_id = start(handler, Recorder())
    next_id = payloads.custom_ids(answer(handler, answer_id).last("edit").payload())[
        "Next question"
    ]
    out = Recorder("edit")  # say the evaluation message was deleted meanwhile
    handler.complete(Press(in_thread(), next_id), out)
    assert out.kinds() == ["follow-up"]
    assert out.last("follow-up").embeds[0]["title"] == "Question 2 of 5"


def test_a_question_whose_post_was_lost_comes_back_on_the_next_click(
    handler: InteractionHandler,
) -> None:
    answer_id = start(handler, Recorder())
    next_id = payloads.custom_ids(answer(handler, answer_id).last("edit").payload())[
        "Next question"
    ]
    lost = Recorder("follow-up")
    handler.complete(Press(in_thread(), next_id), lost)  # the core asked it; Discord lost it
    out = Recorder()
    handler.complete(Press(in_thread(), next_id), out)  # the buttons are still there: again
    shown = out.last("follow-up")
    assert shown.embeds[0]["title"] == "Question 2 of 5" and shown.ephemeral
    assert "Answer" in payloads.custom_ids(shown.payload())


def test_hint_then_skip_then_end_from_the_channel(handler: InteractionHandler) -> None:
    answer_id = start(handler, Recorder())
    buttons = {a: str(ids.parse(answer_id).with_action(a)) for a in Action}  # type: ignore[union-attr]
    out = Recorder()
    handler.complete(Press(in_thread(), buttons[Action.HINT]), out)
    handler.complete(Press(in_thread(), buttons[Action.SKIP]), out)
    assert out.kinds() == ["follow-up", "follow-up", "edit"]  # the hint keeps the buttons
    hint = out.events[0][1].embeds[0]
    assert (hint["title"], hint["author"]["name"]) == ("💡 Hint 1", "Hint for question 1 of 5")
    assert out.events[1][1].embeds[0]["title"] == "Question 2 of 5"
    ended = Recorder()
    handler.complete(Command(caller(), "end"), ended)  # from the parent channel, not the thread
    assert ended.kinds() == ["post", "edit"]
    channel, summary = ended.last("post")
    assert channel == THREAD and summary.embeds[0]["title"] == "Interview summary"
    assert "skipped 1" in summary.embeds[0]["description"]
    assert f"<#{THREAD}>" in ended.last("edit").content
    late = Recorder()  # End on the first question, after the interview ended
    handler.complete(Press(in_thread(), buttons[Action.END]), late)
    shown = late.last("follow-up")
    assert shown.ephemeral and shown.content.startswith("This interview has already finished")
    assert shown.embeds == summary.embeds


def test_history_quota_link_and_end_without_a_session(handler: InteractionHandler) -> None:
    replies = {}
    for name in ("history", "quota", "link", "end"):
        out = Recorder()
        handler.complete(Command(caller(), name), out)
        replies[name] = out.last("edit")
    assert "no interviews yet" in replies["history"].content
    assert "0 of 3" in replies["quota"].content and "<t:" in replies["quota"].content
    assert "Your link code: **" in replies["link"].content
    assert "/interview start" in replies["end"].content  # the core's wording, in Discord terms
    start(handler, Recorder())
    out = Recorder()
    handler.complete(Command(caller(), "history"), out)
    assert "Backend · Medium" in out.last("edit").embeds[0]["description"]


class MessageRecorder:
    def __init__(self) -> None:
        self.events: list[tuple[str, Reply | None]] = []

    def evaluating(self) -> None:
        self.events.append(("evaluating", None))

    def reply(self, reply: Reply) -> None:
        self.events.append(("reply", reply))


def chat(text: str, user: str = ALICE) -> ChatMessage:
    return ChatMessage(str(next(_next)), user, GUILD_ID, THREAD, CHANNEL_ID, text)


def test_thread_replies_only_count_from_the_candidate(
    handler: InteractionHandler, evaluator: FlakyEvaluator
) -> None:
    start(handler, Recorder())
    for ignored in (chat("nice question!", BOB), chat("   "), chat("x", user=BOB)):
        out = MessageRecorder()
        handler.answer_message(ignored, out)
        assert out.events == []
    out, message = MessageRecorder(), chat(GOOD_ANSWER)
    handler.answer_message(message, out)
    assert [kind for kind, _ in out.events] == ["evaluating", "reply"]
    redelivered = MessageRecorder()
    handler.answer_message(message, redelivered)
    assert redelivered.events == [] and evaluator.calls == 1


def test_autocomplete_suggests_roles_from_aliases(handler: InteractionHandler) -> None:
    from bots.discord.model import Autocomplete

    ack = handler.acknowledge(Autocomplete(caller(), "role", "sre"))
    assert ack.kind is AckKind.CHOICES
    assert ack.choices == ({"name": "DevOps / SRE", "value": "devops-sre"},)
    assert len(handler.acknowledge(Autocomplete(caller(), "role", "")).choices) == 10


def test_a_dm_whose_first_question_cannot_be_posted_ends_at_once(
    handler: InteractionHandler,
) -> None:
    dm = caller(channel=payloads.DM_CHANNEL, channel_type=1, guild=None)
    out = Recorder("post")
    handler.complete(Command(dm, "start", {"role": "backend", "difficulty": "easy"}), out)
    assert out.kinds() == ["edit"]
    assert "could not post your first question" in (out.last("edit").content or "")
    assert services.latest_active_session(handler.deps, user=dm.user) is None
    assert services.quota_status(handler.deps, user=dm.user).used == 0  # given back


def test_a_dm_interview_happens_in_the_dm(handler: InteractionHandler) -> None:
    out = Recorder()
    start(handler, out, caller(channel=payloads.DM_CHANNEL, channel_type=1, guild=None))
    assert out.kinds() == ["post", "edit"]
    assert out.last("post")[0] == payloads.DM_CHANNEL
    dm = ChatMessage(str(next(_next)), ALICE, None, payloads.DM_CHANNEL, None, GOOD_ANSWER)
    replies = MessageRecorder()
    handler.answer_message(dm, replies)
    assert [kind for kind, _ in replies.events] == ["evaluating", "reply"]
