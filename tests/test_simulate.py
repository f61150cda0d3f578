"""Sender simulation: each profile and auth state, split and standard, the seed's claims."""

import pytest

from mxsplit_component import MxRecord, plan_mx
from mxsplit_component.simulation import (
    ACCEPTED,
    NO_AUTH,
    NO_IPV6,
    NO_PTR,
    PROFILES,
    HostAddresses,
    expected_addresses,
    simulate,
)

V4, DS = "contoso.mail.protection.outlook.com", "contoso-com.mail.protection.outlook.com"
ADDRS = {V4: HostAddresses(ipv4=("192.0.2.1",)),
         DS: HostAddresses(ipv4=("198.51.100.1",), ipv6=("2001:db8::1", "2001:db8::2", "2001:db8::3"))}
SPLIT = [MxRecord(0, V4), MxRecord(10, DS)]
STANDARD = [MxRecord(0, DS)]


def case(cases, profile, auth):
    return next(c.to_json() for c in cases if c.profile == profile and c.auth == auth)


def path(c):
    return [(a["preference"], a["host"], a["family"], a["reply"]) for a in c["attempts"]]


def test_every_profile_and_auth_state_is_reported():
    cases = simulate(SPLIT, ADDRS)
    assert {(c.profile, c.auth) for c in cases} == {
        (p.id, a) for p in PROFILES for a in ("authenticated", "unauthenticated", "no-ptr")}
    assert all(p.source for p in PROFILES)


# --- the seed's claims --------------------------------------------------------------------
@pytest.mark.parametrize("auth", ["authenticated", "unauthenticated", "no-ptr"])
def test_seed_ipv4_only_sender_stops_at_mx0(auth):
    c = case(simulate(SPLIT, ADDRS), "ipv4-only", auth)
    assert c["outcome"] == "delivered"
    assert path(c) == [(0, V4, "ipv4", ACCEPTED)]


def test_seed_ipv6_only_sender_walks_to_mx10():
    c = case(simulate(SPLIT, ADDRS), "ipv6-only", "authenticated")
    assert c["outcome"] == "delivered" and c["family"] == "ipv6"
    assert path(c) == [(10, DS, "ipv6", ACCEPTED)]


@pytest.mark.parametrize("profile", ["dual-stack-prefer-ipv6", "postfix"])
@pytest.mark.parametrize("auth", ["authenticated", "unauthenticated", "no-ptr"])
def test_seed_dual_stack_sender_speaks_ipv4_to_mx0(profile, auth):
    c = case(simulate(SPLIT, ADDRS), profile, auth)
    assert c["outcome"] == "delivered" and c["family"] == "ipv4"
    assert path(c) == [(0, V4, "ipv4", ACCEPTED)]


# --- what IPv6 senders without authentication get -----------------------------------------
@pytest.mark.parametrize("auth, answer", [("unauthenticated", NO_AUTH), ("no-ptr", NO_PTR)])
def test_ipv6_only_unauthenticated_is_deferred_in_split(auth, answer):
    c = case(simulate(SPLIT, ADDRS), "ipv6-only", auth)
    assert c["outcome"] == "deferred"
    assert [a["reply"] for a in c["attempts"]] == [answer] * 3


# --- standard mode: the problem the split solves -------------------------------------------
def test_standard_dual_stack_prefer_ipv6_unauthenticated_tries_ipv6_first():
    c = case(simulate(STANDARD, ADDRS), "dual-stack-prefer-ipv6", "unauthenticated")
    assert [a["family"] for a in c["attempts"]] == ["ipv6", "ipv6", "ipv6", "ipv4"]
    assert [a["reply"] for a in c["attempts"]][:3] == [NO_AUTH] * 3
    assert c["outcome"] == "delivered" and c["family"] == "ipv4"


def test_standard_postfix_unauthenticated_varies_with_address_preference():
    c = case(simulate(STANDARD, ADDRS), "postfix", "unauthenticated")
    assert c["outcome"] == "varies"
    outcomes = sorted((o["outcome"], o["family"] or "") for o in c["orders"])
    # IPv6 first: two sessions (smtp_mx_session_limit = 2) both get 450 4.7.26 -> deferred.
    assert outcomes == [("deferred", ""), ("delivered", "ipv4")]
    deferred = next(o for o in c["orders"] if o["outcome"] == "deferred")
    assert len(deferred["attempts"]) == 2


def test_standard_postfix_authenticated_delivers_either_way():
    c = case(simulate(STANDARD, ADDRS), "postfix", "authenticated")
    # Delivered in every order; only the family differs, and that is what a user wants to see.
    assert c["outcome"] == "varies"
    assert sorted((o["outcome"], o["family"]) for o in c["orders"]) == [("delivered", "ipv4"), ("delivered", "ipv6")]


