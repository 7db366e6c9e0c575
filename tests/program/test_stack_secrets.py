"""A Compose secret's value from the stack's encrypted config, for CI where secret files do not exist.

`pulumi config set --secret compose-cloud:secrets.api_key ...` stores it encrypted in the stack file;
`pulumi up` decrypts it into PULUMI_CONFIG (listing the key in PULUMI_CONFIG_SECRET_KEYS). The program
uses it when the file or variable is absent, as a Pulumi secret, and nothing prints it.
"""

from __future__ import annotations

import json

import pytest
from support.common import write
from support.previews import by_type, preview
from support.pulumi_cli import run_entry

from compose_translate import ComposeError, StackSettings
from compose_translate.settings import read_stack_file

COMPOSE = """\
name: shop
services:
  app:
    image: nginx
    secrets: [api_key]
secrets:
  api_key:
    file: ./api-key.txt
"""
VALUE = "sk-live-0123456789abcdef-from-the-stack"


def test_settings_know_which_values_the_stack_holds_never_the_values():
    settings = StackSettings.from_cli_config(
        {"compose-cloud:secrets.api_key": VALUE, "compose-cloud:configs.app.conf": "x = 1"}
    )
    assert settings.stack_values == ("config:app.conf", "secret:api_key")
    assert VALUE not in repr(settings) and VALUE not in json.dumps(settings.cli_config())
    with pytest.raises(ComposeError) as err:
        StackSettings.from_cli_config({"compose-cloud:secrets.bad name": "x"}, file="Pulumi.dev.yaml")
    assert err.value.first.path == "config.compose-cloud:secrets.bad name"


def test_an_encrypted_stack_value_replaces_the_missing_file_warning(tmp_path):
    write(
        tmp_path,
        {
            "compose.yaml": COMPOSE,
            "Pulumi.ci.yaml": "config:\n  compose-cloud:secrets.api_key:\n    secure: AAABAJx2cipher\n"
            "  compose-cloud:secrets.unused:\n    secure: AAABAJx2other\n",
        },
    )
    settings = read_stack_file(tmp_path / "Pulumi.ci.yaml")
    assert settings.stack_values == ("secret:api_key", "secret:unused")
    result = preview([tmp_path / "compose.yaml"], stack_values=settings.stack_values)
    messages = [w.message for w in result.plan.warnings]
    assert not any("secret file not found" in m for m in messages)
    assert any('value for secret "unused", which the Compose files do not declare' in m for m in messages)
    assert result.plan.secrets["api_key"].source == "stack"
    without = preview([tmp_path / "compose.yaml"])
    [missing] = [w for w in without.plan.warnings if "secret file not found" in w.message]
    assert missing.loc.line == 8 and "pulumi config set --secret compose-cloud:secrets.api_key" in missing.hint


def test_pulumi_up_stores_the_stack_value_as_a_secret(tmp_path):
    write(tmp_path, {"compose.yaml": COMPOSE})
    (tmp_path / "__main__.py").write_text("from compose_cloud.program import run\n\nrun()\n")
    config = {
        "aws:region": "us-east-1",
        "compose-cloud:files": '["compose.yaml"]',
        "compose-cloud:secrets.api_key": VALUE,
    }
    result = run_entry("ci", config, "up", cwd=tmp_path, program=(tmp_path, "shop"))
    assert result["exit"] == 0, result["errors"]
    [version] = [v for k, v in result["inputs"].items() if k.startswith("aws:secretsmanager/secretVersion")]
    assert version["secretString"] == "[secret]"  # it reached the engine marked as a Pulumi secret
    assert result["secret_strings"] == [VALUE]  # and AWS receives the stack's value
    assert VALUE not in json.dumps(result["inputs"]) and VALUE not in json.dumps(result["errors"])


