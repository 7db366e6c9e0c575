"""A custom domain: DNS-validated ACM certificate, alias record to the ALB, HTTPS with a redirect from 80."""

from __future__ import annotations

import pytest
from support.common import write
from support.previews import by_type, dev_preview, findings

from compose_translate import ComposeError, StackSettings

COMPOSE = 'name: shop\nservices:\n  web:\n    image: nginx\n    ports: ["80:8080"]\n'
DOMAIN = {"domain": "chat.example.com", "hosted_zone_id": "Z0123456789ABCDEFGHIJ"}


@pytest.fixture(scope="module")
def with_domain(tmp_path_factory):
    folder = tmp_path_factory.mktemp("domain")
    write(folder, {"compose.yaml": COMPOSE})
    return dev_preview([folder / "compose.yaml"], **DOMAIN)


def test_certificate_is_validated_in_the_zone_and_the_domain_points_at_the_alb(with_domain):
    [certificate] = by_type(with_domain, "aws:acm/certificate:Certificate").values()
    assert certificate.inputs == {"domainName": "chat.example.com", "validationMethod": "DNS"}
    records = by_type(with_domain, "aws:route53/record:Record")
    validation, alias = records["shop-domain-validation"], records["shop-domain-alias"]
    assert validation.inputs["zoneId"] == alias.inputs["zoneId"] == "Z0123456789ABCDEFGHIJ"
    assert validation.inputs["type"] == "CNAME" and validation.inputs["name"].endswith(".chat.example.com.")
    [balancer] = by_type(with_domain, "aws:lb/loadBalancer:LoadBalancer").values()
    assert alias.inputs["name"] == "chat.example.com" and alias.inputs["type"] == "A"
    [target] = alias.inputs["aliases"]
    assert target["name"].startswith(f"{balancer.physical_name}-") and target["name"].endswith(
        ".us-east-1.elb.amazonaws.com"
    )  # the ALB's DNS name, in ELB's hosted zone for us-east-1
    assert (target["zoneId"], target["evaluateTargetHealth"]) == ("Z35SXDOTRQ7X7K", True)
    listeners = {r.inputs["port"]: r.inputs for r in by_type(with_domain, "aws:lb/listener:Listener").values()}
    assert listeners[443]["protocol"] == "HTTPS" and listeners[443]["certificateArn"] == certificate.arn
    assert listeners[80]["defaultActions"][0]["redirect"] == {
        "port": "443",
        "protocol": "HTTPS",
        "statusCode": "HTTP_301",
    }
    assert with_domain.outputs["urls"]["web"] == ["https://chat.example.com/"]


def test_domain_requests_are_valid(with_domain):
    assert findings(with_domain) == []


def test_domain_needs_a_zone_and_a_valid_name():
    with pytest.raises(ComposeError) as err:
        StackSettings.from_cli_config({"compose-cloud:domain": "chat.example.com"}, file="Pulumi.dev.yaml")
    assert "needs both" in err.value.first.message and err.value.first.path == "config.compose-cloud:hostedZoneId"
    with pytest.raises(ComposeError) as err:
        StackSettings.from_cli_config(
            {"compose-cloud:domain": "Not A Domain", "compose-cloud:hostedZoneId": "Z1"}, file="Pulumi.dev.yaml"
        )
    assert err.value.first.path == "config.compose-cloud:domain"


def test_a_domain_without_a_web_service_is_warned_about(tmp_path):
    write(tmp_path, {"compose.yaml": "services:\n  worker: {image: busybox}\n"})
    result = dev_preview([tmp_path / "compose.yaml"], **DOMAIN)
    assert not by_type(result, "aws:acm/certificate:Certificate")
    assert any("no service publishes an HTTP port" in w.message for w in result.plan.warnings)
