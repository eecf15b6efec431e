from django.apps import AppConfig


class DriftstoppConfig(AppConfig):
    name = "driftstopp"
    verbose_name = "Driftstopp"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Registers the beat job and the /healthz check.
        from driftstopp import handlers  # noqa: F401
