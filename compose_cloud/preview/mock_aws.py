"""What AWS and pulumi-aws answer when a resource is created, imitated deterministically.

The offline preview's values must look like the real ones, or a check of a request built from
them proves nothing: pulumi-aws names a resource `<logical name>-<7 hex characters>` unless a
name is set, EC2 ids look like `sg-0123...`, an IAM role's id is its name, ARNs follow each
service's format. Everything is derived from the logical name, so the same input gives the
same bytes.
"""

from __future__ import annotations

import hashlib
from typing import Any

ACCOUNT = "123456789012"
# Elastic Load Balancing's hosted zone per region (Application Load Balancers), for alias records
ALB_ZONES = {
    "us-east-1": "Z35SXDOTRQ7X7K",
    "us-east-2": "Z3AADJGX6KTTL2",
    "us-west-2": "Z1H1FL5HABSF5",
    "eu-west-1": "Z32O12XQLNTSW2",
    "eu-central-1": "Z215JYRZR1TBD5",
}

# Resource type -> the input pulumi-aws auto-names (`<logical>-<7 hex>`) when it is not set.
AUTONAMED = {
    "aws:iam/role:Role": "name",
    "aws:iam/rolePolicy:RolePolicy": "name",
    "aws:iam/instanceProfile:InstanceProfile": "name",
    "aws:ec2/securityGroup:SecurityGroup": "name",
    "aws:lb/loadBalancer:LoadBalancer": "name",
    "aws:lb/targetGroup:TargetGroup": "name",
    "aws:ecs/cluster:Cluster": "name",
    "aws:ecs/service:Service": "name",
    "aws:ecs/capacityProvider:CapacityProvider": "name",
    "aws:ec2/launchTemplate:LaunchTemplate": "name",
    "aws:autoscaling/group:Group": "name",
    "aws:secretsmanager/secret:Secret": "name",
    "aws:ssm/parameter:Parameter": "name",
    "aws:sagemaker/model:Model": "name",
    "aws:sagemaker/endpointConfiguration:EndpointConfiguration": "name",
    "aws:sagemaker/endpoint:Endpoint": "name",
    "aws:appautoscaling/policy:Policy": "name",
    "aws-native:sagemaker:InferenceComponent": "inferenceComponentName",
    "aws:cloudwatch/metricAlarm:MetricAlarm": "name",
    "aws:cloudwatch/logMetricFilter:LogMetricFilter": "name",
    "aws:cloudwatch/logGroup:LogGroup": "name",
    "aws:ecr/repository:Repository": "name",
    "aws:servicediscovery/httpNamespace:HttpNamespace": "name",
    "aws:efs/fileSystem:FileSystem": "creationToken",
}

# Resource type -> its id: a prefix for EC2-style ids, "name" or "arn" where AWS uses those.
_ID = {
    "aws:ec2/vpc:Vpc": "vpc-",
    "aws:ec2/subnet:Subnet": "subnet-",
    "aws:ec2/securityGroup:SecurityGroup": "sg-",
    "aws:ec2/internetGateway:InternetGateway": "igw-",
    "aws:ec2/natGateway:NatGateway": "nat-",
    "aws:ec2/eip:Eip": "eipalloc-",
    "aws:ec2/routeTable:RouteTable": "rtb-",
    "aws:ec2/routeTableAssociation:RouteTableAssociation": "rtbassoc-",
    "aws:ec2/launchTemplate:LaunchTemplate": "lt-",
    "aws:efs/fileSystem:FileSystem": "fs-",
    "aws:efs/accessPoint:AccessPoint": "fsap-",
    "aws:efs/mountTarget:MountTarget": "fsmt-",
    "aws:servicediscovery/httpNamespace:HttpNamespace": "ns-",
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": "sgr-",
    "aws:iam/role:Role": "name",
    "aws:iam/instanceProfile:InstanceProfile": "name",
    "aws:ssm/parameter:Parameter": "name",
    "aws:cloudwatch/logGroup:LogGroup": "name",
    "aws:ecr/repository:Repository": "name",
    "aws:sagemaker/model:Model": "name",
    "aws:sagemaker/endpointConfiguration:EndpointConfiguration": "name",
    "aws:sagemaker/endpoint:Endpoint": "name",
    "aws:autoscaling/group:Group": "name",
    "aws:ecs/cluster:Cluster": "arn",
    "aws:ecs/service:Service": "arn",
    "aws:ecs/capacityProvider:CapacityProvider": "name",
    "aws:lb/loadBalancer:LoadBalancer": "arn",
    "aws:lb/targetGroup:TargetGroup": "arn",
    "aws:lb/listener:Listener": "arn",
    "aws:secretsmanager/secret:Secret": "arn",
    "aws:ecs/taskDefinition:TaskDefinition": "family",
    "aws:acm/certificate:Certificate": "arn",
    "aws-native:sagemaker:InferenceComponent": "arn",
}


def _uuid(digest: str) -> str:
    """A UUID-shaped id from a digest, as ACM certificates and Auto Scaling groups have."""
    return f"{digest[:8]}-{digest[8:12]}-{digest[12:16]}-{digest[16:20]}-{digest[20:32]}"


