from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LearningConfig(AppConfig):
    name = "hocvuso.learning"
    verbose_name = _("Học tập")
