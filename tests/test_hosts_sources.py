"""The pure parts of the hosts feature: published reading, derivation, combination, drift findings."""

from __future__ import annotations

import time
from collections import namedtuple

import pytest

from mxsplit_component import plan_mx
from mxsplit_component.core.clouds import COMMERCIAL
from mxsplit_component.core.plan import MxRecord
from mxsplit_component.errors import MxSplitError
from mxsplit_component.hosts import lookup_hosts
from mxsplit_component.hosts.combine import combine
from mxsplit_component.hosts.derived import derive
from mxsplit_component.hosts.drift import graph_findings
from mxsplit_component.hosts.given import from_given
from mxsplit_component.hosts.model import SourceResult
from mxsplit_component.hosts.published import from_mx
from mxsplit_component.testing.graph import MS, TOKEN, GraphStandIn, contoso


def mx(*pairs):
    return [MxRecord(p, h) for p, h in pairs]


def test_published_single_microsoft_mx_is_the_dual_stack_host():
    result = from_mx("foo-1-bar.com", mx((0, f"foo1-bar-com0i.{MS}")), COMMERCIAL)
    assert (result.dual_stack_host, result.ipv4_only_host, result.notes) == (f"foo1-bar-com0i.{MS}", None, ())


def test_published_split_yields_both_and_the_tenant():
    result = from_mx("a.com", mx((0, f"contoso.{MS}"), (10, f"a-com.{MS}"), (20, "backup.example.net")), COMMERCIAL)
    assert (result.ipv4_only_host, result.dual_stack_host, result.tenant) == (f"contoso.{MS}", f"a-com.{MS}",
                                                                             "contoso")


@pytest.mark.parametrize(("records", "note_id", "text"), [
    (mx((10, "mx.gateway.example")), "published-foreign", "a.com publishes no Microsoft 365 host (10 mx.gateway"),
    (mx((0, f"a-com.{MS}"), (0, f"b-com.{MS}")), "published-ambiguous", "several Microsoft hosts (0 a-com"),
    (mx((0, f"x-y.{MS}"), (10, f"a-com.{MS}")), "published-ambiguous", "not a split"),  # MX 0 is no tenant host
    ([], "published-no-mx", "a.com publishes no MX record"),
    (mx((0, f"contoso.{MS}")), "published-tenant-only", "only the tenant host"),
])
def test_published_yields_nothing_and_says_why(records, note_id, text):
    result = from_mx("a.com", records, COMMERCIAL, tenant="contoso")
    assert result.dual_stack_host is None and result.ipv4_only_host is None
    [note] = result.notes
    assert note.id == note_id and text in note.message and not note.incomplete


def test_published_failure_is_incomplete():
    [note] = from_mx("a.com", None, COMMERCIAL, error="timed out after 2 s").notes
    assert note.incomplete and note.message == "MX a.com: timed out after 2 s; retry, or pass --nameserver"


def test_derived_only_where_the_core_allows():
    assert derive("contoso.com", "contoso", COMMERCIAL).dual_stack_host == f"contoso-com.{MS}"
    hyphen = derive("foo-1-bar.com", None, COMMERCIAL)
    assert hyphen.dual_stack_host is None and hyphen.ipv4_only_host is None
    assert hyphen.notes[0].id == "not-derivable"


def test_given_is_checked_and_names_the_field():
    with pytest.raises(MxSplitError) as info:
        from_given(COMMERCIAL, dual_stack_host="mail.example.com")
    assert info.value.field == "dual_stack_host"


