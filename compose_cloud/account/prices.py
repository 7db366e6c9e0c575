"""`compose-cloud preflight --refresh-prices`: the plan's regions priced from the AWS Price List API.

The tables are written to the project's `.compose-cloud/prices.json` (commit it: CI then prices
exactly as you did), dated, and read by every later plan, preview and diff. The Price List API is
served from us-east-1 whatever the region priced. Only on-demand, Linux, shared-tenancy prices.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from compose_cloud.account.clients import Aws
from compose_translate.plan import DeploymentPlan
from compose_translate.plan.pricing import PRICES_FILE, Prices

PRICING_REGION = "us-east-1"
MAX_PAGES = 20  # per query: a few products each, bounded whatever the API answers


def _match(**fields: str) -> list[dict[str, str]]:
    return [{"Type": "TERM_MATCH", "Field": field, "Value": value} for field, value in fields.items()]


def _products(aws: Aws, service: str, filters: list[dict[str, str]]) -> Iterator[dict[str, Any]]:
    client = aws.client("pricing", PRICING_REGION)
    token = None
    for _ in range(MAX_PAGES):
        kwargs = {"ServiceCode": service, "Filters": filters, "FormatVersion": "aws_v1", "MaxResults": 100}
        page = client.get_products(**kwargs, **({"NextToken": token} if token else {}))
        for item in page.get("PriceList", []):
            yield json.loads(item) if isinstance(item, str) else item
        token = page.get("NextToken")
        if not token:
            return


def on_demand(product: dict[str, Any]) -> float | None:
    """The hourly (or per-unit) USD price of a product's on-demand term; None when it has none or it is 0."""
    for term in product.get("terms", {}).get("OnDemand", {}).values():
        for dimension in term.get("priceDimensions", {}).values():
            usd = dimension.get("pricePerUnit", {}).get("USD")
            if usd is not None and float(usd) > 0:
                return round(float(usd), 6)
    return None


def _first(
    aws: Aws, service: str, filters: list[dict[str, str]], wanted: Callable[[dict[str, str]], bool]
) -> float | None:
    for product in _products(aws, service, filters):
        if wanted(product.get("product", {}).get("attributes", {})):
            price = on_demand(product)
            if price is not None:
                return price
    return None


def _usage(suffix: str) -> Callable[[dict[str, str]], bool]:
    return lambda attributes: attributes.get("usagetype", "").endswith(suffix)


def _hosting(attributes: dict[str, str]) -> bool:
    """SageMaker's real-time inference ("Hosting") product of an instance, not training or notebooks."""
    return "Hosting" in (
        attributes.get("platoinstancetype", ""),
        attributes.get("component", ""),
    ) or "Host:" in attributes.get("usagetype", "")


def region_prices(aws: Aws, region: str, sagemaker_types: list[str], ec2_types: list[str], date: str) -> Prices:
    """One region's table from the Price List API: on-demand Linux prices for the plan's SageMaker and EC2 types
    and the shared items; what the API does not answer stays unpriced."""
    sagemaker = {
        t: _first(aws, "AmazonSageMaker", _match(regionCode=region, instanceName=t), _hosting) for t in sagemaker_types
    }
    ec2 = {
        t: _first(
            aws,
            "AmazonEC2",
            _match(
                regionCode=region,
                instanceType=t,
                operatingSystem="Linux",
                tenancy="Shared",
                preInstalledSw="NA",
                capacitystatus="Used",
            ),
            lambda a: True,
        )
        for t in ec2_types
    }
    return Prices(
        region=region,
        date=date,
        source="AWS Price List API",
        sagemaker={k: v for k, v in sagemaker.items() if v is not None},
        ec2={k: v for k, v in ec2.items() if v is not None},
        fargate_vcpu=_first(aws, "AmazonECS", _match(regionCode=region), _usage("Fargate-vCPU-Hours:perCPU")),
        fargate_gb=_first(aws, "AmazonECS", _match(regionCode=region), _usage("Fargate-GB-Hours")),
        nat_gateway=_first(
            aws, "AmazonEC2", _match(regionCode=region, productFamily="NAT Gateway"), _usage("NatGateway-Hours")
        ),
        load_balancer=_first(
            aws,
            "AWSELB",
            _match(regionCode=region, productFamily="Load Balancer-Application"),
            _usage("LoadBalancerUsage"),
        ),
        public_ipv4=_first(aws, "AmazonVPC", _match(regionCode=region), _usage("PublicIPv4:InUseAddress")),
        efs_gb_month=_first(
            aws, "AmazonEFS", _match(regionCode=region, storageClass="General Purpose"), _usage("TimedStorage-ByteHrs")
        ),
    )


def refresh(plan: DeploymentPlan, aws: Aws, date: str) -> dict[str, Prices]:
    """Tables for every region the plan uses, with the instance types it places there."""
    tables = {}
    for region in plan.regions:
        models = [m.placement for m in plan.models.values() if m.placement.region == region and not m.served_by]
        sagemaker = sorted({p.instance_type for p in models if p.backend == "sagemaker"})
        ec2 = sorted(set(plan.gpu_capacity) if region == plan.region else set())
        tables[region] = region_prices(aws, region, sagemaker, ec2, date)
    return tables


def write(project_dir: Path, tables: dict[str, Prices]) -> Path:
    """Merge into the project's file (other regions kept), deterministically formatted."""
    path = project_dir / PRICES_FILE
    existing: dict[str, Any] = {}
    if path.is_file():
        try:
            existing = json.loads(path.read_text(encoding="utf-8"))
        except ValueError:
            existing = {}
    for region, table in tables.items():
        existing[region] = table.model_dump(mode="json", exclude={"region"})
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(dict(sorted(existing.items())), indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return path
