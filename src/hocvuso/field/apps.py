from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FieldConfig(AppConfig):
    name = "hocvuso.field"
    verbose_name = _("Công tác cơ sở")

    def ready(self) -> None:
        from hocvuso.field import receivers  # noqa: F401
