from __future__ import annotations

from vardmiljo.actor import Actor, system_actor


def operator_actor(command: str) -> Actor:
    """Management commands act as a named system actor (`system.<command>`)."""
    return system_actor(command)
