"""Loading the demo data: real localities and one account per role."""

from dataclasses import dataclass

from django.db import transaction

from hocvuso.accounts.demo import DEMO_PASSWORD
from hocvuso.accounts.models import User
from hocvuso.accounts.services import create_user, grant_role
from hocvuso.assistant.demo import load_demo_assistant
from hocvuso.demo.data import COMMUNES, USERS, DemoUser
from hocvuso.field.demo import load_demo_field
from hocvuso.learning.services.catalogue import install_starter_catalogue
from hocvuso.monitoring.demo import load_demo_monitoring
from hocvuso.people.demo import load_demo_people
from hocvuso.places.models import Area
from hocvuso.places.services import LoadResult, create_village, load_administrative_units
from hocvuso.skills.demo import load_demo_skills


@dataclass(frozen=True)
class DemoResult:
    units: LoadResult
    communes: int
    villages_created: int
    villages_existing: int
    users_created: int
    users_existing: int


def _area_of(spec: DemoUser) -> Area:
    if spec.village_of:
        return Area.objects.get(parent__code=spec.village_of, name=spec.area, is_active=True)
    return Area.objects.get(code=spec.area)


@transaction.atomic
def load_demo() -> DemoResult:
    """Load the administrative tree, the demo villages and the demo accounts; idempotent."""
    units = load_administrative_units()

    villages_created = villages_existing = 0
    for spec in COMMUNES:
        commune = Area.objects.get(code=spec.code)
        existing = {
            name.casefold()
            for name in Area.objects.filter(parent=commune, is_active=True).values_list(
                "name", flat=True
            )
        }
        for name in spec.villages:
            if name.casefold() in existing:
                villages_existing += 1
                continue
            create_village(commune=commune, name=name, kind=spec.kind)
            villages_created += 1

    users_created = users_existing = 0
    for spec in USERS:
        area = _area_of(spec)
        user = User.objects.filter(username=spec.username).first()
        if user is None:
            user = create_user(
                username=spec.username,
                password=DEMO_PASSWORD,
                full_name=spec.full_name,
                phone=spec.phone,
                home_area=area,
                roles=[(spec.role, area)],
            )
            users_created += 1
        else:
            # An account kept from an earlier run keeps its password, but gets its role back.
            grant_role(user=user, role=spec.role, area=area)
            users_existing += 1
        if spec.is_staff and not user.is_staff:
            user.is_staff = True
            user.save(update_fields=["is_staff"])

    load_demo_people()
    load_demo_field()
    load_demo_monitoring()
    install_starter_catalogue()
    load_demo_skills()
    load_demo_assistant()
    return DemoResult(
        units=units,
        communes=len(COMMUNES),
        villages_created=villages_created,
        villages_existing=villages_existing,
        users_created=users_created,
        users_existing=users_existing,
    )
