"""template.yaml's structure: the promises infra/README.md makes about secrets, the bucket, the
CDN and the Slack function, checked on the file itself (cfn-lint checks the rest: .ci/run)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml  # PyYAML: a dev dependency (pyproject.toml, extra "dev")

ROOT = Path(__file__).resolve().parents[2]
CACHING_DISABLED = "4135ea2d-6df8-44a3-9df3-4b5a84be39ad"
CACHING_OPTIMIZED = "658327ea-f89d-4fab-a63d-7e88639e58f6"
ALL_VIEWER_EXCEPT_HOST = "b689b0a8-53d0-40ab-baf2-68738e2966ac"
SECRET_PARAMETERS = {
    "DatabaseUrl", "RedisUrl", "WebSecret", "GeminiApiKey", "SlackSigningSecret", "SlackBotToken",
    "SlackClientSecret", "DiscordPublicKey", "DiscordToken",
}  # fmt: skip
SECRET_VARIABLES = {
    "DATABASE_URL", "REDIS_URL", "WEB_SECRET", "GEMINI_API_KEY", "SLACK_SIGNING_SECRET",
    "SLACK_BOT_TOKEN", "SLACK_CLIENT_SECRET", "DISCORD_PUBLIC_KEY",
    "DISCORD_TOKEN",
}  # fmt: skip


class Tagged(dict):  # type: ignore[type-arg]
    """A CloudFormation short-form function (!Ref x) read as {"Ref": x}, like the long form."""


def _loader() -> type:
    class CfnLoader(yaml.SafeLoader):
        pass

    def construct(loader: Any, suffix: str, node: Any) -> Tagged:
        name = "Ref" if suffix == "Ref" else f"Fn::{suffix}"
        if isinstance(node, yaml.ScalarNode):
            value: Any = loader.construct_scalar(node)
            if suffix == "GetAtt":
                value = value.split(".", 1)
        elif isinstance(node, yaml.SequenceNode):
            value = loader.construct_sequence(node, deep=True)
        else:
            value = loader.construct_mapping(node, deep=True)
        return Tagged({name: value})

    CfnLoader.add_multi_constructor("!", construct)
    return CfnLoader


@pytest.fixture(scope="module")
def template() -> dict[str, Any]:
    return yaml.load((ROOT / "template.yaml").read_text(), Loader=_loader())


def resources_of(template: dict[str, Any], kind: str) -> dict[str, dict[str, Any]]:
    return {k: v for k, v in template["Resources"].items() if v["Type"] == kind}


def is_literal_secret(value: Any) -> bool:
    """A plain string where a secret belongs (a Ref, an If of Refs or a dynamic reference is fine)."""
    if isinstance(value, str):
        return not value.startswith("{{resolve:")
    if isinstance(value, dict) and "Fn::If" in value:
        return any(is_literal_secret(v) for v in value["Fn::If"][1:])
    return not (isinstance(value, dict) and set(value) <= {"Ref", "Fn::Sub"})


def test_secrets_are_noecho_parameters_never_literals(template: dict[str, Any]) -> None:
    parameters = template["Parameters"]
    for name in SECRET_PARAMETERS:
        assert parameters[name].get("NoEcho") is True, name
        assert parameters[name].get("Default", "") == "", f"{name} has a default value"
    environments = [template["Globals"]["Function"]["Environment"]["Variables"]]
    for function in resources_of(template, "AWS::Serverless::Function").values():
        environments.append(function["Properties"].get("Environment", {}).get("Variables", {}))
    seen = set()
    for variables in environments:
        for key, value in variables.items():
            if key in SECRET_VARIABLES:
                seen.add(key)
                assert not is_literal_secret(value), f"{key} is a literal: {value!r}"
    assert seen == SECRET_VARIABLES


def test_the_four_functions_use_the_fixed_handlers(template: dict[str, Any]) -> None:
    handlers = {
        f["Properties"]["Handler"]
        for f in resources_of(template, "AWS::Serverless::Function").values()
    }
    assert {
        "bots.slack.aws_lambda.handler",
        "bots.discord.aws_lambda.handler",
        "web.aws_lambda.handler",
        "core.jobs.handler",
    } <= handlers


def test_slack_function_may_invoke_itself_and_never_retries_async(template: dict[str, Any]) -> None:
    slack = template["Resources"]["SlackFunction"]["Properties"]
    name = slack["FunctionName"]["Fn::Sub"]
    statements = [s for p in slack["Policies"] for s in p["Statement"]]
    invoke = [s for s in statements if s["Action"] == "lambda:InvokeFunction"]
    assert invoke, "no lambda:InvokeFunction statement"
    arns = [r["Fn::Sub"] for r in invoke[0]["Resource"]]
    assert any(arn.endswith(f":function:{name}") for arn in arns), arns
    assert slack["EventInvokeConfig"]["MaximumRetryAttempts"] == 0
    # Same for the Discord endpoint's deferred work.
    discord = template["Resources"]["DiscordFunction"]["Properties"]
    assert discord["EventInvokeConfig"]["MaximumRetryAttempts"] == 0


def test_maintenance_runs_on_a_schedule(template: dict[str, Any]) -> None:
    events = template["Resources"]["MaintenanceFunction"]["Properties"]["Events"]
    assert [e["Type"] for e in events.values()] == ["Schedule"]


def test_http_api_routes(template: dict[str, Any]) -> None:
    routes = {
        r["Properties"]["RouteKey"]
        for r in resources_of(template, "AWS::ApiGatewayV2::Route").values()
    }
    assert {"POST /slack/events", "POST /discord/interactions", "$default"} <= routes


def test_bucket_is_private_encrypted_and_blocks_public_access(template: dict[str, Any]) -> None:
    bucket = template["Resources"]["StaticBucket"]["Properties"]
    block = bucket["PublicAccessBlockConfiguration"]
    assert block == {
        "BlockPublicAcls": True,
        "BlockPublicPolicy": True,
        "IgnorePublicAcls": True,
        "RestrictPublicBuckets": True,
    }
    rule = bucket["BucketEncryption"]["ServerSideEncryptionConfiguration"][0]
    assert rule["ServerSideEncryptionByDefault"]["SSEAlgorithm"] in {"AES256", "aws:kms"}
    assert "WebsiteConfiguration" not in bucket and "AccessControl" not in bucket
    policy = template["Resources"]["StaticBucketPolicy"]["Properties"]["PolicyDocument"]
    allows = [s for s in policy["Statement"] if s["Effect"] == "Allow"]
    assert [s["Principal"] for s in allows] == [{"Service": "cloudfront.amazonaws.com"}]
    assert "AWS:SourceArn" in allows[0]["Condition"]["StringEquals"]


def test_cloudfront_uses_origin_access_control_and_the_cache_split(
    template: dict[str, Any],
) -> None:
    config = template["Resources"]["Distribution"]["Properties"]["DistributionConfig"]
    origins = {o["Id"]: o for o in config["Origins"]}
    s3 = origins["static-bucket"]
    assert s3["OriginAccessControlId"] == {"Fn::GetAtt": ["StaticOriginAccessControl", "Id"]}
    assert s3["S3OriginConfig"]["OriginAccessIdentity"] == ""
    oac = template["Resources"]["StaticOriginAccessControl"]["Properties"][
        "OriginAccessControlConfig"
    ]
    assert (oac["SigningBehavior"], oac["SigningProtocol"]) == ("always", "sigv4")

    [static] = config["CacheBehaviors"]
    assert static["PathPattern"] == "/static/*"
    assert static["TargetOriginId"] == "static-bucket"
    assert static["CachePolicyId"] == CACHING_OPTIMIZED

    default = config["DefaultCacheBehavior"]
    assert default["TargetOriginId"] == "http-api"
    assert default["CachePolicyId"] == CACHING_DISABLED
    assert default["OriginRequestPolicyId"] == ALL_VIEWER_EXCEPT_HOST  # headers, cookies, query
    assert {"POST", "PUT", "DELETE"} <= set(default["AllowedMethods"])
    assert default["ViewerProtocolPolicy"] == "redirect-to-https"


def test_outputs(template: dict[str, Any]) -> None:
    assert {
        "WebUrl",
        "SlackRequestUrl",
        "DiscordInteractionsUrl",
        "StaticBucketName",
        "DistributionId",
        "MigrateFunctionName",
    } <= set(template["Outputs"])


def test_migrations_run_before_the_functions_that_use_the_database(
    template: dict[str, Any],
) -> None:
    """CloudFormation migrates (Migrations custom resource) before it updates the app's code."""
    resources = template["Resources"]
    migrations = resources["Migrations"]
    assert migrations["Type"].startswith("Custom::")
    props = migrations["Properties"]
    assert props["ServiceToken"] == {"Ref": "MigrateFunction.Alias"}
    # A new version of the function (new code) is what makes CloudFormation call it again.
    assert props["CodeVersion"] == {"Ref": "MigrateFunction.Version"}
    migrate = resources["MigrateFunction"]["Properties"]
    assert migrate["AutoPublishAlias"] and migrate["VersionDeletionPolicy"] == "Delete"
    assert migrate["EventInvokeConfig"]["MaximumRetryAttempts"] == 0
    assert migrate["Timeout"] < props["ServiceTimeout"] < 3600
    for name, function in resources_of(template, "AWS::Serverless::Function").items():
        if name != "MigrateFunction":
            assert function.get("DependsOn") == "Migrations", name


