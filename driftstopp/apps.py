from django.apps import AppConfig


class DriftstoppConfig(AppConfig):
    name = "driftstopp"
    verbose_name = "Driftstopp"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Registers the beat job, the /healthz check and the top bar's counter.
        from driftstopp import handlers, panels  # noqa: F401
