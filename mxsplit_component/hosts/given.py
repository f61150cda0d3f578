"""Source 1, ``given``: hosts the user passed explicitly. Pure."""

from __future__ import annotations

from ..core.clouds import Cloud
from ..core.plan import check_host
from .model import SourceResult


def from_given(cloud: Cloud, *, dual_stack_host: str | None = None, ipv4_only_host: str | None = None) -> SourceResult:
    """The explicit hosts, normalised and checked against the cloud's inbound suffixes.

    :raises MxSplitError: naming ``dual_stack_host`` or ``ipv4_only_host`` for an unusable host.
    """
    return SourceResult(
        "given",
        ipv4_only_host=None if ipv4_only_host is None else check_host(ipv4_only_host, "ipv4_only_host", cloud),
        dual_stack_host=None if dual_stack_host is None else check_host(dual_stack_host, "dual_stack_host", cloud),
    )
