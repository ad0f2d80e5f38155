"""template.yaml's structure: the promises infra/README.md makes about secrets, the bucket, the
CDN and the Slack function, checked on the file itself (cfn-lint checks the rest: .ci/run)."""

from __future__ import annotations

import json
import re
import sys
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


def test_the_functions_use_the_fixed_handlers(template: dict[str, Any]) -> None:
    handlers = {
        f["Properties"]["Handler"]
        for f in resources_of(template, "AWS::Serverless::Function").values()
    }
    assert {
        "bots.slack.aws_lambda.handler",
        "bots.discord.aws_lambda.handler",
        "web.aws_lambda.handler",
        "core.jobs.handler",
        "core.jobs.evaluation_handler",
    } <= handlers


def role_of(template: dict[str, Any], function: str) -> dict[str, Any]:
    """The properties of the IAM role a function runs with (each has its own)."""
    reference = template["Resources"][function]["Properties"]["Role"]
    assert reference["Fn::GetAtt"][1] == "Arn", reference
    return template["Resources"][reference["Fn::GetAtt"][0]]["Properties"]


def statements_of(role: dict[str, Any]) -> list[dict[str, Any]]:
    return [s for p in role["Policies"] for s in p["PolicyDocument"]["Statement"]]


@pytest.mark.parametrize("function", ["SlackFunction", "DiscordFunction", "WebFunction"])
def test_functions_may_invoke_themselves_and_never_retry_async(
    template: dict[str, Any], function: str
) -> None:
    """Slack's lazy listeners, Discord's deferred work and the web's background evaluations."""
    properties = template["Resources"][function]["Properties"]
    name = properties["FunctionName"]["Fn::Sub"]
    invoke = [s for s in statements_of(role_of(template, function))
              if s["Action"] == "lambda:InvokeFunction"]  # fmt: skip
    assert invoke, "no lambda:InvokeFunction statement"
    arns = [r["Fn::Sub"] for r in invoke[0]["Resource"]]
    assert any(arn.endswith(f":function:{name}") for arn in arns), arns
    # The function is invoked through its alias: the qualified ARN must be allowed too.
    assert any(arn.endswith(f":function:{name}:*") for arn in arns), arns
    assert properties["EventInvokeConfig"]["MaximumRetryAttempts"] == 0


def test_maintenance_runs_on_a_schedule(template: dict[str, Any]) -> None:
    events = template["Resources"]["MaintenanceFunction"]["Properties"]["Events"]
    assert [e["Type"] for e in events.values()] == ["Schedule"]


