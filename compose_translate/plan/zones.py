"""Which availability zones a new VPC spans, and where each GPU instance type can run in it.

Only standard availability zones are used (Local and Wavelength Zones lack most services and
GPU types). Among them, zones that offer the GPU instance types the plan runs on ECS come first,
so GPU capacity has subnets where AWS can start its instances. The program (from its invokes)
and `preflight` (from boto3) decide with this one function, so preflight checks the zones the
deployment will use.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

ZONES = 2  # a new VPC spans two zones (load balancers need two)


def choose_zones(standard: Iterable[str], offered: Mapping[str, Iterable[str]], count: int = ZONES) -> list[str]:
    """`count` zones of `standard`, those offering the most GPU types (`offered`: type -> zones) first."""
    sets = [set(zones) for zones in offered.values()]
    ranked = sorted(set(standard), key=lambda zone: (-sum(zone in s for s in sets), zone))
    return sorted(ranked[:count])


def gpu_zones(chosen: Iterable[str], offered: Mapping[str, Iterable[str]]) -> dict[str, list[str]]:
    """Instance type -> the chosen zones that offer it (empty: the type cannot run in this VPC)."""
    chosen = sorted(chosen)
    return {instance_type: [z for z in chosen if z in set(zones)] for instance_type, zones in sorted(offered.items())}