def test_standard_ipv4_only():
    c = case(simulate(STANDARD, ADDRS), "ipv4-only", "no-ptr")
    assert path(c) == [(0, DS, "ipv4", ACCEPTED)]


# --- broken states ---------------------------------------------------------------------------
def test_tenant_host_with_aaaa_sends_dual_stack_senders_to_ipv6():
    addrs = dict(ADDRS)
    addrs[V4] = HostAddresses(ipv4=("192.0.2.1",), ipv6=("2001:db8:1::1",))
    c = case(simulate(SPLIT, addrs), "dual-stack-prefer-ipv6", "unauthenticated")
    assert c["attempts"][0]["family"] == "ipv6" and c["attempts"][0]["reply"] == NO_AUTH


def test_domain_without_ipv6_bounces_ipv6_only_senders():
    addrs = {V4: HostAddresses(ipv4=("192.0.2.1",), ipv6=("2001:db8:1::1",)), DS: HostAddresses(ipv4=("198.51.100.1",))}
    c = case(simulate(SPLIT, addrs, domain_ipv6_enabled=False), "ipv6-only", "authenticated")
    assert c["outcome"] == "bounced" and c["attempts"][0]["reply"] == NO_IPV6


def test_no_address_of_the_family_bounces():
    addrs = {V4: HostAddresses(ipv4=("192.0.2.1",)), DS: HostAddresses(ipv4=("198.51.100.1",))}
    c = case(simulate(SPLIT, addrs), "ipv6-only", "authenticated")
    assert c["outcome"] == "bounced" and c["attempts"] == []
    assert "no MX host has an address" in c["reason"]


def test_null_mx_bounces():
    c = case(simulate([MxRecord(0, "")], {}), "ipv4-only", "authenticated")
    assert c["outcome"] == "bounced" and "RFC 7505" in c["reason"]


def test_equal_preferences_enumerate_host_orders():
    records = [MxRecord(10, V4), MxRecord(10, DS)]
    c = case(simulate(records, ADDRS), "dual-stack-prefer-ipv6", "unauthenticated")
    # Exchange/Exim try all IPv6 of the level first regardless of host order: same result.
    assert c["attempts"][0]["family"] == "ipv6"
    c = case(simulate(records, ADDRS), "ipv4-only", "authenticated")
    assert c["outcome"] == "delivered"  # either host delivers over IPv4
    c = case(simulate(records, ADDRS), "postfix", "unauthenticated")
    assert c["outcome"] == "varies"


def test_deterministic():
    assert simulate(SPLIT, ADDRS) == simulate(list(reversed(SPLIT)), ADDRS)


def test_expected_addresses_follow_the_plan():
    plan = plan_mx(domain="contoso.com", tenant="contoso")
    addrs = expected_addresses(plan)
    assert addrs[plan.ipv4_only_host].ipv6 == ()
    assert addrs[plan.dual_stack_host].ipv6 and addrs[plan.dual_stack_host].ipv4


# --- bounded for any MX set -------------------------------------------------------------------
def _hosts(n, v6=True):
    return {f"mx{i}.example": HostAddresses(ipv4=(f"192.0.2.{i}",), ipv6=(f"2001:db8::{i:x}",) if v6 else ())
            for i in range(1, n + 1)}


def test_many_equal_preferences_stay_fast():
    import time

    addrs = _hosts(300)
    records = [MxRecord(10, h) for h in addrs]
    start = time.process_time()
    cases = simulate(records, addrs)
    assert time.process_time() - start < 5  # 8 hosts took ~95 s when every permutation was enumerated
    postfix = case(cases, "postfix", "unauthenticated")
    # IPv6 first: two 450s then the session limit; IPv4 first: delivered. Both are possible.
    assert postfix["outcome"] == "varies"
    assert sorted((o["outcome"], o["family"]) for o in postfix["orders"]) == [("deferred", None), ("delivered", "ipv4")]
    exchange = case(cases, "dual-stack-prefer-ipv6", "unauthenticated")
    assert exchange["outcome"] == "deferred" and len(exchange["attempts"]) == 5


def test_many_preference_levels_stay_fast():
    import time

    addrs = _hosts(300)
    records = [MxRecord(i, h) for i, h in enumerate(addrs)]
    start = time.process_time()
    cases = simulate(records, addrs)
    assert time.process_time() - start < 5
    c = case(cases, "ipv6-only", "no-ptr")
    # No session limit: every IPv6 address of every level answers 450, then the sender gives up.
    assert c["outcome"] == "deferred" and len(c["attempts"]) == 300
    assert [a["preference"] for a in c["attempts"]] == list(range(300))


