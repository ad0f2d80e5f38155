"""core.services loads each use case's module on first use: the names must still all resolve."""

from __future__ import annotations

import importlib
import subprocess
import sys

import core.services as services


def test_every_public_name_resolves_to_the_object_in_its_home_module() -> None:
    assert sorted(services.__all__) == sorted(services._HOMES)
    for name, home in services._HOMES.items():
        assert getattr(services, name) is getattr(importlib.import_module(home), name)


def test_an_unknown_name_is_an_attribute_error() -> None:
    try:
        services.no_such_use_case  # type: ignore[attr-defined]  # noqa: B018
    except AttributeError as error:
        assert "no_such_use_case" in str(error)
    else:
        raise AssertionError("an unknown name resolved")


def test_importing_the_package_loads_no_use_case_module() -> None:
    probe = (
        "import sys, core.services as s\n"
        "loaded = sorted(m for m in sys.modules if m.startswith('core.services.'))\n"
        "print(loaded)\n"
        "s.accept_answer\n"
        "print('core.services.answers' in sys.modules)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    ).stdout.splitlines()
    assert out == ["[]", "True"]
