"""Who can reach a service: by name inside the project, and through a load balancer from outside.

`ports:` entries are published: HTTP-like TCP ports get a listener on the stack's Application
Load Balancer (HTTPS when a certificate is configured), other TCP and UDP ports one on its
Network Load Balancer. Ports published on a loopback address stay private, as they are on a
laptop. Every container port (`ports` targets and `expose`) is reachable as `<service>:<port>`.
"""

from __future__ import annotations

import re
from functools import partial

from compose_translate.errors import Report
from compose_translate.frozen import Frozen
from compose_translate.normalize.project import Service
from compose_translate.values import parse_port_range

HTTP_APP_PROTOCOLS = (None, "http", "http2", "grpc", "https")
# Well-known ports that never speak HTTP: they get a TCP listener, not an HTTP one.
NON_HTTP_PORTS = {
    22: "SSH",
    25: "SMTP",
    53: "DNS",
    1433: "SQL Server",
    1521: "Oracle",
    3306: "MySQL",
    5432: "PostgreSQL",
    5672: "AMQP",
    6379: "Redis",
    9042: "Cassandra",
    9092: "Kafka",
    11211: "Memcached",
    27017: "MongoDB",
}
LOOPBACK = ("127.0.0.1", "::1", "localhost")


class Listener(Frozen):
    service: str
    target: int  # container port
    port: int  # listener port on the load balancer
    protocol: str  # HTTP | HTTPS | TCP | UDP | TCP_UDP
    balancer: str  # alb | nlb
    redirect_from: int | None = None  # an HTTP listener that redirects here (80 -> 443)
    ephemeral: bool = False  # `ports: ["8000"]`: Compose picks the host port; the plan picks a free one


_HOST_PORT = re.compile(r"(?<![\w.-])([a-zA-Z0-9][a-zA-Z0-9._-]*):(\d{1,5})(?!\d)")


def container_ports(service: Service, inferred: set[int] | frozenset[int] = frozenset()) -> tuple[tuple[int, str], ...]:
    """(port, protocol) the service listens on, from `ports` targets, `expose` and other services' URLs."""
    ports = {(p.target, p.protocol) for p in service.ports} | {(p, "tcp") for p in (*service.expose, *inferred)}
    return tuple(sorted(ports))


def inferred_ports(services: dict[str, Service], report: Report) -> dict[str, set[int]]:
    """Ports other services address (`http://vectors:6333`) that the target never declared.

    On a Compose network every port is reachable; in the cloud a service is reachable by name
    only on declared ports, so an address found in another service's environment declares it.
    """
    declared = {name: {p for p, _ in container_ports(s)} for name, s in services.items()}
    found: dict[str, set[int]] = {}
    for client in services.values():
        for variable, value in sorted(client.environment.items()):
            for host, port_text in _HOST_PORT.findall(value or ""):
                port = int(port_text)
                if host not in services or host == client.name or not 0 < port <= 65535:
                    continue
                if port in declared[host] or port in found.get(host, ()):
                    continue
                found.setdefault(host, set()).add(port)
                target = services[host]
                report.warn(
                    f"{host} declares no port {port}, but {client.name} reaches it at {host}:{port} "
                    f"({variable}); port {port} is made reachable by name",
                    target.where(),
                    hint=f'add `expose: ["{port}"]` to {host} to make this explicit',
                )
    return found


_HTTP_URL = re.compile(r"(?<![\w.+-])http://([a-zA-Z0-9][a-zA-Z0-9._-]*):(\d{1,5})(?!\d)")
SERVICE_CONNECT_HTTP = {"http": "http", "http2": "http2", "grpc": "grpc"}  # Compose app_protocol -> ECS appProtocol


def http_addressed(services: dict[str, Service]) -> dict[str, set[int]]:
    """Ports other services reach with plain `http://<service>:<port>` URLs: they speak HTTP."""
    found: dict[str, set[int]] = {}
    for client in services.values():
        for value in client.environment.values():
            for host, port in _HTTP_URL.findall(value or ""):
                if host in services and host != client.name:
                    found.setdefault(host, set()).add(int(port))
    return found


def app_protocols(service: Service, published: tuple[Listener, ...], addressed: set[int]) -> dict[int, str]:
    """Container ports known to speak HTTP (or HTTP/2, gRPC), for Service Connect's `appProtocol`.

    Service Connect applies per-request timeouts only to such ports; a port not known to speak HTTP
    stays TCP (an HTTP codec on a database port would break it). Known: an explicit `app_protocol`,
    a port the plan publishes on the Application Load Balancer, or one other services reach by
    `http://` URL.
    """
    known = {
        p.target: SERVICE_CONNECT_HTTP[p.app_protocol]
        for p in service.ports
        if p.protocol == "tcp" and p.app_protocol in SERVICE_CONNECT_HTTP
    }
    for port in sorted({x.target for x in published if x.balancer == "alb"} | addressed):
        known.setdefault(port, "http")
    return dict(sorted(known.items()))


