from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SkillsConfig(AppConfig):
    name = "hocvuso.skills"
    verbose_name = _("Kỹ năng số")
