"""The one authorisation check, on the real tree: Đông Cuông (Lào Cai) and Tiên Lữ (Hưng Yên)."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied

from hocvuso.accounts.authz import Perm, authorize, can, scope_q
from hocvuso.accounts.models import Role
from hocvuso.places.models import Area


@pytest.fixture
def villages(dong_cuong, tien_lu, make_village):
    return {"dong_cuong": make_village(dong_cuong), "tien_lu": make_village(tien_lu)}


def _in_scope(user, perm: Perm, *areas: Area) -> set[str]:
    return set(
        Area.objects.filter(scope_q(user, perm), pk__in=[a.pk for a in areas]).values_list(
            "code", flat=True
        )
    )


def test_commune_officer_manages_villages_of_own_commune_only(make_user, dong_cuong, villages):
    officer = make_user(Role.COMMUNE_OFFICER, dong_cuong)
    assert can(officer, Perm.MANAGE_VILLAGES, dong_cuong)
    assert can(officer, Perm.MANAGE_VILLAGES, villages["dong_cuong"])
    assert not can(officer, Perm.MANAGE_VILLAGES, villages["tien_lu"])
    assert not can(officer, Perm.MANAGE_VILLAGES, villages["tien_lu"].parent)
    assert _in_scope(officer, Perm.MANAGE_VILLAGES, *villages.values()) == {
        villages["dong_cuong"].code
    }


def test_commune_officer_is_refused_with_permission_denied_outside_own_commune(
    make_user, dong_cuong, villages
):
    officer = make_user(Role.COMMUNE_OFFICER, dong_cuong)
    authorize(officer, Perm.MANAGE_VILLAGES, villages["dong_cuong"])
    with pytest.raises(PermissionDenied):
        authorize(officer, Perm.MANAGE_VILLAGES, villages["tien_lu"])


def test_commune_officer_does_not_see_the_province_above(make_user, area, dong_cuong):
    officer = make_user(Role.COMMUNE_OFFICER, dong_cuong)
    assert not can(officer, Perm.VIEW_AREA, area("15"))
    assert not can(officer, Perm.VIEW_AREA, area("VN"))


def test_province_officer_manages_every_commune_of_the_province_and_nothing_else(
    make_user, area, dong_cuong, villages
):
    officer = make_user(Role.PROVINCE_OFFICER, area("15"))
    assert can(officer, Perm.MANAGE_VILLAGES, dong_cuong)
    assert can(officer, Perm.MANAGE_VILLAGES, villages["dong_cuong"])
    assert not can(officer, Perm.MANAGE_VILLAGES, area("33"))
    assert not can(officer, Perm.MANAGE_VILLAGES, villages["tien_lu"])
    communes = Area.objects.filter(scope_q(officer, Perm.VIEW_AREA), level=Area.Level.COMMUNE)
    assert communes.exists()
    assert set(communes.values_list("parent__code", flat=True)) == {"15"}


def test_national_admin_may_do_everything_everywhere(make_user, area, dong_cuong, villages):
    admin = make_user(Role.NATIONAL_ADMIN, area("VN"))
    for perm in Perm:
        assert can(admin, perm, villages["tien_lu"])
        assert can(admin, perm, dong_cuong)
        assert can(admin, perm, area("33"))
    assert _in_scope(admin, Perm.MANAGE_VILLAGES, *villages.values()) == {
        v.code for v in villages.values()
    }


def test_learner_may_do_nothing_even_in_own_village(make_user, villages):
    learner = make_user(Role.LEARNER, villages["dong_cuong"])
    for perm in Perm:
        assert not can(learner, perm, villages["dong_cuong"])
    assert not Area.objects.filter(scope_q(learner, Perm.VIEW_AREA)).exists()


def test_content_editor_edits_content_but_cannot_manage_villages(make_user, area, villages):
    editor = make_user(Role.CONTENT_EDITOR, area("VN"))
    assert can(editor, Perm.EDIT_CONTENT, villages["dong_cuong"])
    assert not can(editor, Perm.MANAGE_VILLAGES, villages["dong_cuong"])
    assert not _in_scope(editor, Perm.MANAGE_VILLAGES, *villages.values())


def test_team_member_registers_learners_but_cannot_manage_villages(make_user, dong_cuong, villages):
    member = make_user(Role.TEAM_MEMBER, dong_cuong)
    assert can(member, Perm.REGISTER_LEARNER, villages["dong_cuong"])
    assert not can(member, Perm.REGISTER_LEARNER, villages["tien_lu"])
    assert not can(member, Perm.MANAGE_VILLAGES, villages["dong_cuong"])


def test_inactive_user_loses_every_grant(make_user, dong_cuong, villages):
    officer = make_user(Role.COMMUNE_OFFICER, dong_cuong)
    officer.is_active = False
    officer.save()
    assert not can(officer, Perm.VIEW_AREA, villages["dong_cuong"])


def test_anonymous_user_may_do_nothing(villages):
    assert not can(AnonymousUser(), Perm.VIEW_AREA, villages["dong_cuong"])
    assert not Area.objects.filter(scope_q(AnonymousUser(), Perm.VIEW_AREA)).exists()


def test_user_has_perm_answers_through_the_area_check(make_user, dong_cuong, villages):
    officer = make_user(Role.COMMUNE_OFFICER, dong_cuong)
    assert officer.has_perm(Perm.MANAGE_VILLAGES.value, villages["dong_cuong"])
    assert not officer.has_perm(Perm.MANAGE_VILLAGES.value, villages["tien_lu"])
    assert not officer.has_perm("accounts.view_user")
