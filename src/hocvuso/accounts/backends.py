"""Authentication by phone or username, area-scoped permissions, and the optional OIDC provider."""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import BaseBackend, ModelBackend
from mozilla_django_oidc.auth import OIDCAuthenticationBackend

from hocvuso.accounts import services
from hocvuso.accounts.authz import Perm, can, has_role
from hocvuso.accounts.models import Role
from hocvuso.accounts.phone import normalise_phone
from hocvuso.places.models import Area


class PhoneOrUsernameBackend(ModelBackend):
    """Accept a Vietnamese phone number in any usual spelling, or a username."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is None or password is None:
            return None
        user_model = get_user_model()
        phone = normalise_phone(username)
        user = None
        if phone:
            user = user_model.objects.filter(phone=phone).first()
        if user is None:
            user = user_model.objects.filter(username__iexact=username.strip()).first()
        if user is None:
            # Spend the same time as a real check so that timing does not reveal the account.
            user_model().set_password(password)
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None


class AreaRoleBackend(BaseBackend):
    """Permissions through the one authorisation check.

    `user.has_perm("village.manage", area)` asks `can`; without an area, only a national admin
    holds a permission, which is how national admins get every model permission in Django admin.
    """

    def has_perm(self, user_obj, perm, obj=None):
        if obj is None:
            return user_obj.is_active and has_role(user_obj, Role.NATIONAL_ADMIN)
        if not isinstance(obj, Area):
            return False
        try:
            return can(user_obj, Perm(perm), obj)
        except ValueError:
            return False

    def has_module_perms(self, user_obj, app_label):
        return user_obj.is_active and has_role(user_obj, Role.NATIONAL_ADMIN)


class OIDCBackend(OIDCAuthenticationBackend):
    """Sign-in through an external OpenID Connect provider.

    The provider's subject identifies the account ("oidc-<sub>"); a phone number links to an
    existing account only when the provider says it verified it, so that nobody takes over an
    account by typing someone else's number at the provider.
    """

    @staticmethod
    def _username(claims) -> str:
        return f"oidc-{claims['sub']}"

    @staticmethod
    def _verified_phone(claims) -> str:
        if claims.get("phone_number_verified") is not True:
            return ""
        return normalise_phone(claims.get("phone_number", ""))

    def verify_claims(self, claims):
        return bool(claims.get("sub"))

    def filter_users_by_claims(self, claims):
        by_subject = self.UserModel.objects.filter(username=self._username(claims))
        if by_subject.exists():
            return by_subject
        if phone := self._verified_phone(claims):
            return self.UserModel.objects.filter(phone=phone)
        return self.UserModel.objects.none()

    def create_user(self, claims):
        return services.create_user(
            username=self._username(claims),
            password=None,
            phone=self._verified_phone(claims),
            full_name=claims.get("name", ""),
        )

    def update_user(self, user, claims):
        if claims.get("name") and not user.full_name:
            user.full_name = claims["name"]
            user.save(update_fields=["full_name"])
        return user
