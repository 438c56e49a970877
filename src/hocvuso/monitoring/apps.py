from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MonitoringConfig(AppConfig):
    name = "hocvuso.monitoring"
    verbose_name = _("Theo dõi, đánh giá")

    def ready(self) -> None:
        from django.apps import apps

        from hocvuso.monitoring import receivers

        if apps.is_installed("hocvuso.skills"):
            receivers.connect_skills()
