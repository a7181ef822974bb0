"""The lean openpyxl path and the public ``load_workbook`` fallback (used when openpyxl's internals
differ from 3.1's) read every workbook the same way: same Report, same findings."""

from __future__ import annotations

import pytest

from conftest import balanced_values, fill_workbook, input_values
from ogi.workbook import xlsx_reader


@pytest.mark.parametrize("damage", ["clean", "pasted", "inserted_row"])
def test_fallback_reads_like_the_lean_path(damage: str, new_workbook, layout, spec,  # type: ignore[no-untyped-def]
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    import openpyxl

    path = fill_workbook(new_workbook(), layout, values=input_values(spec, balanced_values(spec, 3)),
                         narrative={"overview": "全年工作概述。\n第二段。"})
    if damage == "pasted":
        fill_workbook(path, layout, raw={("表三", "D7"): "１２", ("表三", "J8"): 7, ("表四", "A7"): None})
    elif damage == "inserted_row":
        wb = openpyxl.load_workbook(path)
        wb["表三"].insert_rows(12)
        wb.save(path)
    lean = xlsx_reader.read_workbook(path)
    monkeypatch.setattr(xlsx_reader, "_lean_reader_supported", lambda: False)
    public = xlsx_reader.read_workbook(path)
    assert public.report == lean.report
    assert public.findings == lean.findings
    if damage != "clean":
        assert lean.findings
