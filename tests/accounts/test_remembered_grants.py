"""Grants are remembered in the session, and a role change or a moved village is seen at once."""

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from hocvuso.accounts.middleware import SESSION_KEY
from hocvuso.accounts.models import Role, RoleAssignment
from hocvuso.accounts.services import grant_role
from hocvuso.places.services import move_village


def _area_page(client, village):
    return client.get(reverse("places:area_detail", args=[village.code]))


def test_a_signed_in_page_reads_the_grants_once_then_from_the_session(
    dong_cuong, make_village, make_user, login
):
    village = make_village(dong_cuong)
    member = make_user(Role.TEAM_MEMBER, village)
    client = login(member)
    assert _area_page(client, village).status_code == 200
    assert client.session[SESSION_KEY][1] == [[Role.TEAM_MEMBER.value, village.path]]

    with CaptureQueriesContext(connection) as queries:
        assert _area_page(client, village).status_code == 200
    assert not [q for q in queries if "accounts_roleassignment" in q["sql"]]


def test_a_revoked_role_is_refused_on_the_next_request(dong_cuong, make_village, make_user, login):
    village = make_village(dong_cuong)
    member = make_user(Role.TEAM_MEMBER, village)
    client = login(member)
    assert _area_page(client, village).status_code == 200

    RoleAssignment.objects.get(user=member).delete()

    assert _area_page(client, village).status_code == 403


def test_a_granted_role_is_honoured_on_the_next_request(
    dong_cuong, tien_lu, make_village, make_user, login
):
    home = make_village(dong_cuong)
    other = make_village(tien_lu)
    member = make_user(Role.TEAM_MEMBER, home)
    client = login(member)
    assert _area_page(client, other).status_code == 403

    grant_role(user=member, role=Role.TEAM_MEMBER, area=other)

    assert _area_page(client, other).status_code == 200


def test_a_moved_village_keeps_its_team_in_scope(
    dong_cuong, tien_lu, make_village, make_user, login
):
    village = make_village(dong_cuong)
    member = make_user(Role.TEAM_MEMBER, village)
    client = login(member)
    assert _area_page(client, village).status_code == 200

    move_village(village=village, to_commune=tien_lu, changed_by=None)
    village.refresh_from_db()

    assert _area_page(client, village).status_code == 200
    assert client.session[SESSION_KEY][1] == [[Role.TEAM_MEMBER.value, village.path]]