def test_queued_evaluations_reach_a_bounded_worker_that_may_defer_them(
    template: dict[str, Any],
) -> None:
    """Question-of-the-day answers: Slack and Discord queue them, one worker function grades
    them with partial batch failures, at most two at once, and what fails ten times waits in a
    dead-letter queue (the database still holds the answer)."""
    resources = template["Resources"]
    queue = resources["EvaluationQueue"]["Properties"]
    worker = resources["EvaluationFunction"]["Properties"]
    assert queue["RedrivePolicy"]["deadLetterTargetArn"] == {
        "Fn::GetAtt": ["EvaluationDeadLetterQueue", "Arn"]
    }
    assert queue["VisibilityTimeout"] >= 6 * worker["Timeout"]
    assert (
        queue["SqsManagedSseEnabled"]
        and resources["EvaluationDeadLetterQueue"]["Properties"]["SqsManagedSseEnabled"]
    )
    [event] = worker["Events"].values()
    assert event["Type"] == "SQS"
    assert event["Properties"]["Queue"] == {"Fn::GetAtt": ["EvaluationQueue", "Arn"]}
    assert event["Properties"]["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    assert event["Properties"]["ScalingConfig"]["MaximumConcurrency"] == 2
    receive = {a for s in statements_of(role_of(template, "EvaluationFunction"))
               if s.get("Resource") == {"Fn::GetAtt": ["EvaluationQueue", "Arn"]}
               for a in s["Action"]}  # fmt: skip
    assert "sqs:ChangeMessageVisibility" in receive and "sqs:SendMessage" not in receive
    for name in ("SlackFunction", "DiscordFunction"):
        variables = resources[name]["Properties"]["Environment"]["Variables"]
        assert variables["EVALUATION_QUEUE_URL"] == {"Ref": "EvaluationQueue"}, name
        send = [
            s for s in statements_of(role_of(template, name)) if s["Action"] == "sqs:SendMessage"
        ]
        assert send and send[0]["Resource"] == {"Fn::GetAtt": ["EvaluationQueue", "Arn"]}, name
    # The worker and maintenance deliver grades: they carry the chat tokens.
    for name in ("EvaluationFunction", "MaintenanceFunction"):
        variables = resources[name]["Properties"]["Environment"]["Variables"]
        assert {"SLACK_BOT_TOKEN", "DISCORD_TOKEN", "DISCORD_APPLICATION_ID"} <= set(variables)


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
        "EvaluationQueueUrl",
        "EvaluationDeadLetterQueueArn",
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
    """Lazy work (Slack's lazy listeners, Discord's deferred work, the web's background
    evaluations) waits for the LLM, every retry at its full timeout; HTTP answers within 30 s."""
    from core.config import Settings

    # The defaults are what Lambda runs with: the template sets none of these.
    default = {name: field.default for name, field in Settings.model_fields.items()}
    worst_llm_call = default["gemini_timeout_seconds"] * (default["gemini_max_retries"] + 1)
    resources = template["Resources"]
    for name in ("SlackFunction", "DiscordFunction", "WebFunction"):
        timeout = resources[name]["Properties"]["Timeout"]
        assert worst_llm_call + 10 <= timeout < default["evaluation_lock_seconds"], name
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


# ------------------------------------------------------------------------------ SnapStart
SNAPSTART_FUNCTIONS = ("SlackFunction", "DiscordFunction", "WebFunction")


@pytest.mark.parametrize("function", SNAPSTART_FUNCTIONS)
def test_snapstart_functions_serve_published_versions_through_an_alias(
    template: dict[str, Any], function: str
) -> None:
    properties = template["Resources"][function]["Properties"]
    assert properties["SnapStart"] == {"ApplyOn": {"Ref": "SnapStartApplyOn"}}
    assert properties["AutoPublishAlias"] == "live"
    # A new digest (code, template or a parameter value changed) publishes a new version: SAM
    # alone would not notice a changed secret, and the alias would keep the old one.
    assert properties["AutoPublishCodeSha256"] == {"Ref": "DeploymentDigest"}
    # Old versions are deleted, or each would keep its snapshot (and its caching charge).
    assert properties["VersionDeletionPolicy"] == "Delete"
    runtime = properties.get("Runtime", template["Globals"]["Function"]["Runtime"])
    assert runtime in {"python3.12", "python3.13", "python3.14"}  # SnapStart for Python


def test_snapstart_can_be_turned_off_with_one_parameter(template: dict[str, Any]) -> None:
    parameter = template["Parameters"]["SnapStartApplyOn"]
    assert parameter["Default"] == "PublishedVersions"
    assert set(parameter["AllowedValues"]) == {"PublishedVersions", "None"}


def test_http_api_and_permissions_point_at_the_aliases(template: dict[str, Any]) -> None:
    resources = template["Resources"]
    for name, integration in resources_of(template, "AWS::ApiGatewayV2::Integration").items():
        uri = integration["Properties"]["IntegrationUri"]
        assert set(uri) == {"Ref"} and uri["Ref"].endswith("Function.Alias"), (name, uri)
    for name, permission in resources_of(template, "AWS::Lambda::Permission").items():
        target = permission["Properties"]["FunctionName"]
        assert target["Ref"].endswith("Function.Alias"), (name, target)
    assert {i["Properties"]["IntegrationUri"]["Ref"].split(".")[0]
            for i in resources_of(template, "AWS::ApiGatewayV2::Integration").values()} == set(
        SNAPSTART_FUNCTIONS
    )  # fmt: skip
    assert "SnapStart" not in resources["MaintenanceFunction"]["Properties"]


# ------------------------------------------------------------------------------ Hardening
def test_every_function_role_is_bounded_and_gets_the_vpc_policy_only_in_a_vpc(
    template: dict[str, Any],
) -> None:
    functions = resources_of(template, "AWS::Serverless::Function")
    roles = resources_of(template, "AWS::IAM::Role")
    assert len(roles) == len(functions), "one role per function, none generated by SAM"
    for name in functions:
        role = role_of(template, name)
        assert role["PermissionsBoundary"] == {
            "Fn::If": ["HasPermissionsBoundary", {"Ref": "PermissionsBoundaryArn"},
                       {"Ref": "AWS::NoValue"}]
        }, name  # fmt: skip
        condition, in_vpc, elsewhere = role["ManagedPolicyArns"]["Fn::If"]
        assert condition == "InVpc" and elsewhere == {"Ref": "AWS::NoValue"}, name
        assert in_vpc[0]["Fn::Sub"].endswith("service-role/AWSLambdaVPCAccessExecutionRole")
        for statement in statements_of(role):
            assert statement["Resource"] != "*", (name, statement)
    # SAM attaches AWSLambdaVPCAccessExecutionRole unconditionally to a role it generates
    # whenever VpcConfig is present (even as an !If): no function may leave SAM to do it.
    for name, function in functions.items():
        assert "Role" in function["Properties"], name
    assert template["Conditions"]["InVpc"]


def test_http_api_access_logs_go_to_a_log_group_with_retention(template: dict[str, Any]) -> None:
    stage = template["Resources"]["HttpApiStage"]["Properties"]
    settings = stage["AccessLogSettings"]
    group = settings["DestinationArn"]["Fn::GetAtt"][0]
    log_group = template["Resources"][group]
    assert log_group["Type"] == "AWS::Logs::LogGroup"
    assert log_group["Properties"]["RetentionInDays"] == {"Ref": "LogRetentionDays"}
    fields = json.loads(settings["Format"])
    assert {"requestId", "status", "route"} <= set(fields)
    # The path, never the query string: reset and verification links carry tokens there.
    assert "$context.path" in settings["Format"]
    assert not any("querystring" in value.lower() for value in fields.values())


def test_every_checkov_skip_gives_its_reason(tmp_path: Path) -> None:
    import importlib.util

    spec = importlib.util.spec_from_file_location(
        "checkov_skips", ROOT / "infra" / "scripts" / "checkov_skips.py"
    )
    assert spec and spec.loader
    skips_module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = skips_module  # dataclasses look their module up while defined
    spec.loader.exec_module(skips_module)
    bare = tmp_path / "bare.yaml"  # the lint script refuses a skip that gives no reason
    bare.write_text(
        "Resources:\n  Bucket:\n    Type: AWS::S3::Bucket\n    Metadata:\n      checkov:\n"
        "        skip:\n          - id: CKV_AWS_18\n          - id: CKV_AWS_21\n"
        "            comment: a reason\n"
    )
    assert [(k.check, k.reason) for k in skips_module.skips_in(bare)] == [
        ("CKV_AWS_18", ""), ("CKV_AWS_21", "a reason")]  # fmt: skip
    assert skips_module.main(["--require-reasons", str(bare)]) == 1
    for name in ("template.yaml", "infra/github-oidc-role.yaml"):
        skips = skips_module.skips_in(ROOT / name)
        assert skips, name
        for skip in skips:
            assert re.fullmatch(r"CKV2?_AWS_\d+", skip.check), skip
            assert len(skip.reason) > 40, skip  # a reason, not a placeholder


# ------------------------------------------------------------------------------ Deploy access
@pytest.fixture(scope="module")
def access() -> dict[str, Any]:
    return yaml.load((ROOT / "infra" / "github-oidc-role.yaml").read_text(), Loader=_loader())


def test_cloudformation_creates_roles_only_under_the_shipped_boundary(
    access: dict[str, Any],
) -> None:
    resources = access["Resources"]
    boundary = resources["FunctionPermissionsBoundary"]
    assert boundary["Type"] == "AWS::IAM::ManagedPolicy"
    statements = statements_of(resources["CloudFormationExecutionRole"]["Properties"])
    granting = {"iam:CreateRole", "iam:PutRolePolicy", "iam:AttachRolePolicy",
                "iam:PutRolePermissionsBoundary"}  # fmt: skip
    for statement in statements:
        actions = set(_as_list(statement["Action"]))
        if statement["Effect"] == "Allow" and actions & granting:
            assert actions & granting == granting or actions <= granting | {
                "iam:DetachRolePolicy", "iam:DeleteRolePolicy"}, statement  # fmt: skip
            condition = statement["Condition"]["StringEquals"]["iam:PermissionsBoundary"]
            assert condition == {"Ref": "FunctionPermissionsBoundary"}
        if statement["Effect"] == "Allow" and "iam:PassRole" in actions:
            assert statement["Condition"]["StringEquals"]["iam:PassedToService"] == (
                "lambda.amazonaws.com"
            )
        assert not any(a in {"iam:*", "*"} for a in actions), statement
    denied = {a for s in statements if s["Effect"] == "Deny" for a in _as_list(s["Action"])}
    assert {"iam:DeleteRolePermissionsBoundary", "iam:CreatePolicyVersion"} <= denied
    # The boundary itself allows no IAM, no S3, no wildcard service.
    allowed = {a for s in boundary["Properties"]["PolicyDocument"]["Statement"]
               for a in _as_list(s["Action"])}  # fmt: skip
    assert not any(a.startswith(("iam:", "s3:", "sts:")) or a.endswith(":*") for a in allowed)
    assert "PermissionsBoundaryArn" in access["Outputs"]


def test_no_cloudfront_wildcards_and_changes_need_the_apps_tag(access: dict[str, Any]) -> None:
    roles = [r["Properties"] for r in access["Resources"].values() if r["Type"] == "AWS::IAM::Role"]
    for statement in (s for role in roles for s in statements_of(role)):
        actions = set(_as_list(statement["Action"]))
        cloudfront = {a for a in actions if a.startswith("cloudfront:")}
        if not cloudfront:
            continue
        assert "cloudfront:*" not in cloudfront, statement
        changes = cloudfront & {"cloudfront:UpdateDistribution", "cloudfront:DeleteDistribution",
                                "cloudfront:CreateInvalidation", "cloudfront:UntagResource"}  # fmt: skip
        if changes:
            tag = statement["Condition"]["StringEquals"][
                "aws:ResourceTag/aws:cloudformation:stack-name"
            ]
            assert tag == {"Ref": "AppStackName"}, statement
        if statement["Resource"] == "*":
            assert cloudfront <= {"cloudfront:ListOriginAccessControls"}, statement


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]
