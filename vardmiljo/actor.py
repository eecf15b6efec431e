"""Who is acting: a member of staff in one assignment, or the system itself."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from vardmiljo.models import Assignment, CareUnit, Patient, Staff


@dataclass(frozen=True)
class Actor:
    staff: Staff
    assignment: Assignment | None
    client_ip: str | None = None
    # The client system or app acting for the staff member (an OAuth client id), recorded
    # in every access-log row so that the log extract names it.
    client: str = ""

    @property
    def unit(self) -> CareUnit | None:
        return self.assignment.unit if self.assignment else None

    @property
    def unit_id(self) -> int | None:
        return self.assignment.unit_id if self.assignment else None

    @cached_property
    def provider_id(self) -> int | None:
        return self.assignment.unit.provider_id if self.assignment else None

    @property
    def role(self) -> str:
        return self.assignment.role if self.assignment else ""

    @property
    def is_system(self) -> bool:
        return self.staff.profession == "system"


def system_actor(name: str = "system") -> Actor:
    """The actor for imports, registry transfers and scheduled jobs."""
    from vardmiljo.models import Staff

    staff, _ = Staff.objects.get_or_create(
        username=f"system.{name}",
        defaults={"first_name": "System", "last_name": name, "profession": Staff.Profession.SYSTEM, "is_active": False},
    )
    return Actor(staff=staff, assignment=None)


@dataclass(frozen=True)
class ResidentActor:
    """A resident (invånare) logged in to the e-services: identified by the
    personnummer claim of the identity provider. Never holds an assignment, so no
    staff access path answers for it (they all require one)."""

    patient: Patient | None  # None only for a refused login that matched no patient
    client_ip: str | None = None

    staff = None
    assignment = None
    is_system = False
    role = ""

    @property
    def unit_id(self) -> None:
        return None

    @property
    def provider_id(self) -> None:
        return None
