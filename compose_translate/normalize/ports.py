"""`ports` (short and long syntax, ranges, host addresses) and `expose`."""

from __future__ import annotations

import ipaddress
from typing import Any

from compose_translate.errors import KeyPath
from compose_translate.normalize.context import (
    _PORT_KEYS,
    _Ctx,
    _short,
)
from compose_translate.normalize.project import Port, Protocol
from compose_translate.values import parse_port_range


def _ports(ctx: _Ctx, raw: list[Any], where: KeyPath) -> tuple[Port, ...]:
    ports: list[Port] = []
    for i, item in enumerate(raw):
        item_where = where.item(i, raw)
        try:
            if isinstance(item, dict):
                ctx.unknown_keys(item, _PORT_KEYS, item_where, "a port")
                target = parse_port_range(str(item.get("target", "")))
                published = item.get("published")
                if published not in (None, ""):
                    parse_port_range(str(published))  # a port or a range, nothing else
                _host_ip(item.get("host_ip"))
                ports.extend(
                    Port(
                        target=t,
                        published=None if published in (None, "") else str(published),
                        protocol=_protocol(str(item.get("protocol", "tcp"))),
                        host_ip=item.get("host_ip"),
                        app_protocol=item.get("app_protocol"),
                        name=item.get("name"),
                    )
                    for t in target
                )
            elif isinstance(item, (int, str)) and not isinstance(item, bool):
                ports.extend(_short_port(str(item)))
            else:
                raise ValueError(f'expected a port such as "8080:80", got {_short(item)}')
        except ValueError as exc:
            ctx.error(str(exc), item_where, hint='write ports as "[HOST:]CONTAINER[/PROTOCOL]"')
    return tuple(ports)


def _short_port(text: str) -> list[Port]:
    spec, _, written = text.partition("/")
    protocol = _protocol(written or "tcp")
    host_ip = None
    if spec.startswith("["):  # IPv6 host address
        end = spec.find("]")
        if end < 0:
            raise ValueError(f'"{text}" opens "[" for an IPv6 address without closing it')
        host_ip, spec = spec[1:end], spec[end + 2 :]
    parts = spec.split(":")
    if len(parts) == 3:
        host_ip, parts = parts[0], parts[1:]
    _host_ip(host_ip)
    if len(parts) > 2:
        raise ValueError(f'"{text}" is not a port mapping')
    targets = parse_port_range(parts[-1])
    if len(parts) == 1 or parts[0] == "":
        published = [None] * len(targets) if len(parts) == 1 else [str(t) for t in targets]
    else:
        hosts = parse_port_range(parts[0])
        published = [str(h) for h in hosts] if len(hosts) == len(targets) else [parts[0]] * len(targets)
    return [
        Port(target=t, published=p, protocol=protocol, host_ip=host_ip or None)
        for t, p in zip(targets, published, strict=True)
    ]


_PROTOCOLS: dict[str, Protocol] = {"tcp": "tcp", "udp": "udp", "sctp": "sctp"}


def _protocol(written: str) -> Protocol:
    """tcp, udp or sctp, in any case (Docker lowercases it, as its nat.ParsePortSpec does)."""
    protocol = _PROTOCOLS.get(written.lower())
    if protocol is None:
        raise ValueError(f'unknown protocol "{written}"')
    return protocol


def _host_ip(address: Any) -> None:
    if address in (None, ""):
        return
    try:
        ipaddress.ip_address(str(address))
    except ValueError:
        raise ValueError(f'"{address}" is not an IP address') from None


def _expose(ctx: _Ctx, raw: list[Any], where: KeyPath) -> tuple[int, ...]:
    result: list[int] = []
    for i, item in enumerate(raw):
        try:
            result.extend(parse_port_range(str(item).partition("/")[0]))
        except ValueError as exc:
            ctx.error(str(exc), where.item(i, raw))
    return tuple(sorted(set(result)))
