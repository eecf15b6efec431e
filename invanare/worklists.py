"""The unit inbox's counter in the staff top bar."""

from __future__ import annotations

from invanare.queries import unit_unread_count
from vardmiljo.actor import Actor
from vardmiljo.registry import worklist


@worklist("invanare.inbox", title="Invånarmeddelanden", url_name="resident_inbox")
def unread_messages(actor: Actor) -> int:
    return unit_unread_count(actor)
