"""`ogi new --previous`: next year's workbooks start from last year's returned ones."""

from __future__ import annotations

import contextlib
import io
from pathlib import Path

import openpyxl
import pytest

from conftest import balanced_values, fill_workbook, input_values, write_roster
from ogi.files.safe_io import OLE_MAGIC
from ogi.form.layout import SHEET_META, layout_for
from ogi.form.report import Value
from ogi.workbook.xlsx_writer import Agency, WorkbookOptions, build_workbook

COLUMNS = ("natural_person", "commercial", "research", "social_welfare", "legal_service", "other_org")


def roster() -> list[Agency]:
    return [Agency("甲镇人民政府", "B001", "乡镇街道"), Agency("乙镇人民政府", "B002", "乡镇街道"),
            Agency("丙局", "", "部门"), Agency("丁镇人民政府", "B004", "乡镇街道"),
            Agency("新设街道办事处", "B005", "乡镇街道")]


def contact(i: int) -> dict[str, str]:
    return {"address": f"某县某路{i}号", "postcode": "756500", "phone": f"0954-55500{i}",
            "email": f"gk{i}@example.cn", "website": "某县人民政府网站", "preparer": f"填报人{i}",
            "publish_date": "2023-01-20"}


def last_year_folder(root: Path) -> tuple[Path, dict[str, dict[str, Value]]]:
    """2022 workbooks: 甲 (balanced), 乙 under an old name (same 编号), 丙 (no 编号, by name),
    丁 out of balance; 新设街道 did not exist last year. Plus a 2021 workbook of 甲 and an .xls."""
    layout = layout_for()
    spec = layout.spec
    folder = root / "2022交回"
    folder.mkdir()
    agencies = roster()
    values: dict[str, dict[str, Value]] = {}
    for i, ag in enumerate(agencies[:4], start=1):
        recorded = Agency("乙镇（旧名）人民政府", ag.id, ag.type) if i == 2 else ag
        path = folder / f"{i}.xlsx"
        path.write_bytes(build_workbook(recorded, WorkbookOptions(year=2022)))
        v = input_values(spec, balanced_values(spec, seed=i))
        for k, col in enumerate(COLUMNS):  # keep 一+二=三+四 with something to carry forward
            v[f"t3.new_received.{col}"] += i + k + 1  # type: ignore[operator]
            v[f"t3.carry_forward.{col}"] += i + k + 1  # type: ignore[operator]
        if i == 4:
            v["t3.carry_forward.research"] = v["t3.carry_forward.research"] + 1  # type: ignore[operator]
        values[ag.name] = v
        fill_workbook(path, layout, values=v, metadata=contact(i),
                      narrative={n.key: "已填写。" for n in spec.narrative})
    old = folder / "更早" / "2021.xlsx"
    old.parent.mkdir()
    old.write_bytes(build_workbook(agencies[0], WorkbookOptions(year=2021)))
    (folder / "旧格式.xls").write_bytes(OLE_MAGIC + b"\x00" * 100)
    return folder, values


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    from ogi.cli import main

    root = tmp_path_factory.mktemp("prefill")
    folder, values = last_year_folder(root)
    roster_file = write_roster(root / "名单.csv", roster())
    out = root / "2023填报表"
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf), pytest.raises(SystemExit) as exc:
        main(["new", "--roster", str(roster_file), "--year", "2023", "--previous", str(folder),
              "-o", str(out), "-q"])
    assert exc.value.code == 0, buf.getvalue()
    files = {}
    for path in out.glob("*.xlsx"):
        for ag in roster():
            if ag.name in path.name:
                files[ag.name] = path
    return values, files, buf.getvalue(), folder


def test_carried_over_prefilled_from_last_years_carry_forward(generated) -> None:  # type: ignore[no-untyped-def]
    values, files, _, _ = generated
    layout = layout_for()
    for name in ("甲镇人民政府", "乙镇人民政府", "丙局", "丁镇人民政府"):
        wb = openpyxl.load_workbook(files[name], data_only=True)
        total = 0
        for col in COLUMNS:
            sheet, addr = layout.address(f"t3.carried_over.{col}")
            expected = values[name][f"t3.carry_forward.{col}"]
            assert expected and wb[sheet][addr].value == expected, (name, col)
            total += expected  # type: ignore[operator]
        sheet, addr = layout.address("t3.carried_over.total")
        assert wb[sheet][addr].value == total  # cached formula result, right on opening
        # Everything else starts at 0 as in any new workbook.
        sheet, addr = layout.address("t3.new_received.natural_person")
        assert wb[sheet][addr].value == 0


