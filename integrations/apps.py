from django.apps import AppConfig


class IntegrationsConfig(AppConfig):
    name = "integrations"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Registers panels, worklists, outbox handlers and beat jobs.
        from importlib import import_module
        from importlib.util import find_spec

        for mod in ("panels", "handlers"):
            if find_spec(f"integrations.{mod}"):
                import_module(f"integrations.{mod}")
        from integrations.services import registry_objection_set
        from vardmiljo.registry import registry_objection

        registry_objection(registry_objection_set)
