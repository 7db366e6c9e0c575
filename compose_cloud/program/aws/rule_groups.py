"""Which services can share a security group: those whose own ingress rules are the same.

A service needs a group of its own besides its networks' when something must admit it or it must admit
something: load balancer ports, the client networks it admits (the gateway, model servers), an EFS file
system that admits it. The first service with a set of rules makes the group (named after it, as before);
later services with the same set join it. A member gains no reach from another: nothing admits "from this
group" but the EFS file systems in the set, which admitted each member anyway. ECS model servers all admit
the gateway on llama.cpp's port and mount the model cache: one group for all of them instead of a group
and two rules each (issue 25).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from compose_cloud.program.aws.ingress import Target


@dataclass(frozen=True)
class RuleSet:
    """What a service's own group admits, as plain data: load balancer ports (balancer, port, transport), the
    client networks it admits (network, port), the EFS volumes that admit it; or, for a service on no
    network, nothing (egress only)."""

    balancer_ports: tuple[tuple[str, int, str], ...]
    admits: tuple[tuple[str, int], ...]
    volumes: tuple[str, ...]

    @classmethod
    def of(cls, targets: Iterable[Target], admits: Iterable[tuple[str, int]], volumes: Iterable[str]) -> RuleSet:
        """A service's rules in one canonical order, so that two services with the same rules compare equal."""
        return cls(
            balancer_ports=tuple(sorted({(t.balancer, t.container_port, x) for t in targets for x in t.transports})),
            admits=tuple(sorted(set(admits))),
            volumes=tuple(sorted(set(volumes))),
        )
