"""Reads of the help app: the warnings and FAQ to show, and the help requests a team may see."""

from django.db.models import QuerySet
from django.http import Http404

from hocvuso.accounts.authz import Perm, scope_q
from hocvuso.accounts.models import User
from hocvuso.assistant.models import Faq, HelpRequest, ScamPattern
from hocvuso.assistant.text import strip_diacritics
from hocvuso.field.models import Visit
from hocvuso.places.models import Area


def current_scams(limit: int | None = None) -> list[ScamPattern]:
    """The published scam patterns, in the editors' order (the first ones on the home page)."""
    patterns = ScamPattern.objects.filter(is_published=True).order_by("position", "id")
    return list(patterns[:limit] if limit else patterns)


def published_faqs() -> list[Faq]:
    """The published FAQ entries, in the editors' order."""
    return list(Faq.objects.filter(is_published=True).order_by("position", "id"))


def help_requests_under(area: Area, *, status: str | None = None) -> QuerySet[HelpRequest]:
    """The help requests of the villages under `area`, open ones first, newest first."""
    requests = HelpRequest.objects.filter(village__path__startswith=area.path).select_related(
        "village", "learner", "lesson__course", "closed_by"
    )
    if status:
        requests = requests.filter(status=status)
    return requests.order_by("status", "-created_at", "-id")


def help_request_for(user: User, pk: int) -> HelpRequest:
    """A help request the user's team may handle; 404 for any other (it holds personal data)."""
    found = (
        HelpRequest.objects.filter(scope_q(user, Perm.RECORD_FIELD_WORK, "village__path"), pk=pk)
        .select_related("village", "learner", "lesson__course", "visit")
        .first()
    )
    if found is None:
        raise Http404
    return found


def visits_for(help_request: HelpRequest, *, limit: int = 30) -> list[Visit]:
    """The recent visits in the request's village, to link the one that solved it."""
    return list(
        Visit.objects.filter(area__path__startswith=help_request.village.path)
        .select_related("household")
        .order_by("-visited_on", "-id")[:limit]
    )


def commune_matching(text: str) -> Area | None:
    """The commune or ward a person typed, by its code or its name, with or without diacritics."""
    typed = (text or "").strip()
    if not typed:
        return None
    communes = Area.objects.filter(level=Area.Level.COMMUNE, is_active=True)
    if typed.isdigit():
        return communes.filter(code=typed.zfill(5)).first()
    wanted = strip_diacritics(typed)
    words = wanted.split()
    candidates = communes.filter(name__icontains=typed.split()[-1])
    for commune in candidates.select_related("parent"):
        name = strip_diacritics(commune.name)
        if name == wanted or name.endswith(" " + wanted) or name.split()[-len(words) :] == words:
            return commune
    # Typed without diacritics: the database cannot compare that, so compare in Python.
    for commune in communes.only("id", "name", "code", "path", "level"):
        name = strip_diacritics(commune.name)
        if name == wanted or name.endswith(" " + wanted):
            return commune
    return None


def villages_of(commune: Area) -> list[Area]:
    """The active villages of a commune, by name."""
    return list(
        Area.objects.filter(parent=commune, level=Area.Level.VILLAGE, is_active=True).order_by(
            "name"
        )
    )