def test_varies_reports_each_outcome_once_with_a_path():
    # Level 0 has both families, level 10 only IPv6: postfix may deliver over IPv4 at MX 0
    # or spend both sessions on MX 0's IPv6 addresses.
    addrs = {"a.example": HostAddresses(("192.0.2.1",), ("2001:db8::1", "2001:db8::2")),
             "b.example": HostAddresses((), ("2001:db8::b",))}
    c = case(simulate([MxRecord(0, "a.example"), MxRecord(10, "b.example")], addrs), "postfix", "no-ptr")
    assert c["outcome"] == "varies"
    paths = {o["outcome"]: [(a["preference"], a["family"]) for a in o["attempts"]] for o in c["orders"]}
    assert paths == {"delivered": [(0, "ipv4")], "deferred": [(0, "ipv6"), (0, "ipv6")]}


def test_equal_preference_outcome_does_not_depend_on_host_names():
    # Renaming hosts reorders them within the level; outcomes must not change.
    addrs = {"z.example": HostAddresses(("192.0.2.1",), ()), "a.example": HostAddresses((), ("2001:db8::1",))}
    records = [MxRecord(5, "z.example"), MxRecord(5, "a.example")]
    renamed = {"a.example" if h == "z.example" else "z.example": v for h, v in addrs.items()}
    for auth in ("authenticated", "no-ptr"):
        one = case(simulate(records, addrs), "dual-stack-prefer-ipv6", auth)
        two = case(simulate(records, renamed), "dual-stack-prefer-ipv6", auth)
        assert (one["outcome"], one["family"]) == (two["outcome"], two["family"])


# --- profiles as data -------------------------------------------------------------------------
def test_profiles_name_their_sources_and_cover_every_sender_kind():
    from mxsplit_component.simulation import KINDS, profile_for
    from mxsplit_component.simulation.profiles import DOCS, REAL

    assert len({p.id for p in PROFILES}) == len(PROFILES)
    for p in PROFILES:
        assert p.name and p.source and p.verified in (REAL, DOCS)
        assert set(p.usable) <= set(p.lookup) and p.kinds
    for mta in ("postfix", "exim"):
        assert {profile_for(mta, kind).verified for kind in KINDS} == {REAL}
    assert profile_for("exchange-online", "dual-stack-prefer-ipv6").id == "dual-stack-prefer-ipv6"
    assert profile_for("rfc5321", "dual-stack-any").id == "rfc5321-minimum"
    with pytest.raises(KeyError):
        profile_for("exchange-online", "ipv6-only")


def test_json_names_the_profile_and_says_exact_or_varies():
    cases = simulate(STANDARD, ADDRS)
    exact = case(cases, "exim", "unauthenticated")
    assert exact["exact"] is True and exact["profile_name"].startswith("Exim 4.96")
    assert "varies_over" not in exact
    varies = case(cases, "postfix", "unauthenticated")
    assert varies["exact"] is False and "smtp_address_preference = any" in varies["varies_over"]
    assert list(varies)[:2] == ["profile", "auth"]


def _only(cases, profile, auth="unauthenticated"):
    return next(c for c in cases if c.profile == profile and c.auth == auth)


# --- Postfix 3.7 as observed: limits, shuffle, balance ---------------------------------------------
def test_postfix_prefer_ipv6_spends_both_sessions_on_ipv6_in_standard_mode():
    c = case(simulate(STANDARD, ADDRS), "postfix-prefer-ipv6", "unauthenticated")
    assert c["outcome"] == "deferred" and [a["reply"] for a in c["attempts"]] == [NO_AUTH, NO_AUTH]


def test_postfix_any_mixes_families_within_a_level():
    """Seen against real Postfix: MX0/ipv6 450 -> MX0/ipv4 250, a path no family-first order makes."""
    from mxsplit_component.simulation import simulate_case
    from mxsplit_component.simulation.profiles import BY_ID

    addrs = {"a.example": HostAddresses(("192.0.2.1", "192.0.2.2"), ("2001:db8::1", "2001:db8::2"))}
    c = simulate_case([MxRecord(0, "a.example")], addrs, BY_ID["postfix"], "unauthenticated", True)
    assert c.outcome == "varies"
    assert {(o.outcome, o.family) for o in c.orders} == {("delivered", "ipv4"), ("deferred", None)}


def test_refused_connections_use_no_postfix_session_but_count_as_addresses():
    hosts = {f"mx{i}.example": HostAddresses((f"192.0.2.{i}",), ()) for i in range(1, 8)}
    records = [MxRecord(i, h) for i, h in enumerate(hosts)]
    refused = {(h, a.ipv4[0]): "refused" for h, a in list(hosts.items())[:4]}
    c = _only(simulate(records, hosts, reach=refused), "postfix-ipv4-only")
    # Four refused connects, then a session that delivers: the fifth address is the last one tried.
    assert c.outcome == "delivered" and [a.preference for a in c.attempts] == [0, 1, 2, 3, 4]
    refused[("mx5.example", "192.0.2.5")] = "refused"
    c = _only(simulate(records, hosts, reach=refused), "postfix-ipv4-only")
    assert c.outcome == "deferred" and len(c.attempts) == 5  # smtp_mx_address_limit = 5
    assert _only(simulate(records, hosts, reach=refused), "ipv4-only").outcome == "delivered"  # no limit


