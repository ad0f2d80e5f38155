"""The Discord notifier: the core's own messages reach a DM or a channel over REST, or edit one."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from bots.discord.http_endpoint import DiscordRest
from bots.discord.model import Reply
from bots.discord.notifier import RENDERERS, DiscordNotifier, renders
from core.domain.notices import DeliveryFailed, Notice
from tests.discord.fake_discord import FakeDiscordApi, MockDiscordServer


@dataclass(frozen=True, slots=True, kw_only=True)
class Hello(Notice):
    name: str


@pytest.fixture(autouse=True)
def hello_renderer():  # type: ignore[no-untyped-def]
    @renders(Hello)
    def _render(notice: Hello) -> Reply:
        return Reply(content=f"Hello {notice.name}", ephemeral=True)

    yield
    RENDERERS.pop(Hello, None)


def test_a_dm_a_channel_post_and_an_edit() -> None:
    api = FakeDiscordApi()
    with MockDiscordServer(api) as server:
        notifier = DiscordNotifier(DiscordRest(server.base_url, "bot-token"))
        notifier.send(Hello(platform="discord", tenant="G1", user="123", name="Ada"))
        assert api.kinds() == ["open-dm", "post"]
        dm = api.of("post")[0]
        assert "flags" not in dm.body and dm.body["content"] == "Hello Ada"
        assert dm.headers.get("authorization") == "Bot bot-token"
        posted = notifier.send(Hello(platform="discord", tenant="G1", channel="555", name="all"))
        notifier.send(
            Hello(platform="discord", tenant="G1", channel="555", replaces=posted, name="end")
        )
        edit = api.of("edit-message")[0]
        assert (
            edit.path == f"/channels/555/messages/{posted}" and edit.body["content"] == "Hello end"
        )


def test_refusals_are_delivery_failures() -> None:
    api = FakeDiscordApi()
    api.failures["post"] = 403
    with MockDiscordServer(api) as server:
        notifier = DiscordNotifier(DiscordRest(server.base_url, "bot-token"))
        with pytest.raises(DeliveryFailed, match="403"):
            notifier.send(Hello(platform="discord", tenant="G1", channel="555", name="x"))
