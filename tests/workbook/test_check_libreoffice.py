"""A workbook filled and then saved by LibreOffice Calc must check exactly as before: formulas as
Calc writes them back count as unchanged, sheet and structure protection count as kept, and the
findings of a damaged workbook survive the round trip unchanged."""

from __future__ import annotations

from pathlib import Path

from checkcases import codes, edit, filled, prefilled_bytes
from ogi.form.layout import Layout
from ogi.form.spec import FormSpec
from ogi.workbook.checker import check_workbook
from ogi.workbook.xlsx_reader import normalise_formula


def test_libreoffice_round_trip_checks_the_same(soffice: str, tmp_path: Path, layout: Layout,
                                                spec: FormSpec, new_workbook) -> None:  # type: ignore[no-untyped-def]
    from ogi.files.libreoffice import convert

    src = tmp_path / "src"
    src.mkdir()
    clean = new_workbook(name="src/clean.xlsx")
    filled(clean, layout, seed=21)
    data, _ = prefilled_bytes(spec, seed=22)
    by_ogi = src / "by_ogi.xlsx"
    by_ogi.write_bytes(data)
    damaged = new_workbook(name="src/damaged.xlsx")
    filled(damaged, layout, seed=23, narrative={"on_request": "本年度收到政府信息公开申请999件。"})
    edit(damaged, lambda book: book["表三"].__setitem__("H12", "若干"))  # type: ignore[index]
    files = [clean, by_ogi, damaged]
    before = {p.name: check_workbook(p) for p in files}
    assert before["clean.xlsx"].findings == [] and before["by_ogi.xlsx"].findings == []
    assert codes(before["damaged.xlsx"].findings) == [("NARRATIVE-NUMBER", "正文", "B7"),
                                                      ("VALUE-TEXT", "表三", "H12")]

    out = convert(files, "xlsx:Calc MS Excel 2007 XML", tmp_path / "lo")  # one soffice run
    for path in out:
        after = check_workbook(path)
        first = before[path.name]
        assert codes(after.findings) == codes(first.findings), path.name
        assert after.report.values == first.report.values, path.name
        assert after.report.narrative == first.report.narrative, path.name
        assert after.report.metadata == first.report.metadata, path.name
    assert check_workbook(out[0]).exit_code == 0


def test_ranges_as_libreoffice_writes_them() -> None:
    assert normalise_formula("=SUM('表三'!D7:'表三'!I7)") == normalise_formula("=SUM(表三!$D$7:$I$7)")
    assert normalise_formula("=SUM('表三'!D7:'表二'!I7)") != normalise_formula("=SUM(表三!D7:I7)")
