"""mxsplit policy pack: run with `pulumi preview --policy-pack policy/`."""

from pulumi_policy import (
    EnforcementLevel,
    PolicyPack,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationArgs,
    StackValidationPolicy,
)

from mxsplit_policy import check_cloudflare_form, check_split_order


def _split_order(args: StackValidationArgs, report_violation: ReportViolation) -> None:
    check_split_order(args.resources, report_violation)


def _cloudflare_form(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    check_cloudflare_form(args.resource_type, args.props, report_violation)


PolicyPack(
    name="mxsplit",
    enforcement_level=EnforcementLevel.MANDATORY,
    policies=[
        StackValidationPolicy(
            name="mx-split-order",
            description="MX records pointing at Microsoft 365 that mix the tenant host and a domain host must "
                        "strictly prefer the IPv4-only tenant host, with distinct hosts.",
            validate=_split_order,
        ),
        ResourceValidationPolicy(
            name="cloudflare-mx-form",
            description="Cloudflare MX records to Microsoft 365 use Cloudflare's stored form (full name, no "
                        "trailing dot, not proxied, a real TTL), so previews stay clean.",
            validate=_cloudflare_form,
            enforcement_level=EnforcementLevel.ADVISORY,
        ),
    ],
)
