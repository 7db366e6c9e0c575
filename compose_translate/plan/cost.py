"""The plan's hourly estimate: each model, the services, the gateway and the network, priced per region."""

from __future__ import annotations

from compose_translate.plan import pricing
from compose_translate.plan.deployment import Cost, ecs_services
from compose_translate.plan.gateway import Gateway
from compose_translate.plan.models import PlannedModel
from compose_translate.plan.planned_service import PlannedService
from compose_translate.plan.zones import ZONES


def estimate_cost(
    services: dict[str, PlannedService],
    models: dict[str, PlannedModel],
    gateway: Gateway | None,
    nat_gateway: bool,
    prices: pricing.PriceBook,
    region: str,
) -> Cost:
    """Each figure from its own region's table; what cannot be priced is named and left out of the total."""
    table = prices.region(region)
    # a Bedrock model is priced by its per-token prices (compose_translate/bedrock.py), not a region's table
    hosted = {key: m for key, m in models.items() if not m.bedrock}
    unpriced = {f"{m.placement.instance_type} in {m.placement.region}" for m in hosted.values() if m.hourly_usd is None}
    regions = sorted({region, *(m.placement.region for m in hosted.values())})
    unpriced |= {f"{r} (no price table)" for r in regions if prices.region(r) is None}
    service_cost = 0.0
    for runtime in (s.runtime for s in services.values()):
        price = (
            pricing.fargate(table, runtime.cpu, runtime.memory, runtime.replicas)
            if runtime.capacity == "fargate"
            else pricing.instance(table, "ecs", runtime.capacity, runtime.replicas)
        )
        service_cost += price or 0
        if price is None and table is not None:
            unpriced.add(f"{runtime.capacity} in {region}")
    gateway_cost = (
        (pricing.fargate(table, gateway.service.runtime.cpu, gateway.service.runtime.memory) or 0.0)
        if gateway and gateway.service
        else 0.0
    )
    network = 0.0
    if table and table.load_balancer is not None and table.public_ipv4 is not None and table.nat_gateway is not None:
        balancers = {x.balancer for s in services.values() for x in s.listeners}
        network = len(balancers) * (table.load_balancer + ZONES * table.public_ipv4)
        if nat_gateway:
            network += table.nat_gateway + table.public_ipv4
        else:  # every task has a public address instead
            network += sum(s.runtime.replicas for s in ecs_services(services, models, gateway)) * table.public_ipv4
    model_prices = [v for v in (m.hourly_usd for m in models.values()) if v is not None]
    priced = model_prices + ([service_cost, gateway_cost, network] if table is not None else [])
    total = sum(priced) if priced else None  # unpriced is never $0.00
    zero = tuple(sorted(k for k, m in models.items() if m.placement.scale_to_zero and not m.served_by))
    idle = round(total - sum(models[k].hourly_usd or 0 for k in zero), 4) if zero and total is not None else None
    return Cost(
        idle_total=idle,
        scale_to_zero=zero,
        models={k: m.hourly_usd for k, m in models.items()},
        services=round(service_cost, 4) if table is not None else None,
        gateway=gateway_cost if table is not None else None,
        network=round(network, 4) if table is not None else None,
        total=round(total, 4) if total is not None else None,
        unpriced=tuple(sorted(unpriced)),
        prices_date=table.date if table else "none",
        prices_region=region,
        prices={r: prices.label(r) for r in regions},
        per_token=tuple(sorted(k for k, m in models.items() if m.bedrock and m.bedrock.input_tokens_per_hour is None)),
    )