def test_the_file_wins_when_it_exists(tmp_path):
    write(tmp_path, {"compose.yaml": COMPOSE, "api-key.txt": "from-the-file"})
    result = preview([tmp_path / "compose.yaml"], stack_values=("secret:api_key",))
    assert result.plan.secrets["api_key"].source == "file"
    assert [r for r in by_type(result, "aws:secretsmanager/secretVersion:SecretVersion")]


def test_recovery_window_is_a_stack_setting(tmp_path):
    with_password = COMPOSE.replace(
        "    secrets: [api_key]", "    secrets: [api_key]\n    environment: {DB_PASSWORD: x}"
    )
    write(tmp_path, {"compose.yaml": with_password})
    result = preview([tmp_path / "compose.yaml"], secret_recovery_days=0, stack_values=("secret:api_key",))
    secrets = by_type(result, "aws:secretsmanager/secret:Secret")
    assert len(secrets) == 2  # the Compose secret and the service's credential-like variables
    assert {s.inputs.get("recoveryWindowInDays") for s in secrets.values()} == {0}
    default = preview([tmp_path / "compose.yaml"], stack_values=("secret:api_key",))
    assert all(
        "recoveryWindowInDays" not in s.inputs  # AWS's default, 30 days
        for s in by_type(default, "aws:secretsmanager/secret:Secret").values()
    )
    for days in (3, 31):
        with pytest.raises(ComposeError) as err:
            StackSettings.from_cli_config({"compose-cloud:secretRecoveryDays": str(days)}, file="Pulumi.dev.yaml")
        assert err.value.first.path == "config.compose-cloud:secretRecoveryDays"


def test_the_nested_shape_pulumi_config_set_path_writes_is_accepted(tmp_path):
    """`pulumi config set --path --secret compose-cloud:secrets.api_key` writes one map (issue 24)."""
    write(
        tmp_path,
        {
            "compose.yaml": COMPOSE,
            "Pulumi.ci.yaml": "config:\n  compose-cloud:secrets:\n    api_key:\n      secure: AAABAJx2cipher\n",
        },
    )
    settings = read_stack_file(tmp_path / "Pulumi.ci.yaml")
    assert settings.stack_values == ("secret:api_key",) and settings.plaintext == ()
    program = StackSettings.from_cli_config({"compose-cloud:secrets": json.dumps({"api_key": VALUE})})
    assert program.stack_values == ("secret:api_key",) and VALUE not in repr(program)


def test_pulumi_up_reads_a_value_from_the_nested_shape(tmp_path):
    write(tmp_path, {"compose.yaml": COMPOSE})
    (tmp_path / "__main__.py").write_text("from compose_cloud.program import run\n\nrun()\n")
    config = {
        "aws:region": "us-east-1",
        "compose-cloud:files": '["compose.yaml"]',
        "compose-cloud:secrets": json.dumps({"api_key": VALUE}),
    }
    result = run_entry("ci", config, "up", cwd=tmp_path, program=(tmp_path, "shop"))
    assert result["exit"] == 0, result["errors"]
    assert result["secret_strings"] == [VALUE]
    assert VALUE not in json.dumps(result["inputs"])


@pytest.mark.parametrize(
    "stack",
    [
        "config:\n  compose-cloud:secrets.api_key: hunter2-plain\n",
        "config:\n  compose-cloud:secrets:\n    api_key: hunter2-plain\n",
    ],
)
def test_a_plaintext_stack_secret_is_warned_about(tmp_path, stack):
    write(tmp_path, {"compose.yaml": COMPOSE, "Pulumi.ci.yaml": stack})
    settings = read_stack_file(tmp_path / "Pulumi.ci.yaml")
    assert settings.plaintext == ("compose-cloud:secrets.api_key",)
    result = preview([tmp_path / "compose.yaml"], stack_values=settings.stack_values, plaintext=settings.plaintext)
    [warning] = [w for w in result.plan.warnings if "plain text" in w.message]
    assert "pulumi config set --secret compose-cloud:secrets.api_key" in warning.hint
    assert "hunter2" not in repr(settings) and "hunter2" not in json.dumps(settings.cli_config())
