"""Plain domain types: no I/O, no framework imports."""

from core.domain.errors import *  # noqa: F403
from core.domain.model import *  # noqa: F403
from core.domain.roles import *  # noqa: F403
