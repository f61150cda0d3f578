"""The sender simulation's public names, where they have always been imported from.

The simulation lives in :mod:`mxsplit_component.simulation`: profiles as data with their
sources, the walk, the inputs (expected or observed) and the text table.
"""

from __future__ import annotations

from .simulation import (
    ACCEPTED,
    AUTH_STATES,
    IPV4,
    IPV6,
    NO_AUTH,
    NO_IPV6,
    NO_PTR,
    PROFILE_IDS,
    PROFILES,
    Attempt,
    Case,
    Delivery,
    HostAddresses,
    Profile,
    expected_addresses,
    reply,
    simulate,
    simulate_case,
    simulation_json,
    simulation_lines,
)

__all__ = ["ACCEPTED", "AUTH_STATES", "IPV4", "IPV6", "NO_AUTH", "NO_IPV6", "NO_PTR", "PROFILES", "PROFILE_IDS",
           "Attempt", "Case", "Delivery", "HostAddresses", "Profile", "expected_addresses", "reply", "simulate",
           "simulate_case", "simulation_json", "simulation_lines"]
