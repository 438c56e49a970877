from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OpsConfig(AppConfig):
    """Running the site: backup and restore of the database and the uploaded files."""

    name = "hocvuso.ops"
    verbose_name = _("Vận hành")