def test_timeouts_fit_the_evaluation_and_api_gateway(template: dict[str, Any]) -> None:
    """Lazy work waits for the LLM (every retry at its full timeout); web answers within 30 s."""
    from core.config import Settings

    # The defaults are what Lambda runs with: the template sets none of these.
    default = {name: field.default for name, field in Settings.model_fields.items()}
    worst_llm_call = default["gemini_timeout_seconds"] * (default["gemini_max_retries"] + 1)
    resources = template["Resources"]
    for name in ("SlackFunction", "DiscordFunction"):
        timeout = resources[name]["Properties"]["Timeout"]
        assert worst_llm_call + 10 <= timeout < default["evaluation_lock_seconds"], name
    assert resources["WebFunction"]["Properties"]["Timeout"] <= 30  # HTTP API's own limit
    for name, integration in resources_of(template, "AWS::ApiGatewayV2::Integration").items():
        assert integration["Properties"]["PayloadFormatVersion"] == "2.0", name
        assert integration["Properties"]["TimeoutInMillis"] <= 30_000, name


def test_environment_names_are_settings_fields(template: dict[str, Any]) -> None:
    """Every variable the template sets is read by core.config.Settings (a typo would be ignored)."""
    from core.config import Settings

    fields = {name.upper() for name in Settings.model_fields}
    environments = {"Globals": template["Globals"]["Function"]["Environment"]["Variables"]}
    for name, function in resources_of(template, "AWS::Serverless::Function").items():
        environments[name] = function["Properties"].get("Environment", {}).get("Variables", {})
    for where, variables in environments.items():
        unknown = set(variables) - fields
        assert not unknown, f"{where}: {sorted(unknown)}"


def test_web_static_url_is_the_path_cloudfront_sends_to_the_bucket(
    template: dict[str, Any],
) -> None:
    web = template["Resources"]["WebFunction"]["Properties"]["Environment"]["Variables"]
    [static] = template["Resources"]["Distribution"]["Properties"]["DistributionConfig"][
        "CacheBehaviors"
    ]
    assert static["PathPattern"] == web["WEB_STATIC_URL"] + "/*"
    # The bucket policy lets CloudFront read that prefix and nothing else.
    policy = template["Resources"]["StaticBucketPolicy"]["Properties"]["PolicyDocument"]
    [allow] = [s for s in policy["Statement"] if s["Effect"] == "Allow"]
    assert allow["Resource"]["Fn::Sub"].endswith(web["WEB_STATIC_URL"] + "/*")
