from django.apps import AppConfig


class InvanareConfig(AppConfig):
    name = "invanare"
    verbose_name = "Invånartjänster"
    default_auto_field = "django.db.models.BigAutoField"
