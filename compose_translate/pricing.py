"""Estimated on-demand hourly prices: one dated table, used for the plan's cost estimate.

These are ESTIMATES: AWS public list prices for us-east-1 (Linux, on-demand) as of PRICES_DATE;
other regions are usually 5-30% higher, and taxes, data transfer, storage, requests and
savings plans are not included. Unknown types have no price and say so.
"""

from __future__ import annotations

PRICES_DATE = "2026-11"
PRICES_REGION = "us-east-1"

# SageMaker real-time inference, USD per instance-hour.
SAGEMAKER = {
    "ml.g5.xlarge": 1.408, "ml.g5.2xlarge": 1.515, "ml.g5.4xlarge": 2.03, "ml.g5.12xlarge": 7.09,
    "ml.g6.xlarge": 1.0064, "ml.g6.2xlarge": 1.2224, "ml.g6e.xlarge": 2.3290, "ml.g6e.2xlarge": 2.8190,
    "ml.g6e.12xlarge": 13.1180, "ml.g4dn.xlarge": 0.7364,
}
# EC2 on-demand, USD per instance-hour (ECS GPU capacity).
EC2 = {
    "g4dn.xlarge": 0.526, "g5.xlarge": 1.006, "g5.2xlarge": 1.212, "g5.4xlarge": 1.624, "g5.12xlarge": 5.672,
    "g6.xlarge": 0.8048, "g6.2xlarge": 0.9776, "g6e.xlarge": 1.861, "g6e.2xlarge": 2.2421,
    "g6e.12xlarge": 10.4926,
}
# Fargate (Linux/x86), USD per vCPU-hour and per GB-hour.
FARGATE_VCPU = 0.04048
FARGATE_GB = 0.004445
# Fixed parts of every stack: one NAT gateway, and a load balancer when ports are published.
NAT_GATEWAY = 0.045
LOAD_BALANCER = 0.0225


def fargate(cpu_units: int, memory_mib: int, tasks: int = 1) -> float:
    return round(tasks * (cpu_units / 1024 * FARGATE_VCPU + memory_mib / 1024 * FARGATE_GB), 4)


def instance(backend: str, instance_type: str, count: int) -> float | None:
    price = (SAGEMAKER if backend == "sagemaker" else EC2).get(instance_type)
    return None if price is None else round(price * count, 4)
