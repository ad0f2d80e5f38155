"""Question banks: import, list, export and remove them; a workspace's choice; a session's pool.

The built-in bank is the one shipped with the package (deps.bank); imported banks are stored
through the unit of work (core.ports_banks). A session records the bank version it draws from,
so a re-import never changes an interview under way.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

from core.banks.document import BankDocument
from core.banks.yaml_format import dump_yaml_bank
from core.domain.banks import (
    BUILTIN_BANK,
    BankAdminsOnly,
    BankInfo,
    BankLacksQuestions,
    BankNotAllowed,
    BankScope,
    UnknownBank,
    asked_from,
    check_bank_name,
)
from core.domain.model import (
    BankRef,
    ConversationRef,
    PlannedQuestion,
    Platform,
    Question,
    Session,
)
from core.domain.roles import Difficulty, Role
from core.ports import UnitOfWork
from core.services.deps import Deps

__all__ = [
    "bank_in_use",
    "bank_pool",
    "builtin_question_count",
    "export_bank",
    "import_bank",
    "list_banks",
    "planned_bank_question",
    "remove_bank",
    "review_pools",
    "session_pool",
    "start_bank",
    "tenant_bank",
    "use_bank",
]


def import_bank(
    deps: Deps, *, document: BankDocument, name: str, scope: str = "global", source: str = ""
) -> BankInfo:
    """Store a checked bank file as the next version of `name` (version 1 when new)."""
    check_bank_name(name)
    chosen_scope = BankScope.parse(scope)
    with deps.uow() as uow:
        info = uow.banks.add_version(
            name=name,
            scope=chosen_scope,
            source=source,
            description=document.description,
            questions=document.questions,
            at=deps.clock.now(),
        )
        uow.commit()
    return info


def list_banks(
    deps: Deps, *, platform: str | None = None, tenant: str = "", user: str = ""
) -> list[BankInfo]:
    """Every imported bank's latest version; with `platform`, only those usable there (on the
    web, by `user`: see _places)."""
    with deps.uow(read_only=True) as uow:
        banks = uow.banks.listing()
        places = _places(uow, platform, tenant, user) if platform is not None else None
    return [b for b in banks if places is None or _allowed(b.scope, places)]


def builtin_question_count(deps: Deps) -> int:
    """How many questions the shipped bank holds (every role, every level)."""
    return sum(len(deps.bank.pool(role, level)) for role in Role for level in _LEVELS)


def export_bank(deps: Deps, *, name: str) -> str:
    """The latest version of a bank as a YAML bank file that imports back to the same questions."""
    if name == BUILTIN_BANK:
        questions = [q for role in Role for d in _LEVELS for q in deps.bank.pool(role, d)]
        return dump_yaml_bank(questions, name=BUILTIN_BANK)
    with deps.uow(read_only=True) as uow:
        info = _existing(uow, name)
        questions = uow.banks.questions(info.name, info.version)
    return dump_yaml_bank(questions, name=info.name, description=info.description)


def remove_bank(deps: Deps, *, name: str) -> None:
    """Remove a bank from use; sessions that drew from it keep their questions and history."""
    with deps.uow() as uow:
        _existing(uow, name)
        uow.banks.remove(name, at=deps.clock.now())
        uow.commit()


def use_bank(
    deps: Deps, *, platform: str, tenant: str, name: str, by: str, is_admin: bool
) -> BankInfo | None:
    """Make `name` the bank of a workspace or server (`builtin`: the shipped one, None back).

    Admins only; who is one is the platform's to say (as for the question of the day)."""
    if not is_admin:
        raise BankAdminsOnly("server" if platform == "discord" else "workspace")
    with deps.uow() as uow:
        info = None if name == BUILTIN_BANK else _usable(uow, name, [(platform, tenant)])
        uow.banks.choose(
            platform=platform,
            tenant=tenant,
            name=info.name if info else None,
            by=by,
            at=deps.clock.now(),
        )
        uow.commit()
    return info


def bank_in_use(
    deps: Deps, *, platform: str, tenant: str, name: str | None = None, user: str = ""
) -> BankInfo | None:
    """The bank an interview started here would draw from (`name`, else the workspace's
    choice): what surfaces offer as roles and levels. None: the built-in bank (every one)."""
    if name == BUILTIN_BANK:
        return None
    with deps.uow(read_only=True) as uow:
        if name is not None:
            return _usable(uow, name, _places(uow, platform, tenant, user))
        return tenant_bank(uow, platform, tenant)


def tenant_bank(uow: UnitOfWork, platform: str, tenant: str) -> BankInfo | None:
    """The latest version of the bank a workspace or server chose, while it still exists and
    still lets them use it (a re-import may narrow its scope); None: the built-in bank."""
    chosen = uow.banks.chosen(platform, tenant)
    info = uow.banks.latest(chosen) if chosen else None
    return info if info is not None and info.scope.allows(platform, tenant) else None


