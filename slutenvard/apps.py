from django.apps import AppConfig


class SlutenvardConfig(AppConfig):
    name = "slutenvard"
    verbose_name = "Slutenvård"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Registers the worklist counter and the outbox handlers.
        from slutenvard import handlers, panels  # noqa: F401
