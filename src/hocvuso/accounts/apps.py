from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "hocvuso.accounts"
    verbose_name = _("Tài khoản và vai trò")

    def ready(self) -> None:
        from hocvuso.accounts import receivers  # noqa: F401