def test_postfix_balance_keeps_both_families_within_the_address_limit():
    """smtp_balance_inet_protocols: six AAAA at MX 0 cannot crowd out MX 10's A record."""
    addrs = {"v6.example": HostAddresses((), tuple(f"2001:db8::{i}" for i in range(1, 7))),
             "v4.example": HostAddresses(("192.0.2.1",), ())}
    records = [MxRecord(0, "v6.example"), MxRecord(10, "v4.example")]
    refused = {("v6.example", a): "refused" for a in addrs["v6.example"].ipv6}
    c = _only(simulate(records, addrs, reach=refused), "postfix-prefer-ipv6", "authenticated")
    assert c.outcome == "delivered" and c.family == "ipv4"
    assert [a.family for a in c.attempts] == ["ipv6"] * 4 + ["ipv4"]


def test_exim_tries_one_address_of_a_higher_mx_past_hosts_max_try():
    addrs = {"a.example": HostAddresses(tuple(f"192.0.2.{i}" for i in range(1, 7)), ()),
             "b.example": HostAddresses(("198.51.100.1",), ())}
    records = [MxRecord(0, "a.example"), MxRecord(10, "b.example")]
    refused = {("a.example", a): "refused" for a in addrs["a.example"].ipv4}
    c = _only(simulate(records, addrs, reach=refused), "exim-ipv4-only")
    assert c.outcome == "delivered" and [a.preference for a in c.attempts] == [0] * 5 + [10]
    c = _only(simulate(records, addrs, reach=refused), "dual-stack-prefer-ipv6")
    assert c.outcome == "deferred" and len(c.attempts) == 5  # Exchange Online has no such rule


def test_exim_on_an_ipv6_only_host_tries_ipv4_and_defers_rather_than_bounces():
    addrs = {V4: HostAddresses(("192.0.2.1",), ()), DS: HostAddresses(("198.51.100.1",), ())}
    cases = simulate(SPLIT, addrs)
    exim = _only(cases, "exim-ipv6-only", "authenticated")
    assert exim.outcome == "deferred" and {a.reply for a in exim.attempts} == {
        "no route (the sender has no address of this family)"}
    assert _only(cases, "postfix-ipv6-only", "authenticated").outcome == "bounced"


def test_observed_timeouts_fail_the_attempt_and_move_on():
    reach = {(V4, "192.0.2.1"): "timeout"}
    c = _only(simulate(SPLIT, ADDRS, reach=reach), "exim")
    # MX 0 times out; Exim then takes MX 10's AAAA first: three 450s, then IPv4 within 5 tries.
    assert [a.reply.split()[0] for a in c.attempts] == ["connect", "450", "450", "450", "250"]
    assert c.outcome == "delivered" and c.family == "ipv4"


def test_walk_stays_linear_for_every_profile():
    import time

    addrs = _hosts(300)
    records = [MxRecord(i % 3, h) for i, h in enumerate(addrs)]
    reach = {(h, a.ipv4[0]): "refused" for i, (h, a) in enumerate(addrs.items()) if i % 2}
    start = time.process_time()
    cases = simulate(records, addrs, reach=reach)
    assert time.process_time() - start < 5
    assert {c.profile for c in cases} == {p.id for p in PROFILES}


def test_readme_names_every_profile():
    from pathlib import Path

    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text()
    section = readme.split("### The sender simulation", 1)[1].split("\n## ", 1)[0]
    for p in PROFILES:
        assert f"`{p.id}`" in section


def test_plan_names_the_profile_of_every_row_and_says_what_it_routes_over(capsys):
    import json

    from mxsplit_component.cli import main

    assert main(["plan", "contoso.com", "--tenant", "contoso", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    rows = report["simulation"]
    assert report["simulation_note"] == "addresses Microsoft is expected to publish"
    assert {r["profile"] for r in rows} == {p.id for p in PROFILES}
    assert all(r["profile_name"] and isinstance(r["exact"], bool) for r in rows)
    assert main(["plan", "contoso.com", "--tenant", "contoso"]) == 0
    out = capsys.readouterr().out
    assert "Sender simulation (addresses Microsoft is expected to publish)" in out
    assert "    postfix-prefer-ipv6     Postfix 3.7, smtp_address_preference = ipv6\n" in out
