"""Estimated on-demand hourly prices: dated tables per region, used for the plan's cost estimate.

These are ESTIMATES: AWS public list prices (Linux, on-demand) as of each table's date; taxes,
data transfer, storage, requests and savings plans are not included. A region is priced only
with its own table: the built-in ones below (US East (N. Virginia), US East (Ohio) and US West
(Oregon) share one list price for every item here), or the project's `.compose-cloud/prices.json`
written by `compose-cloud preflight --refresh-prices` from the AWS Price List API. A region or
type without a price is named as unpriced, never priced with another region's numbers.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, StringConstraints, ValidationError

from compose_translate.errors import ComposeError, Diagnostic, Loc
from compose_translate.frozen import Frozen
from compose_translate.values import read_bounded

PRICES_DATE = "2026-11"
PRICES_FILE = ".compose-cloud/prices.json"  # refreshed tables, relative to the project directory
SCALE_TO_ZERO_IDLE = 0.0  # a model that scaled to zero costs nothing while idle


# A table may come from a pull request (`.compose-cloud/prices.json`): its text reaches the diff comment and
# its numbers the cost line, so every field has a shape, and every price is positive and finite.
Price = Annotated[float, Field(gt=0, lt=100_000, allow_inf_nan=False)]
InstanceType = Annotated[str, StringConstraints(pattern=r"^(ml\.)?[a-z0-9-]{1,24}\.[a-z0-9]{1,16}$")]


class Prices(Frozen):
    """One region's list prices, USD per hour unless said otherwise."""

    region: str = Field(pattern=r"^[a-z]{2}(-[a-z]+)+-\d{1,2}$")
    date: str = Field(pattern=r"^\d{4}-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?$")  # 2026-11 or 2026-11-30
    source: Literal["built-in", "AWS Price List API"] = "built-in"
    sagemaker: dict[InstanceType, Price] = Field(default_factory=dict, max_length=500)  # per instance-hour
    ec2: dict[InstanceType, Price] = Field(default_factory=dict, max_length=500)  # ECS GPU capacity, per instance-hour
    fargate_vcpu: Price | None = None  # Fargate Linux/x86, per vCPU-hour
    fargate_gb: Price | None = None  # per GB-hour
    nat_gateway: Price | None = None
    load_balancer: Price | None = None  # an ALB or NLB, before capacity units
    public_ipv4: Price | None = None  # each public IPv4 address in use
    efs_gb_month: Price | None = Field(None, description="EFS Standard storage, per GB-month (not in the hourly)")


_US_LIST = dict(
    sagemaker={
        "ml.g5.xlarge": 1.408,
        "ml.g5.2xlarge": 1.515,
        "ml.g5.4xlarge": 2.03,
        "ml.g5.12xlarge": 7.09,
        "ml.g6.xlarge": 1.0064,
        "ml.g6.2xlarge": 1.2224,
        "ml.g6e.xlarge": 2.3290,
        "ml.g6e.2xlarge": 2.8190,
        "ml.g6e.12xlarge": 13.1180,
        "ml.g4dn.xlarge": 0.7364,
    },
    ec2={
        "g4dn.xlarge": 0.526,
        "g5.xlarge": 1.006,
        "g5.2xlarge": 1.212,
        "g5.4xlarge": 1.624,
        "g5.12xlarge": 5.672,
        "g6.xlarge": 0.8048,
        "g6.2xlarge": 0.9776,
        "g6e.xlarge": 1.861,
        "g6e.2xlarge": 2.2421,
        "g6e.12xlarge": 10.4926,
    },
    fargate_vcpu=0.04048,
    fargate_gb=0.004445,
    nat_gateway=0.045,
    load_balancer=0.0225,
    public_ipv4=0.005,
    efs_gb_month=0.30,
)
BUILT_IN = {
    region: Prices(region=region, date=PRICES_DATE, **_US_LIST) for region in ("us-east-1", "us-east-2", "us-west-2")
}


