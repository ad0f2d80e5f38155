"""Interview roles and difficulties, with the aliases people actually type."""

from __future__ import annotations

from enum import StrEnum

from core.domain.errors import UnknownDifficulty, UnknownRole

__all__ = ["Difficulty", "Role"]


class Role(StrEnum):
    BACKEND = "backend"
    FRONTEND = "frontend"
    FULLSTACK = "fullstack"
    DATA_ENGINEERING = "data-engineering"
    MACHINE_LEARNING = "machine-learning"
    DEVOPS_SRE = "devops-sre"
    MOBILE = "mobile"
    SECURITY = "security"
    SYSTEM_DESIGN = "system-design"
    BEHAVIORAL = "behavioral"

    @property
    def label(self) -> str:
        return _ROLE_LABELS[self]

    @classmethod
    def parse(cls, text: str) -> Role:
        """Parse what a user typed ("ML", "sre", "Data Engineering"); refuse with the valid list."""
        key = _normalise(text)
        for role in cls:
            if key == _normalise(role.value) or key in _ROLE_ALIASES.get(role, ()):
                return role
        raise UnknownRole(text, [r.value for r in cls])


class Difficulty(StrEnum):
    EASY = "easy"
    MEDIUM = "medium"
    HARD = "hard"
    DEFAULT = "medium"  # an alias of MEDIUM: what a start without a difficulty gets

    @property
    def label(self) -> str:
        return self.value.capitalize()

    def shifted(self, steps: int) -> Difficulty:
        """The level `steps` above (or below) this one, never past easy or hard."""
        levels = list(Difficulty)  # EASY, MEDIUM, HARD (DEFAULT is an alias)
        index = min(max(levels.index(self) + steps, 0), len(levels) - 1)
        return levels[index]

    @classmethod
    def parse(cls, text: str) -> Difficulty:
        key = _normalise(text)
        aliases = {"junior": cls.EASY, "mid": cls.MEDIUM, "senior": cls.HARD, "med": cls.MEDIUM}
        for difficulty in cls:
            if key == difficulty.value:
                return difficulty
        if key in aliases:
            return aliases[key]
        raise UnknownDifficulty(text, [d.value for d in cls])


def _normalise(text: str) -> str:
    return "".join(ch for ch in text.strip().lower() if ch.isalnum())


_ROLE_LABELS = {
    Role.BACKEND: "Backend",
    Role.FRONTEND: "Frontend",
    Role.FULLSTACK: "Full-stack",
    Role.DATA_ENGINEERING: "Data engineering",
    Role.MACHINE_LEARNING: "Machine learning",
    Role.DEVOPS_SRE: "DevOps / SRE",
    Role.MOBILE: "Mobile",
    Role.SECURITY: "Security",
    Role.SYSTEM_DESIGN: "System design",
    Role.BEHAVIORAL: "Behavioral",
}

_ROLE_ALIASES: dict[Role, tuple[str, ...]] = {
    Role.BACKEND: ("back", "be", "server"),
    Role.FRONTEND: ("front", "fe", "web", "ui"),
    Role.FULLSTACK: ("full", "fs"),
    Role.DATA_ENGINEERING: ("data", "de", "dataeng", "dataengineer"),
    Role.MACHINE_LEARNING: ("ml", "ai", "mlengineer"),
    Role.DEVOPS_SRE: ("devops", "sre", "ops", "platform", "infra"),
    Role.MOBILE: ("ios", "android"),
    Role.SECURITY: ("sec", "appsec", "infosec"),
    Role.SYSTEM_DESIGN: ("systemdesign", "sysdesign", "design", "architecture", "sd"),
    Role.BEHAVIORAL: ("behavioural", "behavior", "behaviour", "hr", "soft"),
}
