"""CustomDomain: the stack's load balancer under the user's own name, over HTTPS.

An ACM certificate validated through a DNS record in the user's Route 53 hosted zone (so it renews
itself), and an alias record pointing the name at the Application Load Balancer. Listeners use the
certificate once it is issued; port 80 redirects to HTTPS (compose_translate/plan/exposure.py).
"""

from __future__ import annotations

import pulumi
import pulumi_aws as aws

from compose_cloud.program.aws.former import Former, moved_from
from compose_translate.plan import CustomDomain as Domain


class CustomDomain(pulumi.ComponentResource):
    certificate_arn: pulumi.Output[str]

    def __init__(self, name: str, domain: Domain, opts: pulumi.ResourceOptions | None = None):
        super().__init__("compose-cloud:aws:CustomDomain", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        certificate = aws.acm.Certificate(
            f"{name}-certificate", domain_name=domain.name, validation_method="DNS", opts=child
        )
        option = certificate.domain_validation_options.apply(lambda options: options[0])
        record = aws.route53.Record(
            f"{name}-validation",
            zone_id=domain.hosted_zone_id,
            # ACM gives every validation option its record (the types declare each field optional)
            name=option.apply(lambda o: str(o.resource_record_name)),
            type=option.apply(lambda o: str(o.resource_record_type)),
            records=[option.apply(lambda o: str(o.resource_record_value))],
            ttl=300,
            allow_overwrite=True,
            opts=child,
        )
        validation = aws.acm.CertificateValidation(
            f"{name}-validation", certificate_arn=certificate.arn, validation_record_fqdns=[record.fqdn], opts=child
        )
        self.certificate_arn, self.domain, self.prefix = validation.certificate_arn, domain, name
        self.register_outputs({"certificateArn": self.certificate_arn, "domain": domain.name})


def alias_record(
    domain: CustomDomain, balancer: aws.lb.LoadBalancer, opts: pulumi.ResourceOptions, formers: tuple[Former, ...]
) -> aws.route53.Record:
    """The domain answers with the load balancer's addresses. Made after both (the balancer needs the
    certificate first), beside them; it answers to its former places under the CustomDomain (`formers`)."""
    name = f"{domain.prefix}-alias"
    return aws.route53.Record(
        name,
        zone_id=domain.domain.hosted_zone_id,
        name=domain.domain.name,
        type="A",
        aliases=[{"name": balancer.dns_name, "zone_id": balancer.zone_id, "evaluate_target_health": True}],
        opts=pulumi.ResourceOptions.merge(
            opts, pulumi.ResourceOptions(aliases=moved_from("aws:route53/record:Record", name, domain.prefix, formers))
        ),
    )