def start_bank(
    uow: UnitOfWork,
    conversation: ConversationRef,
    requested: str | None,
    role: Role,
    difficulty: Difficulty,
) -> BankInfo | None:
    """The bank a new interview draws from: the one asked for, else the workspace's choice (if
    it still exists), else None (the built-in bank). Refused when it lacks the role and level."""
    if requested == BUILTIN_BANK:
        return None
    if requested is None:
        info = tenant_bank(uow, conversation.platform, conversation.tenant)
    else:
        where = _places(uow, conversation.platform, conversation.tenant, conversation.user)
        info = _usable(uow, requested, where)
    if info is not None and (role, difficulty) not in info.pools:
        raise BankLacksQuestions(info.name, role, difficulty, info.offers())
    return info


def bank_pool(
    deps: Deps, uow: UnitOfWork, bank: BankRef | None, role: Role, difficulty: Difficulty
) -> Sequence[Question]:
    """The questions of one role and level: of the session's bank version, else the built-in."""
    if bank is None:
        return deps.bank.pool(role, difficulty)
    return [asked_from(bank, q) for q in uow.banks.pool(bank.name, bank.version, role, difficulty)]


def session_pool(
    deps: Deps, uow: UnitOfWork, session: Session, difficulty: Difficulty
) -> Sequence[Question]:
    """The pool of a session's next question. An adaptive interview can move to a level its
    imported bank lacks: it then stays at the level it started at."""
    pool = bank_pool(deps, uow, session.bank, session.role, difficulty)
    if pool or session.bank is None:
        return pool
    return bank_pool(deps, uow, session.bank, session.role, session.difficulty)


def planned_bank_question(uow: UnitOfWork, planned: PlannedQuestion) -> Question | None:
    """An imported bank's question a review planned ("platform-team:rate-limiter"), from the
    bank's latest version; None when it is not one, or the bank or the question is gone."""
    name, _, question_id = planned.bank_id.partition(":")
    info = uow.banks.latest(name) if question_id else None
    if info is None:
        return None
    pool = uow.banks.pool(info.name, info.version, planned.role, planned.difficulty)
    found = next((q for q in pool if q.bank_id == question_id), None)
    return asked_from(info.ref, found) if found else None


def review_pools(
    deps: Deps, uow: UnitOfWork, conversation: ConversationRef, item_ids: Iterable[str]
) -> Callable[[Role, Difficulty], Sequence[Question]]:
    """The pools a review plans from: the built-in bank's, plus the questions of each imported
    bank a due item came from (its latest version, when still usable here), so a question of a
    team's bank comes back for review as itself."""
    names = {item.partition(":")[0] for item in item_ids if ":" in item}
    where = _places(uow, conversation.platform, conversation.tenant, conversation.user)
    banks = [
        info
        for name in sorted(names)
        if (info := uow.banks.latest(name)) is not None and _allowed(info.scope, where)
    ]

    def pool(role: Role, difficulty: Difficulty) -> Sequence[Question]:
        imported = [q for b in banks for q in bank_pool(deps, uow, b.ref, role, difficulty)]
        return [*deps.bank.pool(role, difficulty), *imported]

    return pool


_LEVELS = (Difficulty.EASY, Difficulty.MEDIUM, Difficulty.HARD)
CHAT = (Platform.SLACK, Platform.DISCORD)


def _existing(uow: UnitOfWork, name: str) -> BankInfo:
    info = uow.banks.latest(name)
    if info is None:
        raise UnknownBank(name, [b.name for b in uow.banks.listing()])
    return info


Place = tuple[str, str]  # (platform, tenant)


def _places(uow: UnitOfWork, platform: str, tenant: str, user: str) -> list[Place]:
    """Where a person draws banks from: here; for a web account, also the Slack workspaces and
    Discord servers of the chat identities linked to it (a team's bank follows its members
    to the browser, and nobody else's does)."""
    places = [(platform, tenant)]
    if platform == Platform.WEB and user:
        linked = uow.identities.linked_to(user)
        places += [(i.user.platform, i.user.tenant) for i in linked if i.user.platform in CHAT]
    return places


def _allowed(scope: BankScope, places: Sequence[Place]) -> bool:
    return any(scope.allows(platform, tenant) for platform, tenant in places)


def _usable(uow: UnitOfWork, name: str, places: Sequence[Place]) -> BankInfo:
    info = uow.banks.latest(name)
    if info is None or (places[0][0] == Platform.WEB and not _allowed(info.scope, places)):
        # on the web, another team's bank is not even said to exist
        usable = [b.name for b in uow.banks.listing() if _allowed(b.scope, places)]
        raise UnknownBank(name, usable)
    if not _allowed(info.scope, places):
        raise BankNotAllowed(name, _scope_label(info.scope))
    return info


def _scope_label(scope: BankScope) -> str:
    return {"workspace": "another Slack workspace", "guild": "another Discord server"}.get(
        scope.kind, "everyone"
    )
