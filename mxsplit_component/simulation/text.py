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
    """One row per profile and authentication state; the profiles' names follow the table."""
    lines = [f"  {'sender':<24}{'auth':<17}{'outcome':<11}path"]
    names: dict[str, str] = {}
    for case in cases:
        names.setdefault(case["profile"], case.get("profile_name", case["profile"]))
        lines.append(f"  {case['profile']:<24}{case['auth']:<17}{case['outcome']:<11}{_path(case)}")
    if names:
        lines += ["  profiles:", *(f"    {pid:<22}{name}" for pid, name in names.items())]
    return lines
