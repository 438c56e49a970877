"""The demo loads the frameworks, the starter mapping and one confirmed resident, idempotently."""

from hocvuso.demo.services import load_demo
from hocvuso.people.choices import Milestone
from hocvuso.people.models import MilestoneEvent
from hocvuso.skills.demo import load_demo_skills
from hocvuso.skills.models import Certificate, CompetenceMapping, Confirmation, Framework
from hocvuso.skills.services.certificates import verify_code


def test_the_demo_confirms_one_resident_of_thon_sai_luong_once(db):
    load_demo()
    load_demo_skills()
    assert Framework.objects.filter(is_current=True).count() == 3
    assert CompetenceMapping.objects.count() == 117
    confirmation = Confirmation.objects.get()
    assert confirmation.mode == "assisted"
    assert confirmation.assisted_by.username == "demo.totv"
    assert confirmation.resident.village.name == "Thôn Sài Lương"
    assert MilestoneEvent.objects.filter(
        resident=confirmation.resident, milestone=Milestone.CONFIRMED_BASIC_LEVEL
    ).exists()
    assert verify_code(Certificate.objects.get().code).is_valid
