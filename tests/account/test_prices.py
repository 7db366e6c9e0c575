"""Prices by region: a region is priced only with its own dated table; `preflight --refresh-prices` writes
the plan's regions from the AWS Price List API (requests validated against botocore's model of the API,
answers in the Price List's own JSON format)."""

from __future__ import annotations

import json

import boto3
import pytest
from botocore.validate import validate_parameters
from support.common import write

from compose_cloud.account import prices
from compose_cloud.account.clients import Aws
from compose_cloud.render.plan import cost_line
from compose_translate import ComposeError

COMPOSE = """\
services:
  app: {image: nginx, models: [llm], ports: ["80:80"]}
models:
  llm:
    model: ai/smollm2
    labels: [cloud.region=eu-west-1]
"""
EU = {
    "AmazonSageMaker": ("ml.g5.xlarge", "Hosting", "EU-Host:ml.g5.xlarge", "1.57"),
    "ECS-vcpu": "EU-Fargate-vCPU-Hours:perCPU",
    "ECS-gb": "EU-Fargate-GB-Hours",
}


def _product(attributes: dict[str, str], usd: str) -> str:
    sku = "SKU" + str(abs(hash(json.dumps(attributes, sort_keys=True))) % 10**8)
    return json.dumps(
        {
            "product": {"attributes": attributes, "sku": sku},
            "serviceCode": "x",
            "terms": {
                "OnDemand": {
                    f"{sku}.JRTCKXETXF": {
                        "priceDimensions": {
                            f"{sku}.JRTCKXETXF.6YS6EN2CT7": {"unit": "Hrs", "pricePerUnit": {"USD": usd}}
                        }
                    }
                }
            },
        }
    )


class FakePriceList:
    """Answers get_products like the Price List API, after checking the request against AWS's model of it."""

    def __init__(self, catalogue: dict[tuple[str, str], list[str]]):
        self.catalogue, self.requests = catalogue, []
        self.shape = (
            boto3.client("pricing", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x")
            .meta.service_model.operation_model("GetProducts")
            .input_shape
        )

    def get_products(self, **params):
        validate_parameters(params, self.shape)  # raises on a member AWS does not have or a wrong type
        self.requests.append(params)
        fields = {f["Field"]: f["Value"] for f in params["Filters"]}
        return {
            "FormatVersion": "aws_v1",
            "PriceList": self.catalogue.get((params["ServiceCode"], fields["regionCode"]), []),
        }


def _catalogue(region: str, factor: float) -> dict[tuple[str, str], list[str]]:
    def usd(value: float) -> str:
        return f"{value * factor:.10f}"

    return {
        ("AmazonSageMaker", region): [
            _product(
                {"instanceName": "ml.g5.xlarge", "platoinstancetype": "Training", "usagetype": "EU-Train:ml.g5.xlarge"},
                usd(1.41),
            ),
            _product(
                {"instanceName": "ml.g5.xlarge", "platoinstancetype": "Hosting", "usagetype": "EU-Host:ml.g5.xlarge"},
                usd(1.408),
            ),
        ],
        ("AmazonECS", region): [
            _product({"usagetype": "EU-Fargate-GB-Hours"}, usd(0.004445)),
            _product({"usagetype": "EU-Fargate-vCPU-Hours:perCPU"}, usd(0.04048)),
        ],
        ("AmazonEC2", region): [
            _product({"usagetype": "EU-NatGateway-Bytes"}, usd(0.045)),
            _product({"usagetype": "EU-NatGateway-Hours"}, usd(0.045)),
        ],
        ("AWSELB", region): [_product({"usagetype": "EU-LoadBalancerUsage"}, usd(0.0225))],
        ("AmazonVPC", region): [_product({"usagetype": "EU-PublicIPv4:InUseAddress"}, usd(0.005))],
        ("AmazonEFS", region): [_product({"usagetype": "EU-TimedStorage-ByteHrs"}, usd(0.30))],
    }


def test_a_region_without_a_table_is_named_unpriced_never_priced_as_us_east_1(project):
    plan = project({"compose.yaml": COMPOSE})
    assert plan.models["llm"].hourly_usd is None
    assert "eu-west-1 (no price table)" in plan.cost.unpriced and "ml.g5.xlarge in eu-west-1" in plan.cost.unpriced
    assert plan.cost.prices == {"eu-west-1": "eu-west-1: no price table", "us-east-1": "us-east-1 prices of 2026-11"}
    line = cost_line(plan.cost.model_dump())
    assert "us-east-1 prices of 2026-11" in line and "eu-west-1: no price table" in line


def test_refresh_writes_dated_tables_and_later_plans_use_them(project):
    plan = project({"compose.yaml": COMPOSE})
    fake = FakePriceList({**_catalogue("eu-west-1", 1.1), **_catalogue("us-east-1", 1.0)})
    tables = prices.refresh(plan, Aws(overrides={"pricing": lambda service, region: fake}), "2026-11-27")
    assert tables["eu-west-1"].sagemaker == {"ml.g5.xlarge": round(1.408 * 1.1, 6)}  # Hosting, not Training
    assert tables["eu-west-1"].nat_gateway == round(0.045 * 1.1, 6)  # the hourly charge, not per GB
    assert tables["eu-west-1"].source == "AWS Price List API" and tables["eu-west-1"].date == "2026-11-27"
    sagemaker = [r for r in fake.requests if r["ServiceCode"] == "AmazonSageMaker"]
    assert sagemaker[0]["Filters"] == [
        {"Type": "TERM_MATCH", "Field": "regionCode", "Value": "eu-west-1"},
        {"Type": "TERM_MATCH", "Field": "instanceName", "Value": "ml.g5.xlarge"},
    ]
    path = prices.write(project.dir, tables)
    assert path == project.dir / ".compose-cloud" / "prices.json"
    again = project({"compose.yaml": COMPOSE})
    assert again.models["llm"].hourly_usd == round(1.408 * 1.1, 4)
    assert again.cost.unpriced == ()
    assert again.cost.prices == {
        "eu-west-1": "eu-west-1 prices of 2026-11-27",
        "us-east-1": "us-east-1 prices of 2026-11-27",
    }


def test_a_broken_prices_file_is_a_located_error(project):
    write(project.dir, {".compose-cloud/prices.json": '{"eu-west-1": {"date": "x", "ec2": {"g5.xlarge": "lots"}}}'})
    with pytest.raises(ComposeError) as err:
        project({"compose.yaml": COMPOSE})
    assert err.value.first.loc.file.endswith("prices.json") and "refresh-prices" in err.value.first.hint
