"""Loading framework files: the shipped frameworks, and files rejected whole with the wrong line."""

import json

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError

from hocvuso.skills.models import Crosswalk, Framework, FrameworkItem, Profile, Requirement
from hocvuso.skills.services.frameworks import load_framework_text, load_shipped_frameworks


def _jsonl(*rows) -> str:
    return "\n".join(json.dumps(row, ensure_ascii=False) for row in rows) + "\n"


def _head(**fields):
    return {
        "type": "framework",
        "code": "TEST",
        "version": "1",
        "kind": "competences",
        "name": "Khung thử",
        **fields,
    }


def test_the_shipped_frameworks_have_the_official_shape(frameworks):
    tt02 = Framework.objects.get(code="TT02", is_current=True)
    items = tt02.items
    assert items.filter(kind="domain").count() == 6
    assert items.filter(kind="competence").count() == 24
    assert items.filter(kind="tier").count() == 4
    assert sorted(items.filter(kind="level").values_list("number", flat=True)) == list(range(1, 9))
    tiers = {level.number: level.parent.title for level in items.filter(kind="level")}
    assert tiers == {
        1: "Cơ bản",
        2: "Cơ bản",
        3: "Trung cấp",
        4: "Trung cấp",
        5: "Nâng cao",
        6: "Nâng cao",
        7: "Chuyên sâu",
        8: "Chuyên sâu",
    }
    assert [c.code for c in items.filter(kind="competence").order_by("position")][-3:] == [
        "6.1",
        "6.2",
        "6.3",
    ]
    digcomp = Framework.objects.get(code="DIGCOMP")
    assert digcomp.items.filter(kind="domain").count() == 5
    assert digcomp.items.filter(kind="competence").count() == 21
    links = Crosswalk.objects.select_related("source", "target")
    assert links.count() == 21
    assert all(link.source.code == link.target.code for link in links)
    assert {link.target.framework_id for link in links} == {tt02.pk}
    profiles = Profile.objects.filter(framework__code="QD757")
    assert sorted(profiles.values_list("target_group", flat=True)) == [
        "citizens",
        "officials",
        "students",
        "workers",
    ]


def test_wording_not_checked_against_the_official_text_says_so(frameworks):
    unverified = FrameworkItem.objects.filter(status="unverified")
    assert unverified.filter(framework__code="TT02", kind="competence").count() == 24
    assert all(item.note for item in unverified)
    assert not Profile.objects.exclude(status="unverified").exists()
    assert FrameworkItem.objects.get(framework__code="TT02", kind="domain", code="6").status == (
        "official"
    )


def test_loading_the_shipped_files_again_changes_nothing(frameworks):
    before = FrameworkItem.objects.count(), Requirement.objects.count()
    again = load_shipped_frameworks()
    assert [result.created for result in again] == [False, False, False]
    assert (FrameworkItem.objects.count(), Requirement.objects.count()) == before


def _rejected(text: str) -> list[str]:
    with pytest.raises(ValidationError) as caught:
        load_framework_text(text=text)
    return caught.value.messages


def test_a_missing_parent_rejects_the_whole_file_naming_its_line(db):
    messages = _rejected(
        _jsonl(
            _head(),
            {"type": "domain", "code": "1", "title": "Miền một"},
            {"type": "competence", "code": "1.1", "parent": "1", "title": "Năng lực 1.1"},
            {"type": "competence", "code": "2.1", "parent": "2", "title": "Năng lực 2.1"},
        )
    )
    assert messages[0] == "Tệp bị từ chối, không có gì được nạp."
    assert messages[1] == "Dòng 4: mục cha “2” chưa được khai báo ở các dòng trước."
    assert not Framework.objects.filter(code="TEST").exists()
    assert not FrameworkItem.objects.exists()


def test_a_duplicate_code_is_rejected_with_both_lines(db):
    messages = _rejected(
        _jsonl(
            _head(),
            {"type": "domain", "code": "1", "title": "Miền một"},
            {"type": "competence", "code": "1.1", "parent": "1", "title": "A"},
            {"type": "competence", "code": "1.1", "parent": "1", "title": "B"},
        )
    )
    assert "Dòng 4: mã “1.1” trùng với dòng 3." in messages
    assert not Framework.objects.exists()


def test_a_level_out_of_range_is_rejected(db):
    messages = _rejected(
        _jsonl(
            _head(),
            {"type": "tier", "code": "CB", "title": "Cơ bản"},
            {"type": "level", "code": "9", "parent": "CB", "number": 9, "title": "Mức 9"},
        )
    )
    assert "Dòng 3: mức “9” nằm ngoài phạm vi (1–8)." in messages


def test_a_profile_requiring_a_level_the_framework_lacks_is_rejected(frameworks):
    messages = _rejected(
        _jsonl(
            {
                "type": "framework",
                "code": "QD757",
                "version": "2026",
                "kind": "profiles",
                "name": "Khung thử",
                "based_on": "TT02@2025",
            },
            {"type": "profile", "code": "citizens", "target_group": "citizens", "title": "Dân"},
            {"type": "requirement", "profile": "citizens", "competence": "1.1", "level": 1},
            {"type": "requirement", "profile": "citizens", "competence": "4.2", "level": 12},
            {"type": "requirement", "profile": "nobody", "competence": "4.1", "level": 1},
            {"type": "requirement", "profile": "citizens", "competence": "9.9", "level": 1},
        )
    )
    assert "Dòng 4: mức “12” nằm ngoài phạm vi (1–8)." in messages
    assert "Dòng 5: mục cha “nobody” chưa được khai báo ở các dòng trước." in messages
    assert "Dòng 6: khung TT02 2025 không có năng lực “9.9”." in messages
    assert Framework.objects.get(code="QD757", is_current=True).version == "2025"


def test_broken_json_names_its_line(db):
    messages = _rejected(_jsonl(_head()) + "{không phải json\n")
    assert messages[1].startswith("Dòng 2: không đọc được JSON")


def test_a_loaded_version_cannot_be_changed_in_place(frameworks):
    messages = _rejected(
        _jsonl(
            _head(code="TT02", version="2025"),
            {"type": "domain", "code": "1", "title": "Khác"},
        )
    )
    assert "hãy đặt số phiên bản mới" in messages[1]


def test_a_new_version_becomes_current_and_the_old_one_stays(frameworks):
    result = load_framework_text(
        text=_jsonl(
            _head(code="TT02", version="2026"),
            {"type": "domain", "code": "1", "title": "Khai thác dữ liệu và thông tin"},
            {"type": "competence", "code": "1.1", "parent": "1", "title": "Tìm kiếm"},
        )
    )
    assert result.created
    assert Framework.objects.get(code="TT02", is_current=True).version == "2026"
    assert Framework.objects.filter(code="TT02").count() == 2


def test_the_command_loads_and_reports_and_rejects(db, tmp_path, capsys):
    call_command("load_framework", "--shipped")
    out = capsys.readouterr().out
    assert "TT02 2025 (competences): đã nạp; domain=6, competence=24, tier=4, level=8" in out
    bad = tmp_path / "bad.jsonl"
    bad.write_text(
        _jsonl(_head(), {"type": "competence", "code": "1.1", "parent": "1", "title": "X"}),
        encoding="utf-8",
    )
    with pytest.raises(CommandError, match="Dòng 2: mục cha “1”"):
        call_command("load_framework", str(bad))
