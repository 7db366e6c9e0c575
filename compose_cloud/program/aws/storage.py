"""SharedVolume: a Compose named volume as an EFS file system with an access point, mountable from
the private subnets by the services that use it and nobody else."""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from compose_cloud.program.aws.former import Former, moved_from
from compose_cloud.program.aws.naming import fitted

NFS_PORT = 2049
# A fresh Docker volume is writable by the container whatever its user; so is this directory.
ROOT_DIRECTORY: aws.efs.AccessPointRootDirectoryArgsDict = {
    "path": "/data",
    "creation_info": {"owner_uid": 0, "owner_gid": 0, "permissions": "0777"},
}


@dataclass(frozen=True)
class SharedVolumeArgs:
    vpc_id: pulumi.Input[str]
    subnet_ids: pulumi.Input[list[str]]
    zones: int
    file_system_id: str | None = None  # reuse an existing file system (`external: true`)
    retain: bool = True  # `pulumi destroy` leaves the file system (the volume's data) in the account
    formers: tuple[Former, ...] = ()  # where earlier versions registered it (its NFS rules were its children)


class SharedVolume(pulumi.ComponentResource):
    file_system_id: pulumi.Output[str]
    access_point_id: pulumi.Output[str]
    security_group: aws.ec2.SecurityGroup
    mount_targets: list[aws.efs.MountTarget]  # tasks mount only once these exist (none for an external one)

    def __init__(self, name: str, args: SharedVolumeArgs, opts: pulumi.ResourceOptions | None = None):
        """An encrypted EFS file system (retained on destroy unless told otherwise) or the stack's own, its mount
        targets and one access point; clients are admitted by their services."""
        super().__init__("compose-cloud:aws:SharedVolume", name, None, opts)
        self._volume, self._formers = name, args.formers
        self.mount_targets = []
        child = pulumi.ResourceOptions(parent=self)
        self.security_group = aws.ec2.SecurityGroup(
            f"{name}-sg", vpc_id=args.vpc_id, description=f"NFS clients of volume {name}", opts=child
        )
        if args.file_system_id:
            file_system_id = pulumi.Output.from_input(args.file_system_id)
        else:
            file_system = aws.efs.FileSystem(
                f"{name}-fs",
                creation_token=fitted(f"{name}-fs", 64),
                encrypted=True,
                performance_mode="generalPurpose",
                throughput_mode="elastic",
                tags={"Name": name},
                opts=pulumi.ResourceOptions(parent=self, retain_on_delete=args.retain),
            )
            file_system_id = file_system.id
            subnets = pulumi.Output.from_input(args.subnet_ids)
            for i in range(args.zones):
                self.mount_targets.append(
                    aws.efs.MountTarget(
                        f"{name}-mt-{i}",
                        file_system_id=file_system_id,
                        subnet_id=subnets.apply(lambda ids, i=i: ids[i]),  # type: ignore[misc]  # mypy cannot type a default-bound lambda
                        security_groups=[self.security_group.id],
                        opts=child,
                    )
                )
        access_point = aws.efs.AccessPoint(
            f"{name}-ap", file_system_id=file_system_id, root_directory=ROOT_DIRECTORY, opts=child
        )
        self.file_system_id, self.access_point_id = file_system_id, access_point.id
        self.register_outputs({"fileSystemId": self.file_system_id, "accessPointId": self.access_point_id})

    def admit(self, client: str, group_id: pulumi.Input[str], opts: pulumi.ResourceOptions) -> None:
        """Let one service's tasks mount the volume: a rule the client service creates among its own
        children (this component is complete before any service exists); it answers to its former places
        under the volume."""
        name = f"{self._volume}-nfs-{client}"
        aws.vpc.SecurityGroupIngressRule(
            name,
            security_group_id=self.security_group.id,
            referenced_security_group_id=group_id,
            ip_protocol="tcp",
            from_port=NFS_PORT,
            to_port=NFS_PORT,
            description=f"NFS from {client}",
            opts=pulumi.ResourceOptions.merge(
                opts,
                pulumi.ResourceOptions(
                    aliases=moved_from(
                        "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", name, self._volume, self._formers
                    )
                ),
            ),
        )