def listeners(service: Service, certificate: bool, report: Report) -> tuple[Listener, ...]:
    """A service's published ports as load balancer listeners: HTTP behind the ALB (HTTPS with a certificate),
    others on the NLB; loopback-only ports stay private."""
    result = []
    where = service.where("ports")
    for port in service.ports:
        if port.host_ip in LOOPBACK:
            report.warn(
                f"port {port.target} is published on {port.host_ip} only, so it stays private in the cloud "
                f"(other services still reach it as {service.name}:{port.target})",
                where,
                hint="drop the host address to publish it on the load balancer",
            )
            continue
        published = parse_port_range(port.published.split("-")[0])[0] if port.published else port.target
        # what every listener of this port shares; `ephemeral`: no host port was written
        listener = partial(Listener, service=service.name, target=port.target, ephemeral=not port.published)
        if port.protocol == "sctp":
            report.warn(f"SCTP port {port.target} cannot be published on AWS load balancers", where)
            continue
        if port.protocol == "udp":
            result.append(listener(port=published, protocol="UDP", balancer="nlb"))
        elif port.app_protocol in HTTP_APP_PROTOCOLS and port.target not in NON_HTTP_PORTS:
            if certificate:
                https_port = 443 if published == 80 else published
                result.append(
                    listener(
                        port=https_port, protocol="HTTPS", balancer="alb", redirect_from=80 if published == 80 else None
                    )
                )
            else:
                result.append(listener(port=published, protocol="HTTP", balancer="alb"))
        else:
            what = NON_HTTP_PORTS.get(port.target, port.app_protocol or "non-HTTP")
            report.warn(
                f"port {published} ({what}) is published to the internet through a Network Load Balancer",
                where,
                hint="remove it from `ports:` (use `expose:`) if only other services need it",
            )
            result.append(listener(port=published, protocol="TCP", balancer="nlb"))
    return _tcp_udp(result)


def _tcp_udp(listeners: list[Listener]) -> tuple[Listener, ...]:
    """The same port over TCP and UDP (DNS, for instance) is one TCP_UDP listener on the NLB."""
    udp = {(x.port, x.target) for x in listeners if x.protocol == "UDP"}
    both = {(x.port, x.target) for x in listeners if x.protocol == "TCP" and x.balancer == "nlb"} & udp
    merged = []
    for x in listeners:
        if (x.port, x.target) in both and x.balancer == "nlb":
            if x.protocol == "TCP":
                merged.append(x.model_copy(update={"protocol": "TCP_UDP"}))
            continue
        merged.append(x)
    return tuple(merged)


EPHEMERAL_FIRST = 32768  # where Docker's ephemeral host ports start


def assign_ephemeral(
    listeners: dict[str, tuple[Listener, ...]], services: dict[str, Service], report: Report
) -> dict[str, tuple[Listener, ...]]:
    """Ports published without a host port (`ports: ["8000"]`) keep their container port on the load
    balancer when it is free; otherwise, as Compose would pick a free host port, the next free port
    from 32768 is used, with a warning naming it. Explicit host ports are never moved."""
    taken = {
        (x.balancer, p)
        for group in listeners.values()
        for x in group
        if not x.ephemeral
        for p in (x.port, x.redirect_from)
        if p
    }
    result = {}
    for name, group in listeners.items():
        assigned = []
        for listener in group:
            if listener.ephemeral and (listener.balancer, listener.port) in taken:
                port = EPHEMERAL_FIRST
                while (listener.balancer, port) in taken:
                    port += 1
                service = services[name]
                report.warn(
                    f"port {listener.target} of {name} has no host port and {listener.port} is taken on the "
                    f"load balancer: it is published on port {port}",
                    service.where("ports"),
                    hint=f'choose the port yourself, e.g. "{port}:{listener.target}"',
                )
                listener = listener.model_copy(update={"port": port})
            if listener.ephemeral:
                taken.add((listener.balancer, listener.port))
            assigned.append(listener)
        result[name] = tuple(assigned)
    return result


def check_conflicts(all_listeners: list[Listener], services: dict[str, Service], report: Report) -> None:
    """One listener port per load balancer, as one host port per machine under Compose."""
    taken: dict[tuple[str, int], str] = {}
    for listener in all_listeners:
        ports = [listener.port] + ([listener.redirect_from] if listener.redirect_from else [])
        for port in ports:
            key = (listener.balancer, port)
            if key not in taken:
                taken[key] = listener.service
                continue
            owner, service = taken[key], services[listener.service]
            who = f"twice by {owner}" if owner == listener.service else f"by both {owner} and {listener.service}"
            report.error(
                f"port {port} is published {who}",
                service.where("ports"),
                hint="publish each port once",
            )


# Elastic Load Balancing quotas: 50 listeners per load balancer; Amazon ECS: 5 target groups per
# service and 5,000 tasks per service (Service Quotas pages of each service).
LISTENERS_PER_BALANCER, TARGET_GROUPS_PER_SERVICE, TASKS_PER_SERVICE = 50, 5, 5000


def check_limits(all_listeners: list[Listener], services: dict[str, Service], report: Report) -> None:
    """Limits AWS enforces only at deployment time, checked at plan time with a fix in the message."""
    per_balancer: dict[str, int] = {}
    last: dict[str, Listener] = {}
    per_service: dict[str, int] = {}
    for listener in all_listeners:
        per_balancer[listener.balancer] = per_balancer.get(listener.balancer, 0) + 1 + bool(listener.redirect_from)
        last[listener.balancer] = listener
        per_service[listener.service] = per_service.get(listener.service, 0) + 1
    for balancer, count in sorted(per_balancer.items()):
        if count > LISTENERS_PER_BALANCER:
            service = services[last[balancer].service]
            report.error(
                f"{count} published ports would need {count} listeners on one "
                f"{'Application' if balancer == 'alb' else 'Network'} Load Balancer; AWS allows "
                f"{LISTENERS_PER_BALANCER}",
                service.where("ports"),
                hint="publish fewer ports (use `expose:` for ports only other services reach)",
            )
    for name, count in per_service.items():
        if count > TARGET_GROUPS_PER_SERVICE:
            service = services[name]
            report.error(
                f"{count} published ports; an ECS service can join at most {TARGET_GROUPS_PER_SERVICE} target groups",
                service.where("ports"),
                hint="publish at most five ports per service, or put a reverse proxy in front",
            )