def _arn(typ: str, name: str, region: str, digest: str, inputs: dict[str, Any]) -> str:
    """The ARN AWS would give a resource of this type and name, so that policies built from ARNs preview as they
    deploy."""
    service = typ.split(":")[1].split("/")[0]
    base = f"arn:aws:{{}}:{region}:{ACCOUNT}:"
    formats = {
        "aws:iam/role:Role": f"arn:aws:iam::{ACCOUNT}:role/{name}",
        "aws:iam/instanceProfile:InstanceProfile": f"arn:aws:iam::{ACCOUNT}:instance-profile/{name}",
        "aws:ecs/cluster:Cluster": base.format("ecs") + f"cluster/{name}",
        "aws:ecs/service:Service": base.format("ecs") + f"service/{name}",
        "aws:ecs/taskDefinition:TaskDefinition": base.format("ecs") + f"task-definition/{inputs.get('family')}:1",
        "aws:ecs/capacityProvider:CapacityProvider": base.format("ecs") + f"capacity-provider/{name}",
        "aws:lb/loadBalancer:LoadBalancer": base.format("elasticloadbalancing")
        + f"loadbalancer/{'net' if inputs.get('loadBalancerType') == 'network' else 'app'}/{name}/{digest[:16]}",
        "aws:lb/targetGroup:TargetGroup": base.format("elasticloadbalancing") + f"targetgroup/{name}/{digest[:16]}",
        "aws:lb/listener:Listener": base.format("elasticloadbalancing")
        + f"listener/app/lb/{digest[:16]}/{digest[16:32]}",
        "aws:cloudwatch/logGroup:LogGroup": base.format("logs") + f"log-group:{name}",
        "aws:acm/certificate:Certificate": base.format("acm") + f"certificate/{_uuid(digest)}",
        "aws:ecr/repository:Repository": base.format("ecr") + f"repository/{name}",
        "aws:secretsmanager/secret:Secret": base.format("secretsmanager") + f"secret:{name}-{digest[:6]}",
        "aws:ssm/parameter:Parameter": base.format("ssm") + f"parameter/{name.lstrip('/')}",
        "aws:efs/fileSystem:FileSystem": base.format("elasticfilesystem") + f"file-system/fs-{digest[:17]}",
        "aws:efs/accessPoint:AccessPoint": base.format("elasticfilesystem") + f"access-point/fsap-{digest[:17]}",
        "aws:servicediscovery/httpNamespace:HttpNamespace": base.format("servicediscovery")
        + f"namespace/ns-{digest[:16]}",
        "aws:autoscaling/group:Group": base.format("autoscaling") + f"autoScalingGroup:{_uuid(digest)}"
        f":autoScalingGroupName/{name}",
    }
    if typ in formats:
        return formats[typ]
    if service == "sagemaker":
        kind = {
            "Model": "model",
            "EndpointConfiguration": "endpoint-config",
            "Endpoint": "endpoint",
            "InferenceComponent": "inference-component",
        }[typ.rsplit(":", 1)[-1]]
        return base.format("sagemaker") + f"{kind}/{name.lower()}"
    return base.format(service) + f"{typ.rsplit(':', 1)[-1].lower()}/{name}"


def created_state(typ: str, logical: str, inputs: dict[str, Any], region: str) -> tuple[str, dict[str, Any]]:
    """The id and computed outputs AWS would give a new resource of `typ` named `logical`."""
    digest = hashlib.sha256(f"{typ}::{logical}".encode()).hexdigest()
    state: dict[str, Any] = {}
    name_key = AUTONAMED.get(typ)
    name = str(inputs.get(name_key) or f"{logical}-{digest[:7]}") if name_key else logical
    if name_key:
        state[name_key] = name
    state["arn"] = _arn(typ, name, region, digest, inputs)
    kind = _ID.get(typ)
    if kind == "name":
        resource_id = name
    elif kind == "arn":
        resource_id = state["arn"]
    elif kind == "family":
        resource_id = str(inputs.get("family"))
    elif kind:
        resource_id = f"{kind}{digest[: 17 if kind != 'ns-' else 16]}"
    else:
        resource_id = f"{logical}-id"
    state["id"] = resource_id
    if typ == "aws:lb/loadBalancer:LoadBalancer":
        state["dnsName"] = f"{name}-{int(digest[:9], 16)}.{region}.elb.amazonaws.com"
        state["zoneId"] = ALB_ZONES.get(region, "Z35SXDOTRQ7X7K")
    elif typ == "aws:acm/certificate:Certificate":
        domain = str(inputs.get("domainName"))
        state["domainValidationOptions"] = [
            {
                "domainName": domain,
                "resourceRecordName": f"_{digest[:32]}.{domain}.",
                "resourceRecordType": "CNAME",
                "resourceRecordValue": f"_{digest[32:64]}.abcdefghij.acm-validations.aws.",
            }
        ]
    elif typ == "aws:acm/certificateValidation:CertificateValidation":
        state["certificateArn"] = inputs.get("certificateArn")
    elif typ == "aws-native:sagemaker:InferenceComponent":
        state["inferenceComponentArn"] = state["arn"]
    elif typ == "aws:route53/record:Record":
        state["fqdn"] = str(inputs.get("name", "")).rstrip(".")
    elif typ == "aws:ecr/repository:Repository":
        state["repositoryUrl"] = f"{ACCOUNT}.dkr.ecr.{region}.amazonaws.com/{name}"
        state["registryId"] = ACCOUNT
    elif typ == "docker-build:index:Image":
        tag = (inputs.get("tags") or [logical])[0]
        state["ref"] = f"{tag.split(':')[0] if isinstance(tag, str) else logical}@sha256:{digest}"
    return resource_id, state
