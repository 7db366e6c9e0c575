"""The ECS decisions the plan makes for each service: sizes, health checks, ports, files, volumes, order."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from compose_translate import ComposeError, StackSettings
from compose_translate.plan.sizing import FARGATE_SIZES, SizeError, fargate_size


def one(project, service_yaml: str, top: str = "", settings=None):
    plan = project({"compose.yaml": f"services:\n  app:\n{service_yaml}{top}"}, settings=settings)
    return plan, plan.services["app"]


# -- Fargate sizes ------------------------------------------------------------------------------


@given(vcpus=st.one_of(st.none(), st.floats(0.01, 16)), memory=st.one_of(st.none(), st.integers(1, 122880)))
def test_fargate_size_is_valid_and_holds_the_request(vcpus, memory):
    cpu, mib = fargate_size(vcpus, memory)
    assert mib in FARGATE_SIZES[cpu]
    assert vcpus is None or cpu >= vcpus * 1024
    assert memory is None or mib >= memory
    # and it is the smallest such size: no valid pair with fewer cpu units would do
    smaller = [
        (c, m)
        for c, ms in FARGATE_SIZES.items()
        for m in ms
        if c < cpu and (vcpus is None or c >= vcpus * 1024) and (memory is None or m >= memory)
    ]
    assert smaller == [] or vcpus is None and memory is None


def test_fargate_size_too_large():
    with pytest.raises(SizeError, match="largest Fargate task"):
        fargate_size(32, None)


def test_resources_round_up_with_a_warning(project):
    plan, app = one(project, "    image: a\n    deploy: {resources: {limits: {cpus: '0.3', memory: 700M}}}\n")
    assert (app.runtime.cpu, app.runtime.memory) == (512, 1024)
    assert [w.path for w in plan.warnings] == ["services.app.deploy.resources"]
    assert "0.3 vCPU, 700 MiB" in plan.warnings[0].message


def test_exact_size_needs_no_warning(project):
    plan, app = one(project, "    image: a\n    cpus: 1\n    mem_limit: 2g\n")
    assert (app.runtime.cpu, app.runtime.memory) == (1024, 2048) and plan.warnings == ()


def test_too_large_is_an_error(project):
    with pytest.raises(ComposeError, match="larger than the largest Fargate task"):
        one(project, "    image: a\n    deploy: {resources: {limits: {memory: 200g}}}\n")


# -- runtime attributes ----------------------------------------------------------------------------


def test_runtime_attributes(project):
    _, app = one(
        project,
        "    image: a\n    user: '1000:1000'\n    working_dir: /srv\n    init: true\n"
        "    read_only: true\n    stop_grace_period: 1m\n    platform: linux/arm64\n"
        "    ulimits: {nofile: {soft: 1024, hard: 4096}, nproc: 512}\n    scale: 3\n"
        "    tmpfs: [/tmp]\n",
    )
    r = app.runtime
    assert (r.user, r.working_dir, r.init, r.read_only, r.stop_timeout) == ("1000:1000", "/srv", True, True, 60)
    assert r.architecture == "ARM64" and r.replicas == 3
    assert [(u.name, u.soft, u.hard) for u in r.ulimits] == [("nofile", 1024, 4096), ("nproc", 512, 512)]
    assert [(m.kind, m.target) for m in app.mounts] == [("task", "/tmp")]


def test_stop_grace_period_is_clamped(project):
    plan, app = one(project, "    image: a\n    stop_grace_period: 5m\n")
    assert app.runtime.stop_timeout == 120 and "longer than Fargate allows" in plan.warnings[0].message


def test_healthcheck_is_converted_and_clamped(project):
    plan, app = one(
        project,
        "    image: a\n    healthcheck:\n      test: curl -f http://localhost/\n"
        "      interval: 1s\n      timeout: 5m\n      retries: 20\n",
    )
    check = app.runtime.healthcheck
    assert check.command == ("CMD-SHELL", "curl -f http://localhost/")
    assert (check.interval, check.timeout, check.retries, check.start_period) == (5, 120, 10, 0)
    assert sorted(w.path for w in plan.warnings) == [
        f"services.app.healthcheck.{f}" for f in ("interval", "retries", "timeout")
    ]


@pytest.mark.parametrize("healthcheck", ["{disable: true}", "{test: [NONE]}"])
def test_disabled_healthcheck(project, healthcheck):
    _, app = one(project, f"    image: a\n    healthcheck: {healthcheck}\n")
    assert app.runtime.healthcheck is None


def test_gpu_requests_are_counted(project):
    _, app = one(
        project,
        "    image: a\n    deploy:\n      resources:\n        reservations:\n          devices:\n"
        "            - {driver: nvidia, count: 2, capabilities: [gpu]}\n",
    )
    assert app.runtime.gpus == 2


def test_unsupported_platform_is_an_error(project):
    with pytest.raises(ComposeError, match="cannot run on Fargate"):
        one(project, "    image: a\n    platform: windows/amd64\n")


def test_ignored_deploy_keys_warn(project):
    plan, _ = one(project, "    image: a\n    deploy: {mode: global, placement: {constraints: [a]}}\n")
    assert sorted(w.path for w in plan.warnings) == ["services.app.deploy.mode", "services.app.deploy.placement"]


def test_resources_ecs_cannot_reserve_warn_and_gpus_still_count(project):
    plan, app = one(
        project,
        "    image: a\n    gpus: all\n    deploy:\n      resources:\n        limits: {pids: 100}\n"
        "        reservations:\n          generic_resources: [{discrete_resource_spec: {kind: ssd, value: 1}}]\n"
        "          devices: [{capabilities: [tpu]}, {capabilities: [gpu], device_ids: ['0', '1']}]\n",
    )
    warnings = sorted((w.path, w.message.split(" is ignored")[0]) for w in plan.warnings)
    assert warnings == [
        ("services.app.deploy.resources.limits", "deploy.resources.limits.pids"),
        ("services.app.deploy.resources.reservations", "a device request for tpu"),
        ("services.app.deploy.resources.reservations", "deploy.resources.reservations.generic_resources"),
    ]
    assert app.runtime.gpus == 3  # all (1) and two device ids; the TPU request counts for nothing


# -- ports -----------------------------------------------------------------------------------------


def test_published_ports_get_listeners(project):
    _, app = one(
        project,
        "    image: a\n    ports: ['8080:3000', '9000', '127.0.0.1:9100:9100', '53:53/udp']\n    expose: ['7000']\n",
    )
    assert [(x.port, x.target, x.protocol, x.balancer) for x in app.listeners] == [
        (8080, 3000, "HTTP", "alb"),
        (9000, 9000, "HTTP", "alb"),
        (53, 53, "UDP", "nlb"),
    ]
    assert app.container_ports == ((53, "udp"), (3000, "tcp"), (7000, "tcp"), (9000, "tcp"), (9100, "tcp"))


def test_database_ports_use_the_network_load_balancer_with_a_warning(project):
    plan, app = one(project, "    image: postgres\n    ports: ['5432:5432']\n")
    assert [(x.protocol, x.balancer) for x in app.listeners] == [("TCP", "nlb")]
    assert "PostgreSQL" in plan.warnings[0].message


def test_https_with_a_certificate(project):
    settings = StackSettings(certificate_arn="arn:aws:acm:us-east-1:123456789012:certificate/abc")
    _, app = one(project, "    image: a\n    ports: ['80:8080', '8443:8443']\n", settings=settings)
    assert [(x.port, x.protocol, x.redirect_from) for x in app.listeners] == [(443, "HTTPS", 80), (8443, "HTTPS", None)]


def test_one_port_published_twice_is_an_error(project):
    with pytest.raises(ComposeError, match="port 80 is published by both a and b"):
        project({"compose.yaml": "services:\n  a: {image: a, ports: ['80:80']}\n  b: {image: b, ports: ['80:81']}\n"})


def test_ports_addressed_by_other_services_are_inferred(project):
    plan = project(
        {
            "compose.yaml": "services:\n  db: {image: qdrant}\n"
            "  app: {image: a, environment: {DB: 'http://db:6333/x', OTHER: 'nothost:1'}}\n"
        }
    )
    assert plan.services["db"].container_ports == ((6333, "tcp"),)
    assert [w.path for w in plan.warnings] == ["services.db"]


# -- secrets, configs, environment -------------------------------------------------------------------


def test_secret_and_config_files_and_their_directories(project, tmp_path):
    (tmp_path / "token.txt").write_text("s3cret")
    plan, app = one(
        project,
        "    image: a\n    secrets: [token]\n    configs: [{source: conf, target: /etc/app/app.conf, mode: '0440'}]\n",
        "secrets: {token: {file: ./token.txt}}\nconfigs: {conf: {content: 'x=1'}}\n",
    )
    assert [(f.kind, f.target, f.mode) for f in app.files] == [
        ("secret", "/run/secrets/token", None),
        ("config", "/etc/app/app.conf", 0o440),
    ]
    assert app.file_dirs == ("/etc/app", "/run/secrets")
    assert plan.secrets["token"].value.get_secret_value() == "s3cret"
    assert plan.secrets["token"].store == "secretsmanager" and plan.configs["conf"].store == "ssm"
    assert "s3cret" not in str(plan.to_dict())
    assert [w.path for w in plan.warnings] == ["services.app.configs"]  # /etc/app hides the image's files


def test_config_at_the_root_is_baked_and_an_external_one_refused(project):
    """Compose's short syntax targets /conf: valid Compose, delivered in a derived image."""
    plan, _ = one(project, "    image: a\n    configs: [conf]\n", "configs: {conf: {content: x}}\n")
    app = plan.services["app"]
    assert [f.target for f in app.baked_files] == ["/conf"] and app.files == () and app.file_dirs == ()
    with pytest.raises(ComposeError, match="is external"):
        one(project, "    image: a\n    configs: [conf]\n", "configs: {conf: {external: true}}\n")


