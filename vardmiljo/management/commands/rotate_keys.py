from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction
from tqdm import tqdm

from vardmiljo.fields import fernet
from vardmiljo.models import Patient


class Command(BaseCommand):
    help = (
        "Re-encrypt every encrypted field with the first key in FIELD_ENCRYPTION_KEYS. Rotation: put the new "
        "key first, keep the old ones after it, run this, then remove the old keys."
    )

    def handle(self, *args: Any, **opts: Any) -> None:
        f = fernet()
        qs = Patient.objects.exclude(address="").values_list("pk", flat=True)
        ids = list(qs)
        done = 0
        from django.db import connection

        for start in tqdm(range(0, len(ids), 1000), desc="Omkrypterar", unit="batch", disable=not ids):
            chunk = ids[start : start + 1000]
            with transaction.atomic(), connection.cursor() as cur:
                cur.execute("SELECT id, address FROM vardmiljo_patient WHERE id = ANY(%s) FOR UPDATE", [chunk])
                for pk, token in cur.fetchall():
                    if token:
                        cur.execute(
                            "UPDATE vardmiljo_patient SET address = %s WHERE id = %s", [f.rotate(token.encode()).decode(), pk]
                        )
                        done += 1
        self.stdout.write(self.style.SUCCESS(f"{done} fält omkrypterade med den första nyckeln."))
