"""Network: the VPC the stack runs in, new (two or more zones, public and private subnets, NAT
egress) or existing (ids from stack config). Without a NAT gateway (a dev mode) tasks run in the
public subnets with public IPs, and no private subnets are made."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from compose_translate.plan.zones import choose_zones, gpu_zones

VPC_CIDR = "10.0.0.0/16"


# Standard availability zones only: no Local or Wavelength Zones (DescribeAvailabilityZones' zone-type).
STANDARD_ZONES: list[aws.GetAvailabilityZonesFilterArgsDict] = [{"name": "zone-type", "values": ["availability-zone"]}]


@dataclass(frozen=True)
class NetworkArgs:
    zones: int = 2
    vpc_id: str | None = None
    gpu_types: tuple[str, ...] = ()  # EC2 GPU instance types the stack runs: zones offering them come first
    public_subnet_ids: tuple[str, ...] = ()
    private_subnet_ids: tuple[str, ...] = ()
    nat_gateway: bool = True


class Network(pulumi.ComponentResource):
    vpc_id: pulumi.Output[str]
    public_subnet_ids: pulumi.Output[list[str]]
    private_subnet_ids: pulumi.Output[list[str]]  # where tasks run: the public ones without a NAT gateway
    gpu_zones: dict[str, list[str]]  # GPU instance type -> chosen zones offering it (empty for an existing VPC)

    def __init__(self, name: str, args: NetworkArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("compose-cloud:aws:Network", name, None, opts)
        self.gpu_zones, self._private_by_zone = {}, dict[str, pulumi.Output[str]]()
        if args.vpc_id:
            self._existing(args.vpc_id, args)
        else:
            self._create(name, args)
        self.register_outputs(
            {
                "vpcId": self.vpc_id,
                "publicSubnetIds": self.public_subnet_ids,
                "privateSubnetIds": self.private_subnet_ids,
            }
        )

    def _existing(self, vpc_id: str, args: NetworkArgs) -> None:
        self.vpc_id = pulumi.Output.from_input(vpc_id)
        self.public_subnet_ids = pulumi.Output.from_input(list(args.public_subnet_ids))
        self.private_subnet_ids = pulumi.Output.from_input(
            list(args.private_subnet_ids if args.nat_gateway else args.public_subnet_ids)
        )

    def private_subnets_for(self, instance_type: str) -> pulumi.Output[list[str]]:
        """Private subnets where `instance_type` can start: in the zones that offer it."""
        zones = self.gpu_zones.get(instance_type)
        if not zones:  # an existing VPC: its subnets' zones are the user's choice
            return self.private_subnet_ids
        return pulumi.Output.all(*[self._private_by_zone[z] for z in zones])

    def _create(self, name: str, args: NetworkArgs) -> None:
        """A new VPC over the zones the plan's GPU types are offered in: public and private subnets per zone, and a
        NAT gateway unless the stack turns it off."""
        child, invoke = pulumi.ResourceOptions(parent=self), pulumi.InvokeOptions(parent=self)
        zones = args.zones
        standard = aws.get_availability_zones(state="available", filters=STANDARD_ZONES, opts=invoke).names
        if len(standard) < zones:
            raise pulumi.RunError(f"the region has {len(standard)} available availability zones; {zones} are needed")
        offered = {
            t: aws.ec2.get_instance_type_offerings(
                location_type="availability-zone", filters=[{"name": "instance-type", "values": [t]}], opts=invoke
            ).locations
            for t in args.gpu_types
        }
        names = choose_zones(standard, offered, zones)
        self.gpu_zones = gpu_zones(names, offered)
        missing = sorted(t for t, found in self.gpu_zones.items() if not found)
        if missing:
            raise pulumi.RunError(
                f"{', '.join(missing)} is offered in none of the zones {', '.join(names)}: choose "
                "another cloud.instance-type or cloud.backend=sagemaker (compose-cloud preflight "
                "checks this before a deployment)"
            )
        vpc = aws.ec2.Vpc(
            f"{name}-vpc",
            cidr_block=VPC_CIDR,
            enable_dns_hostnames=True,
            enable_dns_support=True,
            tags={"Name": name},
            opts=child,
        )
        gateway = aws.ec2.InternetGateway(f"{name}-igw", vpc_id=vpc.id, opts=child)
        blocks = list(ipaddress.IPv4Network(VPC_CIDR).subnets(new_prefix=20))
        public_routes = aws.ec2.RouteTable(
            f"{name}-public", vpc_id=vpc.id, routes=[{"cidr_block": "0.0.0.0/0", "gateway_id": gateway.id}], opts=child
        )
        public = self._subnets(f"{name}-public", vpc.id, names, blocks, public_routes, public_ip=False)
        if not args.nat_gateway:
            self._private_by_zone = {zone: subnet.id for zone, subnet in zip(names, public, strict=True)}
        self.vpc_id = vpc.id
        self.public_subnet_ids = pulumi.Output.all(*[s.id for s in public])
        if not args.nat_gateway:
            self.private_subnet_ids = self.public_subnet_ids
            return
        # One NAT gateway keeps a small stack cheap; private subnets in every zone route through it.
        address = aws.ec2.Eip(f"{name}-nat", domain="vpc", opts=child)
        nat = aws.ec2.NatGateway(
            f"{name}-nat",
            subnet_id=public[0].id,
            allocation_id=address.id,
            opts=pulumi.ResourceOptions(parent=self, depends_on=[gateway]),
        )
        private_routes = aws.ec2.RouteTable(
            f"{name}-private", vpc_id=vpc.id, routes=[{"cidr_block": "0.0.0.0/0", "nat_gateway_id": nat.id}], opts=child
        )
        private = self._subnets(f"{name}-private", vpc.id, names, blocks[8:], private_routes)
        self._private_by_zone = {zone: subnet.id for zone, subnet in zip(names, private, strict=True)}
        self.private_subnet_ids = pulumi.Output.all(*[s.id for s in private])

    def _subnets(
        self,
        prefix: str,
        vpc_id: pulumi.Input[str],
        zones: list[str],
        blocks: list[ipaddress.IPv4Network],
        routes: aws.ec2.RouteTable,
        public_ip: bool | None = None,
    ) -> list[aws.ec2.Subnet]:
        """One subnet per zone, in the next free /20 blocks, each routed by `routes`."""
        child, subnets = pulumi.ResourceOptions(parent=self), []
        for i, zone in enumerate(zones):
            subnet = aws.ec2.Subnet(
                f"{prefix}-{i}",
                vpc_id=vpc_id,
                availability_zone=zone,
                cidr_block=str(blocks[i]),
                map_public_ip_on_launch=public_ip,  # None: not sent (AWS's default)
                tags={"Name": f"{prefix}-{zone}"},
                opts=child,
            )
            aws.ec2.RouteTableAssociation(f"{prefix}-{i}", subnet_id=subnet.id, route_table_id=routes.id, opts=child)
            subnets.append(subnet)
        return subnets
