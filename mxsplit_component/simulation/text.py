"""The simulation as a text table (from its JSON form, so plan, check and sender share it)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any


def _path(case: Mapping[str, Any]) -> str:
    if case["outcome"] == "varies":
        ends = " | ".join(o["outcome"] + (f" MX {o['attempts'][-1]['preference']}" if o["outcome"] != "deferred"
                                          and o["attempts"] else "") + (f" {o['family']}" if o["family"] else "")
                          for o in case["orders"])
        return f"varies with {case.get('varies_over', 'the sender')}: {ends}"
    if case["attempts"]:
        return " -> ".join(f"MX {a['preference']} {a['family']} {' '.join(a['reply'].split()[:2])}"
                           for a in case["attempts"])
    return str(case.get("reason", ""))


def simulation_lines(cases: Sequence[Mapping[str, Any]]) -> list[str]:
    """One row per profile and authentication state (one row ``any`` when every state of a
    profile ends the same way); the profiles' names follow the table."""
    rows: dict[str, list[tuple[str, str, str]]] = {}
    names: dict[str, str] = {}
    for case in cases:
        names.setdefault(case["profile"], case.get("profile_name", case["profile"]))
        rows.setdefault(case["profile"], []).append((case["auth"], case["outcome"], _path(case)))
    lines = [f"  {'sender':<24}{'auth':<17}{'outcome':<11}path"]
    for profile, mine in rows.items():
        if len(mine) > 1 and len({(o, p) for _, o, p in mine}) == 1:
            mine = [("any", mine[0][1], mine[0][2])]
        lines += [f"  {profile:<24}{auth:<17}{outcome:<11}{path}" for auth, outcome, path in mine]
    if names:
        lines += ["  profiles:", *(f"    {pid:<24}{name}" for pid, name in names.items())]
    return lines
