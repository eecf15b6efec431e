from django.apps import AppConfig


class InvanareConfig(AppConfig):
    name = "invanare"
    verbose_name = "Invånartjänster"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from invanare import worklists  # noqa: F401  (registers the inbox counter)
