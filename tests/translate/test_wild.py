"""Real Compose files with models (../shared/corpus/wild, read in place, never copied into the project)."""

import shutil

import pytest
from support.common import WILD
from support.corpus import EXPECTED_ERRORS, FILES

from compose_translate import ComposeError, LoadOptions, make_plan

pytestmark = pytest.mark.skipif(not WILD.is_dir(), reason="../shared/corpus/wild is not beside this clone")


@pytest.mark.parametrize("name", FILES)
def test_wild_file(name):
    options = LoadOptions(files=(WILD / name,), environ={})
    if name in EXPECTED_ERRORS:
        with pytest.raises(ComposeError) as err:
            make_plan(options)
        assert EXPECTED_ERRORS[name] in err.value.render()
        assert all(d.loc is not None for d in err.value.diagnostics)
        return
    plan = make_plan(options)
    for service in plan.services.values():
        for key, binding in service.models.items():
            assert service.environment[binding.model_var] == plan.models[key].model
            if binding.endpoint_var != binding.model_var:
                assert service.environment[binding.endpoint_var] == plan.gateway.url


def test_override_combinations_like_docker_compose():
    base = WILD / "k33g__compose-codex"
    plan = make_plan(LoadOptions(files=(base / "compose.yml", base / "compose.offload.yml"), environ={}))
    assert plan.models["chat_model"].model == "ai/qwen2.5:latest"
    assert plan.services["web-ide"].environment["MODEL_RUNNER_CHAT_MODEL"] == "ai/qwen2.5:latest"


def test_hackathon_offload_overrides_a_service_the_base_lacks():
    base = WILD / "ajeetraina__ai-agent-hackathon-recommender"
    with pytest.raises(ComposeError) as err:
        make_plan(LoadOptions(files=(base / "compose.yaml", base / "compose.offload.yaml"), environ={}))
    assert err.value.first.path == "services.coding-agent"


def test_cerebras_with_its_env_template(tmp_path):
    source = WILD / "dockersamples__docker-cerebras-demo"
    shutil.copy(source / "compose.yml", tmp_path / "compose.yml")
    shutil.copy(source / ".env-sample", tmp_path / ".env")
    plan = make_plan(LoadOptions(files=(tmp_path / "compose.yml",), environ={}))
    assert plan.models


def test_seven_models_share_one_endpoint_var():
    plan = make_plan(LoadOptions(files=(WILD / "Compose-and-Dragons__dungeon.v1/compose.yml",), environ={}))
    urls = {s.environment.get("MODEL_RUNNER_BASE_URL") for s in plan.services.values() if s.models}
    assert urls == {plan.gateway.url}
