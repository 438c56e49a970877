from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlacesConfig(AppConfig):
    name = "hocvuso.places"
    verbose_name = _("Địa bàn hành chính")
