"""Remember a signed-in user's grants in their session, so that a page costs no query for them."""

from hocvuso.accounts.authz import remember_grants

SESSION_KEY = "_hocvuso_grants"


class RememberedGrantsMiddleware:
    """Put the grants kept in the session on the user; read them again when roles_version moved.

    Sits after AuthenticationMiddleware. The session is read on every signed-in request anyway;
    a stale copy cannot outlive a role change, because every change bumps `User.roles_version`.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if user.is_authenticated:
            stored = request.session.get(SESSION_KEY)
            fresh = remember_grants(user, stored)
            if fresh is not None:
                request.session[SESSION_KEY] = fresh
        return self.get_response(request)