def test_contact_fields_carried_over_but_not_publish_date(generated) -> None:  # type: ignore[no-untyped-def]
    _, files, _, _ = generated
    layout = layout_for()
    wb = openpyxl.load_workbook(files["丙局"])
    ws = wb[SHEET_META]
    expected = contact(3)
    for key in ("address", "postcode", "phone", "email", "website", "preparer"):
        assert ws[layout.meta_fields[key].address].value == expected[key], key
    assert ws[layout.meta_fields["publish_date"].address].value is None
    assert ws[layout.meta_fields["year"].address].value == 2023
    assert ws[layout.meta_fields["agency_name"].address].value == "丙局"


def test_new_agency_listed_and_doubts_reported(generated) -> None:  # type: ignore[no-untyped-def]
    _, files, out, _ = generated
    wb = openpyxl.load_workbook(files["新设街道办事处"], data_only=True)
    layout = layout_for()
    sheet, addr = layout.address("t3.carried_over.natural_person")
    assert wb[sheet][addr].value == 0
    assert "以下 1 个机关没有找到上年的工作簿" in out
    assert "  新设街道办事处（编号 B005）" in out
    assert "已按上年工作簿预填 4 个机关" in out
    assert "丁镇人民政府：上年工作簿" in out and "个错误" in out
    assert "旧格式.xls" in out  # unusable files in last year's folder are listed
    assert "2021" in out  # a workbook of another year is not used


def test_prefilled_workbook_passes_the_carry_over_check(generated) -> None:  # type: ignore[no-untyped-def]
    from ogi.workbook.checker import check_report
    from ogi.workbook.xlsx_reader import read_workbook

    _, files, _, folder = generated
    this_year = read_workbook(files["甲镇人民政府"]).report
    last_year = read_workbook(folder / "1.xlsx").report
    assert (this_year.year, last_year.year) == (2023, 2022)
    findings = check_report(this_year, previous=last_year)
    assert not [f for f in findings if f.code == "PREV-CARRY"]
    # The same check does fire on a workbook generated without --previous.
    blank = check_report(read_workbook(files["新设街道办事处"]).report, previous=last_year)
    assert any(f.code == "PREV-CARRY" for f in blank)


def test_single_previous_workbook_for_one_agency(tmp_path: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    from ogi.cli import main

    folder, values = last_year_folder(tmp_path)
    out = tmp_path / "out"
    with pytest.raises(SystemExit) as exc:
        main(["new", "--agency", "乙镇人民政府", "--agency-id", "B002", "--year", "2023",
              "--previous", str(folder / "2.xlsx"), "-o", str(out), "-q"])
    assert exc.value.code == 0
    [path] = list(out.glob("*.xlsx"))
    wb = openpyxl.load_workbook(path, data_only=True)
    sheet, addr = layout_for().address("t3.carried_over.commercial")
    assert wb[sheet][addr].value == values["乙镇人民政府"]["t3.carry_forward.commercial"]
    assert "预填 1 个机关" in capsys.readouterr().out


def test_unusable_single_previous_file_is_refused(tmp_path: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    from ogi.cli import main

    bad = tmp_path / "上年.xls"
    bad.write_bytes(OLE_MAGIC + b"\x00" * 100)
    out = tmp_path / "out"
    with pytest.raises(SystemExit) as exc:
        main(["new", "--agency", "甲镇人民政府", "--year", "2023", "--previous", str(bad),
              "-o", str(out), "-q"])
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert "上年的工作簿无法使用" in err and "另存为" in err
    assert not out.exists() or not list(out.iterdir())


def test_previous_of_the_wrong_year_is_refused(tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    from ogi.cli import main

    path = tmp_path / "2021.xlsx"
    path.write_bytes(build_workbook(Agency("甲镇人民政府"), WorkbookOptions(year=2021)))
    with pytest.raises(SystemExit) as exc:
        main(["new", "--agency", "甲镇人民政府", "--year", "2023", "--previous", str(path),
              "-o", str(tmp_path / "out"), "-q"])
    assert exc.value.code == 2
    assert "2021 年度" in capsys.readouterr().err


def test_prefill_report_uses_spec_pairs() -> None:
    from ogi.county.prefill import carry_pairs, contact_keys, prefill_report
    from ogi.form.report import Report

    spec = layout_for().spec
    assert carry_pairs(spec) == [(f"t3.carried_over.{c}", f"t3.carry_forward.{c}") for c in COLUMNS]
    assert contact_keys(spec) == ["address", "postcode", "phone", "email", "website", "preparer"]
    last = Report(spec.id, spec.version, metadata={"phone": " 123 ", "address": ""},
                  values={"t3.carry_forward.natural_person": 4, "t3.carry_forward.commercial": None})
    report, notes = prefill_report(last, spec)
    assert report.values == {"t3.carried_over.natural_person": 4}
    assert report.metadata == {"phone": "123"}
    assert len(notes) == 5 and any("商业企业" in n for n in notes)
