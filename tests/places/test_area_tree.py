from hocvuso.places.models import Area
from hocvuso.places.selectors import areas_above, areas_under
from hocvuso.places.services import load_administrative_units


def test_the_country_has_34_provinces_and_3321_communes(db):
    assert Area.objects.filter(level=Area.Level.PROVINCE).count() == 34
    assert Area.objects.filter(level=Area.Level.COMMUNE).count() == 3321


def test_gso_codes_are_zero_padded(dong_cuong, area):
    assert dong_cuong.name == "Xã Đông Cuông"
    assert dong_cuong.parent.code == "15"
    assert dong_cuong.path == "VN/15/04399/"
    assert area("12364").parent.code == "33"


def test_loading_twice_changes_nothing(db):
    result = load_administrative_units()
    assert (result.created, result.updated) == (0, 0)


def test_areas_under_a_province_are_its_communes_and_villages(dong_cuong, area, make_village):
    village = make_village(dong_cuong, "Thôn Sài Lương")
    lao_cai = area("15")
    under = set(areas_under(lao_cai).values_list("code", flat=True))
    assert {"04399", village.code} <= under
    assert "12364" not in under


def test_areas_above_a_village_climb_to_the_country(dong_cuong, make_village):
    village = make_village(dong_cuong)
    assert [a.code for a in areas_above(village)] == ["VN", "15", "04399"]
