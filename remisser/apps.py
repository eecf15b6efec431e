from django.apps import AppConfig


class RemisserConfig(AppConfig):
    name = "remisser"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Registers panels, worklists, outbox handlers and beat jobs.
        from importlib import import_module
        from importlib.util import find_spec

        for mod in ("panels", "handlers", "downtime"):
            if find_spec(f"remisser.{mod}"):
                import_module(f"remisser.{mod}")
