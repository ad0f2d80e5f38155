"""The CI/CD workflows, samconfig.toml and the parameter helper: the promises the deploy guide
makes (actionlint checks the workflow syntax: .ci/run)."""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import subprocess
import tomllib
from pathlib import Path
from types import SimpleNamespace
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


def load_script(name: str) -> Any:
    path = ROOT / "infra" / "scripts" / f"{name}.py"
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def overrides_module() -> Any:
    return load_script("parameter_overrides")


@pytest.fixture(scope="module")
def scripts() -> Any:
    return SimpleNamespace(stack_outputs=load_script("stack_outputs"))


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
    if "container" in test_job:  # the checkout belongs to another user: git needs telling
        assert "safe.directory" in steps_text(test_job)


def test_deploy_waits_for_ci_assumes_a_role_and_runs_one_at_a_time() -> None:
    deploy = load_workflow("deploy.yml")
    assert deploy["on"]["workflow_run"]["workflows"] == ["CI"]
    assert deploy["on"]["workflow_run"]["branches"] == ["main"]
    assert deploy["permissions"] == {}  # each job asks for its own
    assert deploy["concurrency"]["cancel-in-progress"] is False
    guard, job = deploy["jobs"]["guard"], deploy["jobs"]["deploy"]
    assert "conclusion == 'success'" in guard["if"]
    assert "event == 'push'" in guard["if"]
    assert "github.ref == 'refs/heads/main'" in guard["if"]  # a manual run deploys main only
    assert "commits/main" in steps_text(guard), "only main's tip deploys (runs finish out of order)"
    assert job["needs"] == "guard" and "needs.guard.outputs.deploy" in job["if"]
    assert job["permissions"] == {"id-token": "write", "contents": "read"}
    credentials = next(s for s in job["steps"] if "configure-aws-credentials" in s.get("uses", ""))
    assert "role-to-assume" in credentials["with"]
    assert not any(k in credentials["with"] for k in ("aws-access-key-id", "aws-secret-access-key"))
    assert "--no-confirm-changeset" in steps_text(job)


def test_deploy_steps_run_in_a_safe_order() -> None:
    """Assets built before the artefacts; static files uploaded before the code that uses them;
    the migrations checked after the deploy (CloudFormation ran them); stale files dropped last."""
    [job] = [j for name, j in load_workflow("deploy.yml")["jobs"].items() if name == "deploy"]
    text = steps_text(job)
    order = [
        "npm run build --prefix web",
        "sam build",
        "publish_static.sh --wait",
        "sam deploy",
        "aws lambda invoke",
        "publish_static.sh --delete",
        "healthz",
    ]
    positions = [text.index(step) for step in order]
    assert positions == sorted(positions), order


def test_stack_outputs_become_the_variables_deploy_uses(scripts: Any) -> None:
    outputs = [
        {"OutputKey": "WebUrl", "OutputValue": "https://d1.cloudfront.net/"},
        {"OutputKey": "StaticBucketName", "OutputValue": "interviewbot-staticbucket-1"},
        {"OutputKey": "SlackRequestUrl", "OutputValue": "https://x/slack/events"},
    ]
    assert scripts.stack_outputs.as_variables(outputs) == [
        "BUCKET=interviewbot-staticbucket-1",
        "WEB_URL=https://d1.cloudfront.net/",
    ]
    workflow = (WORKFLOWS / "deploy.yml").read_text()
    for name in scripts.stack_outputs.VARIABLES.values():
        assert re.search(rf"\$\{{?{name}\b|outputs\.{name}\b", workflow), name


def test_publish_static_uploads_then_invalidates(tmp_path: Path) -> None:
    """Run against a fake `aws` that records its arguments; refuse to run without the vendor
    folder, which --delete would otherwise remove from the bucket."""
    tree = tmp_path / "repo"
    script = tree / "infra" / "scripts" / "publish_static.sh"
    script.parent.mkdir(parents=True)
    shutil.copy(ROOT / "infra" / "scripts" / "publish_static.sh", script)
    (tree / "web" / "static").mkdir(parents=True)
    (tree / "web" / "static" / "app.css").write_text("body {}")
    bin_dir, log = tmp_path / "bin", tmp_path / "aws.log"
    bin_dir.mkdir()
    fake = bin_dir / "aws"
    fake.write_text(f'#!/bin/sh\necho "$*" >> {log}\necho I123\n')
    fake.chmod(0o755)
    env = {**os.environ, "PATH": f"{bin_dir}:{os.environ['PATH']}"}

    def publish(*args: str) -> subprocess.CompletedProcess[str]:
        command = ["bash", str(script), *args, "bucket-1", "E123"]
        return subprocess.run(command, capture_output=True, text=True, env=env)

    refused = publish("--delete")
    assert refused.returncode == 1 and "npm run build" in refused.stderr
    assert not log.exists()
    (tree / "web" / "static" / "vendor").mkdir()
    (tree / "web" / "static" / "vendor" / "chart.umd.js").write_text("/* chart */")
    done = publish("--delete", "--wait")
    assert done.returncode == 0, done.stderr
    calls = log.read_text().splitlines()
    assert calls[0].startswith(f"s3 sync {tree / 'web' / 'static'} s3://bucket-1/static --delete")
    assert calls[1].startswith("cloudfront create-invalidation --distribution-id E123")
    assert "--paths /static/*" in calls[1]
    assert calls[2] == "cloudfront wait invalidation-completed --distribution-id E123 --id I123"
    log.unlink()
    assert publish().returncode == 0  # before sam deploy: additive, nothing deleted
    calls = log.read_text().splitlines()
    assert "--delete" not in calls[0] and len(calls) == 2, calls


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


