"""Authentication by phone or username, area-scoped permissions, and the optional OIDC provider."""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import BaseBackend, ModelBackend
from mozilla_django_oidc.auth import OIDCAuthenticationBackend

from hocvuso.accounts.authz import Perm, can
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
    """`user.has_perm("village.manage", area)` answers through the one authorisation check."""

    def has_perm(self, user_obj, perm, obj=None):
        if not isinstance(obj, Area):
            return False
        try:
            return can(user_obj, Perm(perm), obj)
        except ValueError:
            return False


class OIDCBackend(OIDCAuthenticationBackend):
    """Sign-in through an external OpenID Connect provider, matched or created by phone number."""

    def filter_users_by_claims(self, claims):
        phone = normalise_phone(claims.get("phone_number", ""))
        if phone:
            return self.UserModel.objects.filter(phone=phone)
        return self.UserModel.objects.filter(username=f"oidc-{claims.get('sub', '')}")

    def create_user(self, claims):
        return self.UserModel.objects.create_user(
            username=f"oidc-{claims['sub']}",
            phone=normalise_phone(claims.get("phone_number", "")) or None,
            full_name=claims.get("name", ""),
        )

    def update_user(self, user, claims):
        if claims.get("name") and not user.full_name:
            user.full_name = claims["name"]
            user.save(update_fields=["full_name"])
        return user
