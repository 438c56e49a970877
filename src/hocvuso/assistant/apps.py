from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssistantConfig(AppConfig):
    name = "hocvuso.assistant"
    verbose_name = _("Trợ giúp và cảnh báo lừa đảo")

    def ready(self) -> None:
        from hocvuso.assistant import receivers  # noqa: F401