class PriceBook:
    """The tables a plan is priced with: refreshed ones (the project's file) over the built-in ones."""

    def __init__(self, refreshed: dict[str, Prices] | None = None):
        self.tables = {**BUILT_IN, **(refreshed or {})}

    def region(self, region: str) -> Prices | None:
        """The region's table, or None when it is not priced."""
        return self.tables.get(region)

    def label(self, region: str) -> str:
        """Which table priced a region, for the cost line."""
        table = self.tables.get(region)
        return f"{region} prices of {table.date}" if table else f"{region}: no price table"


# Set by `diff`: the folder whose price file prices both sides (the base's), or "" for the built-in tables;
# a pull request's own file then cannot lower the cost it shows.
_PRICED_FROM: ContextVar[Path | str | None] = ContextVar("priced_from", default=None)


@contextmanager
def priced_from(project_dir: Path | None) -> Iterator[None]:
    """Plans made inside read the price file of `project_dir` (None: the built-in tables only)."""
    token = _PRICED_FROM.set(project_dir if project_dir is not None else "")
    try:
        yield
    finally:
        _PRICED_FROM.reset(token)


def load(project_dir: Path) -> dict[str, Prices]:
    """The project's refreshed tables; none when the file is absent. A broken file is an error."""
    override = _PRICED_FROM.get()
    if override == "":
        return {}
    path = (override if isinstance(override, Path) else project_dir) / PRICES_FILE
    if not path.is_file():
        return {}
    try:
        data = json.loads(read_bounded(str(path), "prices file"))
        if not isinstance(data, dict):
            raise ValueError("expected a mapping of region -> prices")
        tables, region = {}, ""
        for region, table in data.items():
            if not isinstance(table, dict):
                raise ValueError(f"{str(region)[:40]}: expected a table of prices")
            tables[str(region)] = Prices(**{**table, "region": region})
        return tables
    except (OSError, ValueError, TypeError, ValidationError) as exc:
        message = (
            f"{str(region)[:40]}.{_validation_message(exc)}"
            if isinstance(exc, ValidationError)
            else str(exc).splitlines()[0][:200]
        )
        raise ComposeError(
            Diagnostic(
                f"cannot read the price tables: {message}",
                "",
                Loc(str(path), 1),
                "run `compose-cloud preflight --refresh-prices` again, or delete the file to use the built-in tables",
            )
        ) from None


_SHAPES = {
    "date": "expected the table's date as YYYY-MM or YYYY-MM-DD",
    "region": "expected an AWS region such as us-east-1",
    "sagemaker": "expected an instance type such as ml.g5.xlarge",
    "ec2": "expected an instance type such as g5.xlarge",
}


def _validation_message(exc: ValidationError) -> str:
    """The first problem and where it is (`us-east-1.sagemaker.ml.g5.xlarge: ...`), never the value itself."""
    first = exc.errors()[0]
    where = ".".join(str(part)[:40] for part in first["loc"])
    if first["type"] == "string_pattern_mismatch":
        return f"{where}: {_SHAPES.get(where.split('.')[0], 'not a valid name')}"
    return f"{where}: {first['msg']}"


def fargate(table: Prices | None, cpu_units: int, memory_mib: int, tasks: int = 1) -> float | None:
    """Fargate's hourly price for `tasks` tasks of this size; None when the table lacks it."""
    if table is None or table.fargate_vcpu is None or table.fargate_gb is None:
        return None
    return round(tasks * (cpu_units / 1024 * table.fargate_vcpu + memory_mib / 1024 * table.fargate_gb), 4)


def instance(table: Prices | None, backend: str, instance_type: str, count: int) -> float | None:
    """`count` instances of a type per hour on SageMaker or EC2; None when unpriced."""
    price = None if table is None else (table.sagemaker if backend == "sagemaker" else table.ec2).get(instance_type)
    return None if price is None else round(price * count, 4)
