"""`/interview bank show | use NAME` on Discord, for both transports. Choosing a server's bank is
for server admins (Manage Server or Administrator, from the interaction's own member
permissions, as for the question of the day); anyone may see which bank is in use."""

from __future__ import annotations

import logging

from bots.discord import errors
from bots.discord.model import Ack, AckKind, Command, Reply, Request, Responder
from core import services
from core.domain.banks import BUILTIN_BANK, BankInfo
from core.domain.errors import InterviewError
from core.domain.model import Platform
from core.services.deps import Deps

log = logging.getLogger(__name__)

NAMES = frozenset({"bank.show", "bank.use"})
IN_A_SERVER = InterviewError("A question bank is chosen for a server, not in a DM.")


def handles(request: Request) -> bool:
    return isinstance(request, Command) and request.name in NAMES


def acknowledge() -> Ack:
    return Ack(AckKind.DEFER, ephemeral=True)


def complete(request: Request, out: Responder, *, deps: Deps) -> None:
    assert isinstance(request, Command)
    try:
        if request.caller.guild_id is None:
            raise IN_A_SERVER
        out.edit_original(_command(request, deps=deps))
    except InterviewError as exc:
        out.edit_original(errors.error(exc))
    except Exception:
        log.exception("Discord /interview %s failed", request.name)
        out.edit_original(errors.unexpected())


def _command(command: Command, *, deps: Deps) -> Reply:
    caller = command.caller
    if command.name == "bank.use":
        chosen = services.use_bank(
            deps,
            platform=Platform.DISCORD,
            tenant=caller.tenant,
            name=str(command.options.get("name", "")).strip(),
            by=caller.user_id,
            is_admin=caller.is_server_admin,
        )
        return Reply(content="✅ " + in_use_text(chosen, chosen_now=True), ephemeral=True)
    in_use = services.bank_in_use(deps, platform=Platform.DISCORD, tenant=caller.tenant)
    others = services.list_banks(deps, platform=Platform.DISCORD, tenant=caller.tenant)
    names = ", ".join([BUILTIN_BANK, *(b.name for b in others)])
    text = f"{in_use_text(in_use, chosen_now=False)}\nBanks this server can use: {names}."
    return Reply(content=text, ephemeral=True)


def in_use_text(bank: BankInfo | None, *, chosen_now: bool) -> str:
    """Which bank new interviews here draw from, and what it offers."""
    verb = "Interviews here now use" if chosen_now else "Interviews here use"
    if bank is None:
        return f"{verb} the built-in question bank (every role, easy to hard)."
    return f"{verb} the question bank **{bank.name}** (version {bank.version}): {bank.offers()}."
