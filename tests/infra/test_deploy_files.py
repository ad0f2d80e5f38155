"""The CI/CD workflows, samconfig.toml and the parameter helper: the promises the deploy guide
makes (actionlint checks the workflow syntax: .ci/run)."""

from __future__ import annotations

import importlib.util
import re
import tomllib
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
WORKFLOWS = ROOT / ".github" / "workflows"


def load_workflow(name: str) -> dict[str, Any]:
    workflow = yaml.safe_load((WORKFLOWS / name).read_text())
    workflow["on"] = workflow.pop(True, workflow.get("on"))  # YAML 1.1 reads `on:` as True
    return workflow


def steps_text(job: dict[str, Any]) -> str:
    return "\n".join(str(step.get("run", "")) + str(step.get("uses", "")) for step in job["steps"])


@pytest.fixture(scope="module")
def overrides_module() -> Any:
    path = ROOT / "infra" / "scripts" / "parameter_overrides.py"
    spec = importlib.util.spec_from_file_location("parameter_overrides", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_ci_runs_the_same_checks_as_ci_run() -> None:
    ci = load_workflow("ci.yml")
    text = "\n".join(steps_text(job) for job in ci["jobs"].values())
    for check in (
        "ruff check",
        "ruff format --check",
        "mypy",
        "pytest",
        "lint_template.sh",
        "lint_workflows.sh",
    ):
        assert check in text, check
    test_job = next(job for job in ci["jobs"].values() if "services" in job)
    assert test_job["env"]["INTERVIEWBOT_REQUIRE_SERVICES"] == "1"
    assert {"TEST_MYSQL_URL", "TEST_REDIS_URL"} <= set(test_job["env"])
    for service in test_job["services"].values():
        assert "--health-cmd" in service["options"], service["image"]
    assert "chromium" in steps_text(test_job)


def test_deploy_waits_for_ci_assumes_a_role_and_runs_one_at_a_time() -> None:
    deploy = load_workflow("deploy.yml")
    assert deploy["on"]["workflow_run"]["workflows"] == ["CI"]
    assert deploy["on"]["workflow_run"]["branches"] == ["main"]
    assert deploy["permissions"] == {"id-token": "write", "contents": "read"}
    assert deploy["concurrency"]["cancel-in-progress"] is False
    [job] = deploy["jobs"].values()
    assert "conclusion == 'success'" in job["if"]
    assert "event == 'push'" in job["if"]
    credentials = next(s for s in job["steps"] if "configure-aws-credentials" in s.get("uses", ""))
    assert "role-to-assume" in credentials["with"]
    assert not any(k in credentials["with"] for k in ("aws-access-key-id", "aws-secret-access-key"))
    text = steps_text(job)
    order = ["sam build", "sam deploy", "aws lambda invoke", "aws s3 sync", "create-invalidation"]
    positions = [text.index(step) for step in order]
    assert positions == sorted(positions), "build, deploy, migrate, upload, invalidate"
    assert "--no-confirm-changeset" in text


def test_deploy_passes_every_template_secret(overrides_module: Any) -> None:
    """Each NoEcho parameter reaches sam deploy from a GitHub secret of the app's own name."""
    template = yaml.load((ROOT / "template.yaml").read_text(), Loader=_IgnoreTags)
    deploy_text = (WORKFLOWS / "deploy.yml").read_text()
    for name, spec in template["Parameters"].items():
        if spec.get("NoEcho"):
            variable = overrides_module.variable_for(name)
            assert f"{variable}: ${{{{ secrets.{variable} }}}}" in deploy_text, variable


def test_parameter_overrides_quote_values_and_skip_unset(overrides_module: Any) -> None:
    names = overrides_module.template_parameters((ROOT / "template.yaml").read_text())
    assert names[:3] == ["DatabaseUrl", "RedisUrl", "WebSecret"]
    line = overrides_module.overrides(
        {"DATABASE_URL": 'mysql+pymysql://u:p"w@h/db?ssl=1&x=y', "SLACK_BOT_TOKEN": ""}, names
    )
    assert line == 'DatabaseUrl="mysql+pymysql://u:p\\"w@h/db?ssl=1&x=y"'
    with pytest.raises(ValueError, match="backslash"):
        overrides_module.overrides({"WEB_SECRET": "a\\b"}, names)


def test_samconfig_names_the_stack_and_region_deploy_reads() -> None:
    config = tomllib.loads((ROOT / "samconfig.toml").read_text())
    deploy = config["default"]["deploy"]["parameters"]
    assert deploy["stack_name"] and re.fullmatch(r"[a-z]{2}-[a-z]+-\d", deploy["region"])
    assert config["default"]["build"]["parameters"]["cached"] is False
    assert "CAPABILITY_IAM" in deploy["capabilities"]


class _IgnoreTags(yaml.SafeLoader):
    """Reads template.yaml's parameters; the short-form functions are kept as plain values."""


_IgnoreTags.add_multi_constructor("!", lambda loader, suffix, node: None)
