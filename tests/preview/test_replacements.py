"""The second `pulumi up`: a resource whose physical name we fix is replaced delete-first (issue 22, item 4).

Pulumi creates a replacement before deleting the old resource unless told otherwise; with a fixed name
AWS refuses the new one while the old one exists (terraform-provider-aws #22408, #22823). Every resource
the program creates is checked: either Pulumi auto-names it, or it is replaced delete-first, or its name
changes whenever a replace-on-change input does (load balancers, target groups: `fitted(..., salt=)`).
"""

from __future__ import annotations

import pytest
from support.common import ROOT, write
from support.previews import preview

from compose_cloud.preview.mock_aws import AUTONAMED

EXAMPLES = sorted(p.parent.name for p in (ROOT / "examples").glob("*/compose.yaml"))
# named so that a replacement gets another name (create-before-delete then works, and a listener keeps
# its target group until the new one exists): a target group's name holds its port, protocol and target
# type; a load balancer's logical name (and so its name) holds its type, and its scheme never changes
SALTED = {"aws:lb/loadBalancer:LoadBalancer", "aws:lb/targetGroup:TargetGroup"}
# kept on `pulumi destroy` (retainOnDelete): a replacement would meet its own old file system; none of
# its replace-on-change inputs (creation token, encryption, performance mode) derives from the Compose file
RETAINED = {"aws:efs/fileSystem:FileSystem"}
# a long model key, a key AWS refuses as a name (`_`), long service names: explicit names everywhere
LONG = """\
name: a-rather-long-project-name-for-aws
services:
  an_application_service_with_a_long_name:
    image: nginx
    ports: ["8080:80"]
    models: [qwen2_5_coder_instruct_with_a_long_key]
models:
  qwen2_5_coder_instruct_with_a_long_key:
    model: ai/qwen2.5
    labels: [cloud.min-instances=0]
  embedding_model_with_a_long_key:
    model: ai/mxbai-embed-large
    labels: [cloud.deploy=true, cloud.min-instances=0, cloud.backend=ecs]
"""


def fixed_names(result) -> list[str]:
    """Resources with a physical name we set that would clash with their own replacement."""
    problems = []
    for record in result.resources:
        field = AUTONAMED.get(record.type)
        if field is None or record.inputs.get(field) in (None, ""):
            continue  # auto-named by Pulumi: `<logical>-<7 random characters>`, a new one on replace
        if record.type in SALTED or (record.type in RETAINED and record.retain_on_delete):
            continue
        if not record.delete_before_replace:
            problems.append(f"{record.type} {record.name}: {field}={record.inputs[field]!r}")
    return problems


@pytest.mark.parametrize("example", EXAMPLES)
def test_every_fixed_name_is_replaced_delete_first(example):
    folder = ROOT / "examples" / example
    files = [folder / "compose.yaml", *([folder / "compose.override.yaml"] if example == "agent-app" else [])]
    assert fixed_names(preview(files)) == []


def test_explicit_names_of_every_kind_are_replaced_delete_first(tmp_path):
    write(tmp_path, {"compose.yaml": LONG})
    result = preview([tmp_path / "compose.yaml"])
    explicit = {r.type for r in result.resources if r.inputs.get(AUTONAMED.get(r.type, "-")) not in (None, "")}
    assert {"aws:ecs/service:Service", "aws:sagemaker/endpoint:Endpoint", "aws:iam/role:Role"} <= explicit
    assert fixed_names(result) == []


def test_a_changed_port_gives_the_target_group_another_name(tmp_path):
    write(tmp_path, {"compose.yaml": LONG})
    before = preview([tmp_path / "compose.yaml"])
    write(tmp_path, {"compose.yaml": LONG.replace('"8080:80"', '"8080:81"')})
    after = preview([tmp_path / "compose.yaml"])

    def names(result):
        return {r.name: r.inputs.get("name") for r in result.resources if r.type == "aws:lb/targetGroup:TargetGroup"}

    old, new = names(before), names(after)
    assert old.keys() != new.keys() or all(old[k] != new[k] for k in old if old[k]), (old, new)
