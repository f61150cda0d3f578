"""mxsplit policy pack: run with `pulumi preview --policy-pack policy/`."""

from functools import partial

from pulumi_policy import (
    EnforcementLevel,
    PolicyPack,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationArgs,
    StackValidationPolicy,
)

from mxsplit_component.backends.spec import Advisory
from mxsplit_policy import ADVISORIES, check_split_advisories, check_split_order


def _split_order(args: StackValidationArgs, report_violation: ReportViolation) -> None:
    check_split_order(args.resources, report_violation)


def _split_advisories(args: StackValidationArgs, report_violation: ReportViolation) -> None:
    check_split_advisories(args.resources, report_violation)


def _advisory(advisory: Advisory, args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    advisory.check(args.resource_type, args.props, report_violation)


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
        # Each DNS host's own checks (the form its provider stores, a dangerous option).
        *(ResourceValidationPolicy(name=advisory.name, description=advisory.description,
                                   validate=partial(_advisory, advisory), enforcement_level=EnforcementLevel.ADVISORY)
          for advisory in ADVISORIES),
    ],
)
