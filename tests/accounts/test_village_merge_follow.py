from hocvuso.accounts.models import Role, RoleAssignment
from hocvuso.places.services import merge_villages


def test_roles_and_homes_follow_a_merged_village(dong_cuong, make_village, make_user):
    source = make_village(dong_cuong, "Thôn Cũ")
    target = make_village(dong_cuong, "Thôn Mới")
    member = make_user(Role.TEAM_MEMBER, source, home_area=source)
    both = make_user(Role.TEAM_MEMBER, source)
    RoleAssignment.objects.create(user=both, role=Role.TEAM_MEMBER, area=target)

    merge_villages(source=source, target=target, changed_by=None)

    assert list(member.role_assignments.values_list("area__code", flat=True)) == [target.code]
    member.refresh_from_db()
    assert member.home_area == target
    assert list(both.role_assignments.values_list("area__code", flat=True)) == [target.code]
    assert not RoleAssignment.objects.filter(area=source).exists()