def test_the_sam_cli_version_is_pinned() -> None:
    [job] = [j for name, j in load_workflow("deploy.yml")["jobs"].items() if name == "deploy"]
    [setup] = [
        s for s in job["steps"] if str(s.get("uses", "")).startswith("aws-actions/setup-sam")
    ]
    assert re.fullmatch(r"\d+\.\d+\.\d+", str(setup["with"]["version"])), setup
    assert setup["with"]["use-installer"] is True


def test_deploy_passes_the_boundary_and_the_deployment_digest() -> None:
    [job] = [j for name, j in load_workflow("deploy.yml")["jobs"].items() if name == "deploy"]
    [step] = [s for s in job["steps"] if "sam deploy" in str(s.get("run", ""))]
    assert step["env"]["PERMISSIONS_BOUNDARY_ARN"] == "${{ secrets.AWS_PERMISSIONS_BOUNDARY_ARN }}"
    assert "parameter_overrides.py --build-dir .aws-sam/build" in step["run"]
    # The build happens before; the digest covers what it produced.
    text = steps_text(job)
    assert text.index("sam build") < text.index("--build-dir .aws-sam/build")


def test_deployment_digest_follows_the_build_the_template_and_the_values(
    overrides_module: Any, tmp_path: Path
) -> None:
    build = tmp_path / "build"
    (build / "WebFunction").mkdir(parents=True)
    (build / "WebFunction" / "app.pyc").write_bytes(b"code v1")
    template = tmp_path / "template.yaml"
    template.write_text("Parameters: {}\n")
    names = ["DatabaseUrl", "SlackBotToken", "DeploymentDigest"]
    environ = {"DATABASE_URL": "mysql://a", "SLACK_BOT_TOKEN": "xoxb-1"}

    def digest(env: dict[str, str]) -> str:
        values = overrides_module.passed_values(env, names)
        return overrides_module.deployment_digest(build, template, values)

    first = digest(environ)
    assert first == digest(dict(environ)), "the same build and values give the same digest"
    rotated = digest({**environ, "SLACK_BOT_TOKEN": "xoxb-2"})
    assert rotated != first, "a rotated secret must publish new versions"
    assert digest({**environ, "DEPLOYMENT_DIGEST": "ignored"}) == first
    (build / "WebFunction" / "app.pyc").write_bytes(b"code v2")
    assert digest(environ) not in {first, rotated}
    template.write_text("Parameters: {X: {}}\n")
    changed_template = digest(environ)
    assert changed_template != first
    line = overrides_module.overrides(environ, names, changed_template)
    assert line.startswith(f'DeploymentDigest="{changed_template}" ')
    with pytest.raises(ValueError, match="sam build"):
        overrides_module.deployment_digest(tmp_path / "empty", template, {})


def test_functions_read_each_parameter_under_the_name_deploy_passes_it(
    overrides_module: Any,
) -> None:
    """A parameter handed to a function as VAR must be the one deploy fills from VAR.

    deploy.yml and parameter_overrides.py derive one name from the other (OpenAiApiKey ->
    OPENAI_API_KEY); a function reading the value under another name would silently never get
    the secret people set.
    """
    text = (ROOT / "template.yaml").read_text()
    parameters = set(overrides_module.template_parameters(text))
    handed = re.findall(
        r"^\s+([A-Z][A-Z0-9_]+): !(?:Ref (\w+)|If \[\w+, !Ref (\w+),)", text, re.MULTILINE
    )
    checked = 0
    for variable, plain, conditional in handed:
        parameter = plain or conditional
        if parameter in parameters:
            assert overrides_module.variable_for(parameter) == variable, parameter
            checked += 1
    assert checked >= 10, "the template's environment blocks were not found"
    assert {"OpenAiApiKey", "OpenAiBaseUrl", "OpenAiModel", "LlmFallback"} <= parameters