def test_external_secret_keeps_its_name(project):
    plan, _ = one(project, "    image: a\n    secrets: [api]\n", "secrets: {api: {external: true, name: prod/api}}\n")
    assert (plan.secrets["api"].source, plan.secrets["api"].external_name) == ("external", "prod/api")


def test_unused_secrets_are_not_stored(project):
    plan, _ = one(project, "    image: a\n", "secrets: {api: {environment: X}}\n")
    assert plan.secrets == {}


# -- volumes and order ---------------------------------------------------------------------------------


def test_named_anonymous_and_external_volumes(project):
    plan, app = one(
        project,
        "    image: a\n    volumes: ['data:/data:ro', '/cache', 'efs:/shared']\n",
        "volumes:\n  data: {}\n  efs: {external: true, name: fs-0123456789abcdef0}\n",
    )
    assert [(m.kind, m.volume, m.target, m.read_only) for m in app.mounts] == [
        ("efs", "data", "/data", True),
        ("task", "scratch-1", "/cache", False),
        ("efs", "efs", "/shared", False),
    ]
    assert plan.volumes["efs"].file_system_id == "fs-0123456789abcdef0"
    assert plan.volumes["data"].file_system_id is None


def test_external_volume_must_name_an_efs_id(project):
    with pytest.raises(ComposeError, match="not an EFS file system id"):
        one(project, "    image: a\n    volumes: ['x:/x']\n", "volumes: {x: {external: true}}\n")


def test_deploy_order_puts_dependencies_first(project):
    plan = project(
        {
            "compose.yaml": "services:\n  web: {image: a, depends_on: [api]}\n  api: {image: a, depends_on: [db]}\n"
            "  db: {image: a}\n  cache: {image: a}\n"
        }
    )
    assert plan.deploy_order == ("cache", "db", "api", "web")


def test_dependency_cycle_is_an_error(project):
    with pytest.raises(ComposeError, match="dependency cycle"):
        project({"compose.yaml": "services:\n  a: {image: a, depends_on: [b]}\n  b: {image: a, depends_on: [a]}\n"})
