from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PeopleConfig(AppConfig):
    name = "hocvuso.people"
    verbose_name = _("Người dân và hộ gia đình")

    def ready(self) -> None:
        from hocvuso.people import receivers  # noqa: F401
