from django.apps import AppConfig


class JournalConfig(AppConfig):
    name = "journal"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Registers panels, worklists, outbox handlers and beat jobs.
        from importlib import import_module
        from importlib.util import find_spec

        for mod in ("panels", "handlers", "downtime"):
            if find_spec(f"journal.{mod}"):
                import_module(f"journal.{mod}")
