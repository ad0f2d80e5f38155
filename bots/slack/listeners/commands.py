"""`/interview` and its sub-commands. Mistakes and help are answered in the ack itself.

The flows are imported by the functions that run them (see bots.slack.listeners)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk.web import WebClient

from bots.slack import ids
from bots.slack.listeners import tenant_of

if TYPE_CHECKING:
    from bots.slack.command_text import Command
    from bots.slack.interview import StartRequest
    from bots.slack.runtime import SlackRuntime
    from core.domain.model import UserRef


def register(app: App, rt: SlackRuntime) -> None:
    limits = rt.settings

    def parsed(body: dict[str, Any]) -> Command:
        from bots.slack.command_text import parse_command

        return parse_command(body.get("text"), max_questions=limits.max_questions_per_session)

    def needs_core(body: dict[str, Any]) -> bool:
        from bots.slack.command_text import NEEDS_CORE

        return parsed(body).kind in NEEDS_CORE

    def ack_command(ack: Ack) -> None:
        ack()

    def run_command(
        body: dict[str, Any], client: WebClient, respond: Respond, context: BoltContext
    ) -> None:
        from bots.slack import account, banks, qotd, review
        from bots.slack.command_text import Kind
        from bots.slack.interview import start_interview
        from bots.slack.messaging import Reply, errors_to
        from core.domain.model import ConversationRef, Platform, UserRef

        command = parsed(body)
        user = UserRef(Platform.SLACK, tenant_of(context, body), body["user_id"])
        reply = Reply(client, user.user, channel=body.get("channel_id"), respond=respond)
        with errors_to(reply, what=f"/interview {command.kind}"):
            if command.kind is Kind.START:
                start_interview(rt, client, reply, _start_request(body, command, user))
            elif command.kind is Kind.HISTORY:
                account.show_history(rt, reply, user)
            elif command.kind is Kind.QUOTA:
                account.show_quota(rt, reply, user)
            elif command.kind is Kind.LINK:
                account.give_link_code(rt, reply, user, body.get("user_name"))
            elif command.kind is Kind.QOTD:
                channel = body["channel_id"]
                qotd.run_qotd(rt, client, reply, user, channel, command.action, command.change)
            elif command.kind is Kind.BANK:
                banks.run_bank(rt, client, reply, user, command.action, command.bank)
            elif command.kind is Kind.LEADERBOARD:
                name = body.get("user_name")
                qotd.run_leaderboard(rt, reply, user, body["channel_id"], command.action, name)
            elif command.kind is Kind.END:
                here = ConversationRef(user.platform, user.tenant, body["channel_id"], user.user)
                account.end_current(rt, client, reply, here)
            elif command.kind is Kind.REVIEW:
                request = review.review_request(
                    user,
                    channel=body.get("channel_id"),
                    name=body.get("user_name"),
                    identity=f"command:{body['trigger_id']}",
                )
                start_interview(rt, client, reply, request)
            elif command.kind is Kind.REMIND:
                review.set_reminder(rt, reply, user, command.remind, body.get("user_name"))

    app.command(ids.COMMAND, matchers=[needs_core])(ack=ack_command, lazy=[run_command])

    def opens_form(body: dict[str, Any]) -> bool:
        from bots.slack.command_text import Kind

        return parsed(body).kind is Kind.MODAL

    def open_start_form(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        from bots.slack.messaging import open_modal
        from bots.slack.surfaces import start_modal

        ack()
        modal = start_modal(
            max_questions=limits.max_questions_per_session,
            default_questions=limits.questions_per_session,
            channel=body.get("channel_id"),
            external_id=ids.start_form_id(body["trigger_id"]),
        )
        open_modal(client, body["trigger_id"], modal)

    def offer_bank(body: dict[str, Any], client: WebClient, context: BoltContext) -> None:
        from bots.slack import banks

        banks.offer_bank_in_start_form(
            rt,
            client,
            tenant=tenant_of(context, body),
            external_id=ids.start_form_id(body["trigger_id"]),
            channel=body.get("channel_id"),
        )

    app.command(ids.COMMAND, matchers=[opens_form])(ack=open_start_form, lazy=[offer_bank])

    def answer_in_ack(ack: Ack, body: dict[str, Any]) -> None:
        from bots.slack.command_text import Kind
        from bots.slack.surfaces import help_card

        command = parsed(body)
        if command.kind is Kind.HELP:
            text, blocks = help_card()
            ack(text=text, blocks=blocks)
        else:
            ack(text=command.error)

    app.command(ids.COMMAND)(answer_in_ack)


def _start_request(body: dict[str, Any], command: Command, user: UserRef) -> StartRequest:
    from bots.slack.interview import StartRequest

    assert command.role is not None and command.difficulty is not None
    return StartRequest(
        tenant=user.tenant,
        user=user.user,
        channel=body.get("channel_id"),
        role=command.role,
        difficulty=command.difficulty,
        questions=command.questions,
        display_name=body.get("user_name"),
        identity=f"command:{body['trigger_id']}",
        adaptive=command.adaptive,
    )
