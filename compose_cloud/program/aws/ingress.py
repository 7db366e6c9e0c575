"""LoadBalancers: the stack's public entry points for published ports.

HTTP listeners share one Application Load Balancer, TCP/UDP listeners one Network Load
Balancer, each with a target group per (service, container port). LLM responses stream for
minutes, so the ALB's idle timeout is set to its maximum.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial

import pulumi
import pulumi_aws as aws

from compose_cloud.program.aws.cluster import ALL_EGRESS
from compose_cloud.program.aws.naming import fitted
from compose_translate.plan.exposure import Listener

ALB_IDLE_TIMEOUT = 4000  # seconds; the maximum the ALB allows
TLS_POLICY = "ELBSecurityPolicy-TLS13-1-2-2021-06"
# Any HTTP answer proves the app is up: apps need no special health route (401/404 count as alive).
HEALTHY_HTTP_CODES = "200-499"


@dataclass(frozen=True)
class LoadBalancersArgs:
    vpc_id: pulumi.Input[str]
    subnet_ids: pulumi.Input[list[str]]
    listeners: tuple[Listener, ...]
    certificate_arn: pulumi.Input[str] | None = None
    domain: str | None = None  # the custom domain the ALB's URLs use


@dataclass(frozen=True)
class Target:
    """What a service needs to join a load balancer."""

    target_group_arn: pulumi.Output[str]
    balancer: str  # "alb" or "nlb": which balancer's group the service's group admits
    container_port: int
    transports: tuple[str, ...]  # ("tcp",), ("udp",) or both: what the service's group admits
    balancer_group_id: pulumi.Output[str]
    listener: aws.lb.Listener


class LoadBalancers(pulumi.ComponentResource):
    alb: aws.lb.LoadBalancer | None  # for a custom domain's alias record
    targets: dict[str, list[Target]]  # service -> targets
    urls: dict[str, list[pulumi.Output[str]]]  # service -> public URLs

    def __init__(self, name: str, args: LoadBalancersArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("compose-cloud:aws:LoadBalancers", name, None, opts)
        self.targets, self.urls, self.alb = {}, {}, None
        for kind in ("alb", "nlb"):
            listeners = [x for x in args.listeners if x.balancer == kind]
            if listeners:
                self._balancer(f"{name}-{kind}", kind, listeners, args)
        self.register_outputs({"urls": {k: pulumi.Output.all(*v) for k, v in sorted(self.urls.items())}})

    def _balancer(self, name: str, kind: str, listeners: list[Listener], args: LoadBalancersArgs) -> None:
        """One public load balancer (`alb` or `nlb`) with its security group open on the listeners' ports,
        and per published port a target group and a listener (plus an HTTP->HTTPS redirect)."""
        group = self._public_group(name, kind, listeners, args)
        balancer = aws.lb.LoadBalancer(
            f"{name}",
            name=fitted(name, 32),  # the type (which AWS cannot change in place) is part of the name
            load_balancer_type="application" if kind == "alb" else "network",
            internal=False,
            subnets=args.subnet_ids,
            security_groups=[group.id],
            ip_address_type="ipv4",
            idle_timeout=ALB_IDLE_TIMEOUT if kind == "alb" else None,
            opts=pulumi.ResourceOptions(parent=self),
        )
        if kind == "alb":
            self.alb = balancer
        host = pulumi.Output.from_input(args.domain) if kind == "alb" and args.domain else balancer.dns_name
        for x in listeners:
            self.targets.setdefault(x.service, []).append(self._listen(name, kind, x, balancer, group, args))
            self.urls.setdefault(x.service, []).append(host.apply(partial(_url, listener=x)))

    def _public_group(
        self, name: str, kind: str, listeners: list[Listener], args: LoadBalancersArgs
    ) -> aws.ec2.SecurityGroup:
        """The balancer's security group: open to the internet (IPv4 and IPv6) on the listeners' ports only."""
        child = pulumi.ResourceOptions(parent=self)
        group = aws.ec2.SecurityGroup(
            f"{name}-sg",
            vpc_id=args.vpc_id,
            egress=ALL_EGRESS,
            description=f"public {kind.upper()} listeners",
            opts=child,
        )
        ports = sorted(
            {(x.port, p) for x in listeners for p in transports(x.protocol)}
            | {(x.redirect_from, "tcp") for x in listeners if x.redirect_from}
        )
        for port, protocol in ports:
            for family, v4, v6 in (("v4", "0.0.0.0/0", None), ("v6", None, "::/0")):
                aws.vpc.SecurityGroupIngressRule(
                    f"{name}-in-{protocol}-{port}-{family}",
                    security_group_id=group.id,
                    ip_protocol=protocol,
                    from_port=port,
                    to_port=port,
                    description=f"public {protocol.upper()} {port}",
                    cidr_ipv4=v4,
                    cidr_ipv6=v6,
                    opts=child,
                )
        return group

    def _listen(
        self,
        name: str,
        kind: str,
        x: Listener,
        balancer: aws.lb.LoadBalancer,
        group: aws.ec2.SecurityGroup,
        args: LoadBalancersArgs,
    ) -> Target:
        """One published port: its target group, its listener, and the redirect to it from HTTP."""
        child = pulumi.ResourceOptions(parent=self)
        target_protocol = "HTTP" if kind == "alb" else x.protocol
        group_name = f"{name}-{x.service}-{x.target}"
        target_group = aws.lb.TargetGroup(
            group_name,
            # port, protocol and target type cannot change in place: a replacement gets another name
            # and is created before the old one is deleted (a listener still uses the old one)
            name=fitted(group_name, 32, salt=f"{x.target}/{target_protocol}/ip"),
            vpc_id=args.vpc_id,
            target_type="ip",
            port=x.target,
            protocol=target_protocol,
            deregistration_delay=30,
            health_check=(
                {"path": "/", "matcher": HEALTHY_HTTP_CODES, "protocol": "HTTP"}
                if kind == "alb"
                else {"protocol": "TCP"}
            ),
            opts=child,
        )
        https = x.protocol == "HTTPS"
        listener = aws.lb.Listener(
            f"{name}-{x.port}",
            load_balancer_arn=balancer.arn,
            port=x.port,
            protocol=x.protocol,
            default_actions=[{"type": "forward", "target_group_arn": target_group.arn}],
            certificate_arn=args.certificate_arn if https else None,
            ssl_policy=TLS_POLICY if https else None,
            opts=child,
        )
        if x.redirect_from:
            aws.lb.Listener(
                f"{name}-{x.redirect_from}",
                load_balancer_arn=balancer.arn,
                port=x.redirect_from,
                protocol="HTTP",
                default_actions=[
                    {
                        "type": "redirect",
                        "redirect": {"port": str(x.port), "protocol": "HTTPS", "status_code": "HTTP_301"},
                    }
                ],
                opts=child,
            )
        return Target(
            target_group_arn=target_group.arn,
            balancer=x.balancer,
            container_port=x.target,
            transports=transports(x.protocol),
            balancer_group_id=group.id,
            listener=listener,
        )


def transports(protocol: str) -> tuple[str, ...]:
    """The IP protocols a listener's protocol carries, for security group rules."""
    return {"UDP": ("udp",), "TCP_UDP": ("tcp", "udp")}.get(protocol, ("tcp",))


def _url(dns: str, listener: Listener) -> str:
    scheme = {"HTTP": "http", "HTTPS": "https"}.get(listener.protocol, listener.protocol.lower())
    default = {"http": 80, "https": 443}.get(scheme)
    return (
        f"{scheme}://{dns}"
        + ("" if listener.port == default else f":{listener.port}")
        + ("/" if scheme.startswith("http") else "")
    )
