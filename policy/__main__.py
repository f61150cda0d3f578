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

from mxsplit_policy import check_cloudflare_form, check_route53_overwrite, check_split_advisories, check_split_order


def _split_order(args: StackValidationArgs, report_violation: ReportViolation) -> None:
    check_split_order(args.resources, report_violation)


def _split_advisories(args: StackValidationArgs, report_violation: ReportViolation) -> None:
    check_split_advisories(args.resources, report_violation)


def _route53_overwrite(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    check_route53_overwrite(args.resource_type, args.props, report_violation)


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
        StackValidationPolicy(
            name="mx-split-advisories",
            description="Warning rules of the split (dane-compatible: a split cannot keep inbound DANE on "
                        "mx.microsoft hosts), reported without blocking.",
            validate=_split_advisories,
            enforcement_level=EnforcementLevel.ADVISORY,
        ),
        ResourceValidationPolicy(
            name="cloudflare-mx-form",
            description="Cloudflare MX records to Microsoft 365 use Cloudflare's stored form (full name, no "
                        "trailing dot, not proxied, a real TTL), so previews stay clean.",
            validate=_cloudflare_form,
            enforcement_level=EnforcementLevel.ADVISORY,
        ),
        ResourceValidationPolicy(
            name="route53-mx-overwrite",
            description="Route 53 MX sets to Microsoft 365 are adopted by import, not overwritten with "
                        "allow_overwrite (which drops foreign MX values silently).",
            validate=_route53_overwrite,
            enforcement_level=EnforcementLevel.ADVISORY,
        ),
    ],
)
