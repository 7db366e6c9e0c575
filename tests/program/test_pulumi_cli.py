"""The program as `pulumi up` runs it: config arrives through PULUMI_CONFIG, every value a string.

The encoding here is written from the Pulumi CLI's rule, independently of compose_translate's:
plain strings as text, numbers and booleans as their text, lists and maps as JSON.
"""

from __future__ import annotations

import json

import pytest
from support.common import ROOT
from support.pulumi_cli import cli_encoding, run_entry

STACKS = sorted((ROOT / "stacks").glob("Pulumi.*.yaml"))


def test_the_project_ships_stack_files():
    assert [p.name for p in STACKS] == ["Pulumi.dev.yaml", "Pulumi.prod.yaml"]


@pytest.mark.slow
@pytest.mark.parametrize("stack_file", STACKS, ids=lambda p: p.stem.split(".")[1])
@pytest.mark.parametrize("mode", ["preview", "up"])
def test_every_stack_runs_through_main_with_cli_config(stack_file, mode):
    stack = stack_file.stem.split(".")[1]
    config = cli_encoding(stack_file)
    assert any(not v.startswith(("[", "{")) for v in config.values())  # plain strings are really plain
    result = run_entry(stack, config, mode)
    assert result["exit"] == 0, result["errors"]
    types = {r.split("::")[0] for r in result["resources"]}
    assert {"aws:ecs/service:Service", "aws:ecs/taskDefinition:TaskDefinition", "aws:ec2/vpc:Vpc"} <= types
    assert len(result["resources"]) > 40


def test_the_preview_registers_what_pulumi_up_registers():
    """The offline preview feeds config the way the CLI does: same resources as __main__.py."""
    from compose_cloud.preview.engine import run_preview
    from compose_translate.settings import read_stack_file

    stack_file = ROOT / "stacks" / "Pulumi.dev.yaml"
    ours = run_preview(read_stack_file(stack_file).model_copy(update={"stack_name": "dev"}), stack="dev")
    theirs = run_entry("dev", cli_encoding(stack_file))
    assert sorted(f"{r.type}::{r.name}" for r in ours.resources) == theirs["resources"]


@pytest.mark.parametrize(
    ("key", "raw", "message"),
    [
        ("compose-cloud:logRetentionDays", "two weeks", "is not a whole number"),
        ("compose-cloud:logRetentionDays", "10", "CloudWatch Logs does not keep logs for that many days"),
        ("compose-cloud:deployUnboundModels", "maybe", "is not true or false"),
        ("compose-cloud:images", "[1, 2]", "is not a mapping"),
        ("compose-cloud:files", '["a.yaml", 3]', "is not a list of strings"),
        ("compose-cloud:defaultInstanceTyp", "gpu-small", 'unknown setting "compose-cloud:defaultInstanceTyp"'),
    ],
)
def test_a_wrong_value_names_the_key_and_the_stack_file(key, raw, message):
    config = {**cli_encoding(ROOT / "stacks" / "Pulumi.dev.yaml"), key: raw}
    result = run_entry("dev", config)
    assert result["exit"] == 1 and result["resources"] == []
    assert len(result["errors"]) == 1
    error = result["errors"][0].removeprefix("error: ")  # the mock engine prefixes the level
    assert error.startswith("stacks/Pulumi.dev.yaml:") and f"config.{key}" in error and message in error, error
    assert "Traceback" not in error


def test_string_settings_are_decoded_by_type():
    from compose_translate.settings import StackSettings

    settings = StackSettings.from_cli_config(
        {
            "aws:region": "eu-west-1",
            "aws:profile": "deploy",
            "aws:assumeRoles": '[{"roleArn": "arn:aws:iam::1:role/x"}]',
            "compose-cloud:files": "compose.yaml",
            "compose-cloud:profiles": '["gpu", "debug"]',
            "compose-cloud:logRetentionDays": "14",
            "compose-cloud:deployUnboundModels": "true",
            "compose-cloud:defaultInstanceType": "gpu-medium",
            "compose-cloud:images": '{"gateway": "litellm:v1"}',
        }
    )
    assert settings.region == "eu-west-1"
    assert settings.files == ("compose.yaml",) and settings.profiles == ("gpu", "debug")
    assert settings.log_retention_days == 14 and settings.deploy_unbound_models is True
    assert settings.default_instance_type == "gpu-medium" and settings.images.gateway == "litellm:v1"
    assert settings.aws == {"profile": "deploy", "assumeRoles": '[{"roleArn": "arn:aws:iam::1:role/x"}]'}
    # and back: what the preview hands the program is what the CLI would
    again = StackSettings.from_cli_config(settings.cli_config())
    assert again == settings


def test_explicit_providers_take_the_stacks_aws_settings():
    """The program's own providers get what the default provider would: profile, roles, credentials."""
    roles = [{"roleArn": "arn:aws:iam::123456789012:role/deploy", "sessionName": "ci"}]
    config = {
        **cli_encoding(ROOT / "stacks" / "Pulumi.dev.yaml"),
        "aws:profile": "deploy",
        "aws:assumeRoles": json.dumps(roles),
        "aws:sharedConfigFiles": '["/home/ci/.aws/config"]',
        "aws:skipRequestingAccountId": "true",
        "aws:accessKey": "AKIAEXAMPLEEXAMPLE12",
        "aws:secretKey": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
        "aws:defaultTags": json.dumps({"tags": {"team": "ml"}}),
    }
    result = run_entry("dev", config)
    assert result["exit"] == 0, result["errors"]
    providers = result["providers"]
    assert set(providers) == {"aws-us-east-1", "aws-us-west-2"}  # the override moves the chat model
    for inputs in providers.values():
        assert inputs["profile"] == "deploy"
        assert json.loads(inputs["assumeRoles"]) == roles  # provider objects travel as JSON, camelCase
        assert "/home/ci/.aws/config" in str(inputs["sharedConfigFiles"])
        assert inputs["accessKey"] == inputs["secretKey"] == "[secret]"
        assert "team" in str(inputs["defaultTags"]) and "compose-cloud:project" in str(inputs["defaultTags"])
    assert "wJalrXUtnFEMI" not in json.dumps(result)


@pytest.mark.parametrize("example", sorted(p.parent.name for p in (ROOT / "examples").glob("*/compose.yaml")))
def test_a_real_preview_with_unknown_ids_registers_the_same_resources(example):
    """`pulumi preview` knows no ids, ARNs or DNS names of resources to create; the program must not need them."""
    from compose_cloud.preview.engine import run_preview
    from compose_translate.settings import StackSettings

    folder = ROOT / "examples" / example
    files = json.dumps([str(p) for p in (folder / "compose.yaml", folder / "compose.override.yaml") if p.is_file()])
    config = {"aws:region": "us-east-1", "compose-cloud:files": files}
    unknown = run_entry("dev", config, "preview")
    assert unknown["exit"] == 0, unknown["errors"]
    known = run_preview(StackSettings.from_cli_config(config), stack="dev")
    assert unknown["resources"] == sorted(f"{r.type}::{r.name}" for r in known.resources)
