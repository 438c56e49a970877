"""Pages of the accounts app: login, profile, and registering a learner on their behalf."""

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render

from hocvuso.accounts.authz import Perm, scope_paths
from hocvuso.accounts.demo import DEMO_PASSWORD
from hocvuso.accounts.forms import AssistedRegistrationForm, LoginForm
from hocvuso.accounts.models import User
from hocvuso.accounts.phone import mask_phone
from hocvuso.accounts.selectors import (
    assisted_learner,
    demo_accounts,
    role_assignments_of,
    villages_for_registration,
)
from hocvuso.accounts.services import AccountError, register_assisted_learner


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["oidc_enabled"] = settings.OIDC_ENABLED
        context["oidc_provider_name"] = settings.OIDC_PROVIDER_NAME
        if settings.HOCVUSO_SHOW_DEMO_ACCOUNTS:
            context["demo_accounts"] = demo_accounts()
            context["demo_password"] = DEMO_PASSWORD
        return context


@login_required
def profile(request):
    user = request.user
    return render(
        request,
        "accounts/profile.html",
        {
            "masked_phone": mask_phone(user.phone or ""),
            "assignments": role_assignments_of(user),
            "nav_current": "profile",
        },
    )


@login_required
def register_assisted(request):
    if not scope_paths(request.user, Perm.REGISTER_LEARNER):
        raise PermissionDenied
    villages = villages_for_registration(request.user)
    form = AssistedRegistrationForm(request.POST or None, villages=villages)
    if request.method == "POST" and form.is_valid():
        try:
            learner = register_assisted_learner(registered_by=request.user, **form.cleaned_data)
        except AccountError as error:
            form.add_error(error.field, str(error))
        else:
            return redirect("accounts:register_assisted_done", pk=learner.pk)
    return render(
        request,
        "accounts/register_assisted.html",
        {"form": form, "has_villages": villages.exists(), "nav_current": "register_assisted"},
    )


@login_required
def register_assisted_done(request, pk: int):
    try:
        learner = assisted_learner(registered_by=request.user, pk=pk)
    except User.DoesNotExist:
        raise Http404 from None
    return render(
        request,
        "accounts/register_assisted_done.html",
        {
            "learner": learner,
            "masked_phone": mask_phone(learner.phone or ""),
            "nav_current": "register_assisted",
        },
    )
