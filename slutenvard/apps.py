from django.apps import AppConfig


class SlutenvardConfig(AppConfig):
    name = "slutenvard"
    verbose_name = "Slutenvård"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Registers the worklist counter, the outbox handlers and the downtime section.
        from slutenvard import downtime, handlers, panels  # noqa: F401
