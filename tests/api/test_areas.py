"""GET /api/v1/areas/{code}: the area, its parent and its active children."""


def test_country_has_34_provinces(client, db):
    body = client.get("/api/v1/areas/VN").json()
    assert (body["code"], body["level"], body["parent"]) == ("VN", "country", None)
    assert len(body["children"]) == 34


def test_province_lists_its_communes(client, db):
    body = client.get("/api/v1/areas/15").json()
    assert body["name"] == "Lào Cai"
    assert body["parent"]["code"] == "VN"
    assert "04399" in {child["code"] for child in body["children"]}


def test_commune_has_its_province_as_parent_and_its_villages_as_children(
    client, dong_cuong, make_village
):
    village = make_village(dong_cuong, "Thôn Sài Lương")
    body = client.get("/api/v1/areas/04399").json()
    assert body["name"] == "Xã Đông Cuông"
    assert body["parent"]["code"] == "15"
    assert body["children"] == [
        {"code": village.code, "name": "Thôn Sài Lương", "level": "village", "kind": "thôn"}
    ]


def test_merged_village_points_at_the_village_that_absorbed_it(client, dong_cuong, make_village):
    from hocvuso.places.services import merge_villages

    source, target = make_village(dong_cuong), make_village(dong_cuong)
    merge_villages(source=source, target=target, changed_by=None)
    body = client.get(f"/api/v1/areas/{source.code}").json()
    assert (body["is_active"], body["merged_into"]) == (False, target.code)


def test_unknown_code_is_404(client, db):
    assert client.get("/api/v1/areas/99999").status_code == 404
