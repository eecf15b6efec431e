from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VardmiljoConfig(AppConfig):
    name = "vardmiljo"
    verbose_name = _("Vårdmiljö: organisation och åtkomst")
    default_auto_field = "django.db.models.BigAutoField"