def test_combine_trust_order_and_conflicts_naming_both():
    graph = SourceResult("graph", f"contoso.{MS}", "contoso-com.o-v1.mx.microsoft", tenant="contoso")
    published = SourceResult("published", f"contoso.{MS}", f"contoso-com.{MS}", tenant="contoso")
    derived = derive("contoso.com", "contoso", COMMERCIAL)
    result = combine("contoso.com", [derived, published, graph])
    assert result.dual_stack_host.source == "graph" and result.ipv4_only_host.source == "graph"
    [conflict] = result.conflicts
    assert conflict.id == "dual-stack-host-conflict" and conflict.severity == "warning"
    assert conflict.message == ("contoso.com dual-stack host: Graph names contoso-com.o-v1.mx.microsoft, but the zone "
                                f"publishes contoso-com.{MS}; using contoso-com.o-v1.mx.microsoft (Graph is "
                                "Microsoft's source of truth (MC1048624)); update the zone (pulumi up) so it publishes "
                                "contoso-com.o-v1.mx.microsoft")
    assert result.ok and result.notes == ()
    given = from_given(COMMERCIAL, dual_stack_host=f"pinned-com.{MS}")
    result = combine("contoso.com", [given, graph])
    assert result.dual_stack_host.source == "given" and result.conflicts[0].chosen == "given"


def test_combine_tenant_conflict_is_an_error():
    graph = SourceResult("graph", f"contoso.{MS}", f"a-com.{MS}", tenant="contoso")
    result = combine("a.com", [graph], given_tenant="fabrikam")
    assert [c.id for c in result.conflicts] == ["tenant-conflict"] and not result.ok


def test_drift_findings():
    plan = plan_mx(domain="contoso.com", tenant="contoso", dual_stack_host=f"contoso-com.{MS}")
    published = mx((0, f"contoso.{MS}"), (10, f"contoso-com.{MS}"))
    assert graph_findings(plan, f"contoso-com.{MS}", published) == []
    [moved] = graph_findings(plan, "contoso-com.o-v1.mx.microsoft", published)
    assert (moved.id, moved.severity) == ("graph-host-moved", "warning")
    [wrong] = graph_findings(plan, f"contoso-com.{MS}", mx((0, f"contoso.{MS}"), (10, f"old-com.{MS}")))
    assert (wrong.id, wrong.severity) == ("graph-host-mismatch", "error")
    assert graph_findings(plan, None, published) == [] and graph_findings(plan, f"x.{MS}", []) == []


def test_lookup_hosts_library_function():
    AccessToken = namedtuple("AccessToken", "token expires_on")

    class Credential:
        def get_token(self, *scopes):
            return AccessToken(TOKEN, time.time() + 3600)

    with GraphStandIn() as graph:
        contoso(graph)
        found = lookup_hosts("Bücher.example.", source="graph", graph_url=graph.url, credential=Credential())
    assert found.domain == "xn--bcher-kva.example" and found.tenant == "contoso"
    assert found.dual_stack_host.host == f"xnbcher-kva-example01c.{MS}" and found.dual_stack_host.source == "graph"
    assert found.ipv4_only_host.host == f"contoso.{MS}" and found.ok
    with pytest.raises(MxSplitError) as info:
        lookup_hosts("contoso.com", source="dns")
    assert info.value.field == "source"


@pytest.mark.parametrize("timeout", [float("nan"), 0, -1, float("inf"), "10", None, True])
def test_lookup_hosts_refuses_an_unusable_timeout_by_its_name_before_asking(monkeypatch, timeout):
    """A Python caller's bad timeout is its mistake, named as it spelt it, not a Graph or DNS failure."""
    from mxsplit_component.dns.options import DnsOptions

    monkeypatch.setenv("MXSPLIT_GRAPH_TOKEN", TOKEN)
    with GraphStandIn() as graph:
        contoso(graph)
        with pytest.raises(MxSplitError, match=r"^timeout .* is not a usable number of seconds") as err:
            lookup_hosts("contoso.com", graph_url=graph.url, timeout=timeout)
        assert err.value.field == "timeout" and graph.requests == []
        with pytest.raises(MxSplitError, match=r"^timeout .* is not a usable number of seconds") as err:
            lookup_hosts("contoso.com", source="published", dns=DnsOptions(timeout=timeout))
        assert err.value.field == "timeout"
