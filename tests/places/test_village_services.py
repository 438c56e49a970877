"""Renaming, merging and moving villages: the code stays, the history is kept, bad input changes nothing."""

import pytest

from hocvuso.accounts.models import Role
from hocvuso.places.models import Area, AreaChange
from hocvuso.places.selectors import areas_under, village_history
from hocvuso.places.services import (
    VillageError,
    create_village,
    merge_villages,
    move_village,
    rename_village,
)
from hocvuso.places.signals import village_merged, village_moved


@pytest.fixture
def officer(make_user, dong_cuong):
    return make_user(Role.COMMUNE_OFFICER, dong_cuong, full_name="Nguyễn Thị Hoa")


@pytest.fixture
def received():
    """Collects the keyword arguments of village_merged and village_moved while a test runs."""
    calls: dict[str, list[dict]] = {"merged": [], "moved": []}

    def on_merged(sender, **kwargs):
        calls["merged"].append(kwargs)

    def on_moved(sender, **kwargs):
        calls["moved"].append(kwargs)

    village_merged.connect(on_merged)
    village_moved.connect(on_moved)
    yield calls
    village_merged.disconnect(on_merged)
    village_moved.disconnect(on_moved)


def test_new_village_gets_a_platform_code_and_a_created_record(dong_cuong, officer):
    village = create_village(commune=dong_cuong, name="  Thôn   Sài Lương ", changed_by=officer)
    assert village.code.startswith("V") and len(village.code) == 8
    assert village.name == "Thôn Sài Lương"
    assert village.path == f"VN/15/04399/{village.code}/"
    change = village.changes.get()
    assert (change.action, change.changed_by, change.new_parent) == ("created", officer, dong_cuong)


def test_village_kind_is_spelled_officially_and_unknown_kinds_are_refused(dong_cuong):
    assert create_village(commune=dong_cuong, name="Bản Khe Lếch", kind="BAN").kind == "bản"
    with pytest.raises(VillageError, match="Loại"):
        create_village(commune=dong_cuong, name="Khu Mới", kind="khu dân cư")
    assert not Area.objects.filter(name="Khu Mới").exists()


def test_rename_keeps_the_code_and_records_old_and_new_names(dong_cuong, make_village, officer):
    village = make_village(dong_cuong, "Thôn Cũ")
    code = village.code
    rename_village(village=village, name="Thôn Mới", changed_by=officer)
    village.refresh_from_db()
    assert (village.code, village.name) == (code, "Thôn Mới")
    change = village.changes.filter(action=AreaChange.Action.RENAMED).get()
    assert (change.old_name, change.new_name, change.changed_by) == ("Thôn Cũ", "Thôn Mới", officer)


def test_rename_to_a_name_taken_in_the_commune_is_refused_whatever_the_case(
    dong_cuong, make_village, officer
):
    make_village(dong_cuong, "Thôn Sài Lương")
    village = make_village(dong_cuong, "Thôn Khác")
    with pytest.raises(VillageError, match="đã có thôn tên"):
        rename_village(village=village, name="THÔN  SÀI LƯƠNG", changed_by=officer)
    village.refresh_from_db()
    assert village.name == "Thôn Khác"
    assert not village.changes.filter(action=AreaChange.Action.RENAMED).exists()


def test_rename_to_an_empty_name_is_refused(dong_cuong, make_village, officer):
    village = make_village(dong_cuong, "Thôn Một")
    with pytest.raises(VillageError, match="không được để trống"):
        rename_village(village=village, name="   ", changed_by=officer)


def test_same_name_with_other_diacritics_is_a_different_village(dong_cuong, make_village):
    make_village(dong_cuong, "Thôn Quẵng")
    assert make_village(dong_cuong, "Thôn Quang").name == "Thôn Quang"


def test_merge_deactivates_the_source_points_it_at_the_target_and_signals(
    dong_cuong, make_village, officer, received
):
    source = make_village(dong_cuong, "Thôn Làng Mới")
    target = make_village(dong_cuong, "Thôn Sài Lương")
    merge_villages(source=source, target=target, changed_by=officer)
    source.refresh_from_db()
    assert source.is_active is False
    assert source.merged_into == target
    assert source.code.startswith("V")
    change = source.changes.get(action=AreaChange.Action.MERGED)
    assert (change.merged_into, change.changed_by) == (target, officer)
    assert received["merged"] == [{"signal": village_merged, "source": source, "target": target}]
    assert list(village_history(target).filter(action="merged")) == [change]


def test_merge_across_communes_is_refused(dong_cuong, tien_lu, make_village, officer, received):
    source = make_village(dong_cuong)
    target = make_village(tien_lu)
    with pytest.raises(VillageError, match="cùng một xã"):
        merge_villages(source=source, target=target, changed_by=officer)
    source.refresh_from_db()
    assert source.is_active
    assert received["merged"] == []


def test_merge_into_itself_or_into_a_merged_village_is_refused(dong_cuong, make_village, officer):
    first, second, third = (make_village(dong_cuong) for _ in range(3))
    with pytest.raises(VillageError):
        merge_villages(source=first, target=first, changed_by=officer)
    merge_villages(source=second, target=third, changed_by=officer)
    with pytest.raises(VillageError, match="đã được sáp nhập"):
        merge_villages(source=first, target=second, changed_by=officer)


def test_move_changes_parent_and_path_keeps_the_code_and_both_communes_in_history(
    dong_cuong, area, make_village, officer, received
):
    khao_mang = area("04465")
    village = make_village(dong_cuong, "Thôn Sài Lương")
    code = village.code
    move_village(village=village, to_commune=khao_mang, changed_by=officer)
    village.refresh_from_db()
    assert village.code == code
    assert village.parent == khao_mang
    assert village.path == f"VN/15/04465/{code}/"
    assert village in areas_under(khao_mang)
    assert village not in areas_under(dong_cuong)
    change = village.changes.get(action=AreaChange.Action.MOVED)
    assert (change.old_parent, change.new_parent) == (dong_cuong, khao_mang)
    assert village.changes.filter(action=AreaChange.Action.CREATED, new_parent=dong_cuong).exists()
    assert received["moved"][0]["old_commune"] == dong_cuong
    assert received["moved"][0]["new_commune"] == khao_mang


def test_move_into_a_commune_with_a_village_of_the_same_name_is_refused(
    dong_cuong, tien_lu, make_village, officer
):
    make_village(tien_lu, "Thôn Trung")
    village = make_village(dong_cuong, "thôn trung")
    with pytest.raises(VillageError):
        move_village(village=village, to_commune=tien_lu, changed_by=officer)
    village.refresh_from_db()
    assert village.parent == dong_cuong


def test_move_to_the_same_commune_or_to_a_province_is_refused(
    dong_cuong, area, make_village, officer
):
    village = make_village(dong_cuong)
    with pytest.raises(VillageError):
        move_village(village=village, to_commune=dong_cuong, changed_by=officer)
    with pytest.raises(VillageError):
        move_village(village=village, to_commune=area("15"), changed_by=officer)
