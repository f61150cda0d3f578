"""Real Postfix 3.7 and Exim 4.96 against the simulation's profiles.

Every scenario runs in its own network namespace (BIND, Exchange-like sinks on 127.0.x.y and
2001:db8::/32, ``mxsplit check --smtp``, then the MTAs); all of them at once, each bounded by
``run_scenario``'s timeout. For each scenario, MTA and sender kind, what the MTA did (read
from its own log) must be among the outcomes mxsplit's matching profile predicts from the
check's own observations, and equal to it where the profile says the result is exact.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from mxsplit_component.simulation import profile_for
from tests.support.mta import (
    DOMAIN,
    DS_HOST,
    SCENARIOS,
    SENDER_KINDS,
    V4_HOST,
    Outcome,
    exim_outcome,
    postfix_outcome,
    require_mtas,
    run_scenario,
)

Key = tuple[str, str | None, int | None]


@pytest.fixture(scope="module")
def runs() -> dict[tuple[str, bool], dict[str, Any]]:
    require_mtas()
    jobs = [(name, v6only) for name in SCENARIOS for v6only in (False, True)]
    with ThreadPoolExecutor(len(jobs)) as pool:
        return dict(zip(jobs, pool.map(lambda job: run_scenario(job[0], v6only=job[1]), jobs), strict=True))


def _predicted(case: dict[str, Any]) -> set[Key]:
    ends = case["orders"] if case["outcome"] == "varies" else [case]
    return {(e["outcome"], e["family"], e["attempts"][-1]["preference"] if e["outcome"] != "deferred"
             and e["attempts"] else None) for e in ends}


def _actual(outcome: dict[str, Any], scenario: str) -> Key:
    did = Outcome(**outcome)
    if did.outcome == "delivered":
        assert did.host is not None
        return "delivered", did.family, SCENARIOS[scenario].preference_of(did.host)
    return did.outcome, None, None


@pytest.mark.parametrize("kind", SENDER_KINDS)
@pytest.mark.parametrize("mta", ["postfix", "exim"])
@pytest.mark.parametrize("scenario", list(SCENARIOS))
def test_the_mta_does_what_its_profile_predicts(runs, scenario, mta, kind):
    report = runs[(scenario, False)]["check"]
    did = next(o for o in runs[(scenario, kind == "ipv6-only")]["outcomes"] if o["mta"] == mta and o["kind"] == kind)
    profile = profile_for(mta, kind)
    assert report["simulation"], report["simulation_note"]
    # The sinks answer IPv6 like Exchange Online answers a sender without SPF/DKIM.
    case = next(c for c in report["simulation"] if c["profile"] == profile.id and c["auth"] == "unauthenticated")
    assert case["profile_name"] == profile.name
    predicted, actual = _predicted(case), _actual(did, scenario)
    why = f"{mta} {kind} in {scenario}: log says {did}; {profile.id} predicts {case}"
    assert actual in predicted, why
    if case["exact"]:
        assert {actual} == predicted, why


def test_every_scenario_was_observed_by_the_check(runs):
    """The predictions come from what check saw in the namespace: its probes found the broken addresses."""
    for name, scenario in SCENARIOS.items():
        report = runs[(name, False)]["check"]
        bad = {(p["host"], p["family"]) for p in report["smtp"]["probes"] if p["outcome"] != "ok"}
        assert bad == set(scenario.broken), name
        assert report["simulation_note"] == "addresses as published, SMTP as probed"
        assert (any(f["id"] == "smtp-unreachable" for f in report["findings"])) is bool(scenario.broken)


def test_the_split_keeps_dual_stack_senders_on_ipv4_and_standard_mode_does_not(runs):
    """The seed's claim, by real MTAs: Postfix preferring IPv6 delivers over IPv4 at MX 0 in the
    split, and is deferred (two IPv6 sessions, 450 4.7.26 each) in standard mode."""
    def did(scenario: str) -> dict[str, Any]:
        return next(o for o in runs[(scenario, False)]["outcomes"]
                    if o["mta"] == "postfix" and o["kind"] == "dual-stack-prefer-ipv6")

    split, standard = did("split"), did("standard")
    assert (split["outcome"], split["host"]) == ("delivered", V4_HOST) and ":" not in split["address"]
    assert (standard["outcome"], standard["host"]) == ("deferred", DS_HOST) and "450 4.7.26" in standard["detail"]


# --- the log readers, on lines the MTAs wrote in these runs -----------------------------------------
def test_postfix_log_lines_are_read():
    log = (f"Dec 02 06:03:15 sender postfix/smtp[48]: B5: to=<ipv6-only@{DOMAIN}>, relay={DS_HOST}[2001:db8:2::3]:25, "
           "delay=0.1, delays=0/0/0/0, dsn=4.7.26, status=deferred (host x said: 450 4.7.26 no (in reply to RCPT TO "
           "command))\n"
           f"Dec 02 06:03:15 sender postfix/smtp[49]: B6: to=<ipv4-only@{DOMAIN}>, relay={V4_HOST}[127.0.1.2]:25, "
           "delay=0.04, delays=0.02/0.01/0/0, dsn=2.6.0, status=sent (250 2.6.0 Queued mail for delivery)\n"
           f"Dec 02 06:03:15 sender postfix/smtp[50]: B7: to=<dual-stack-any@{DOMAIN}>, relay=none, delay=0, "
           "delays=0/0/0/0, dsn=5.4.4, status=bounced (Host or domain name not found)\n")
    assert postfix_outcome(log, "ipv6-only") == Outcome("postfix", "ipv6-only", "deferred", DS_HOST, "2001:db8:2::3",
                                                        "host x said: 450 4.7.26 no (in reply to RCPT TO command)")
    assert postfix_outcome(log, "ipv4-only").family == "ipv4"
    assert postfix_outcome(log, "dual-stack-any").outcome == "bounced"
    assert postfix_outcome(log, "dual-stack-prefer-ipv4").outcome == "none"


def test_exim_log_lines_are_read():
    log = (f"2026-12-02 06:03:15 1xYd-0003 => dual-stack-any@{DOMAIN} R=dnslookup T=remote_smtp H={V4_HOST} "
           "[127.0.1.2] C=\"250 2.6.0 Queued mail for delivery\"\n"
           f"2026-12-02 06:03:15 1xYe-0003 == ipv6-only@{DOMAIN} R=dnslookup T=remote_smtp defer (101): Network is "
           "unreachable\n")
    delivered = exim_outcome(log, "dual-stack-any")
    assert (delivered.outcome, delivered.host, delivered.family) == ("delivered", V4_HOST, "ipv4")
    deferred = exim_outcome(log, "ipv6-only")
    assert (deferred.outcome, deferred.host, deferred.family) == ("deferred", None, None)
    assert exim_outcome(log, "ipv4-only").outcome == "none"


def test_missing_mtas_fail_rather_than_skip(monkeypatch, tmp_path):
    from tests.support import mta

    monkeypatch.setattr(mta, "MTA_ROOT", tmp_path)
    for ci in ("true", ""):
        monkeypatch.setenv("CI", ci)
        with pytest.raises(pytest.fail.Exception, match="run scripts/ensure-mtas"):
            require_mtas()
