"""One JSON document for every `--json`, one result shape, every finding code in the catalogue.

Every command's `--json` is run on real files (a workbook generated and filled as a clerk would, a
published report written as text, an unusable file) and validated against the committed schema
(docs/ogi-json.schema.json); the human output and the JSON come from the same results."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from test_check_cli import folder, invoke  # noqa: F401  (folder: the inbox fixture)

import ogi_json
from conftest import SEED_AGENCY

SRC = Path(__file__).resolve().parents[2] / "src" / "ogi"


def test_check_json_validates_and_matches_the_library(folder: Path) -> None:  # noqa: F811
    from ogi.workbook.checker import check_workbooks

    code, out = invoke("check", "--json", str(folder / "白阳镇.xlsx"), str(folder / "旧格式.xls"))
    data = ogi_json.loads(out, "check")
    assert code == data["exit_code"] == 2
    assert [r["type"] for r in data["results"]] == ["check", "check"]
    library = [r.to_dict() for r in check_workbooks([folder / "白阳镇.xlsx", folder / "旧格式.xls"])]
    assert data["results"] == library
    assert data["results"][1]["unusable"] and data["results"][1]["exit_code"] == 2


def test_import_json_validates_with_an_unusable_report_in_the_batch(tmp_path: Path) -> None:
    from conftest import balanced_values
    from ogi.form.report import Report
    from ogi.form.spec import load_spec
    from report_layouts import render

    spec = load_spec("gov_info_2021")
    report = Report(spec.id, spec.version, {"agency_name": SEED_AGENCY.name, "year": "2023"},
                    balanced_values(spec, seed=5), {}, {})
    reports = tmp_path / "年报"
    reports.mkdir()
    (reports / "白阳镇2023.txt").write_text(render(report, "tab"), encoding="utf-8")
    (reports / "坏.pdf").write_bytes(b"%PDF-1.4 broken")
    code, out = invoke("import", str(reports), "--no-workbook", "--json")
    data = ogi_json.loads(out, "import")
    types = {Path(r["file"]).name: r["type"] for r in data["results"]}
    assert types == {"白阳镇2023.txt": "import", "坏.pdf": "unusable"}
    assert code == data["exit_code"] == 2
    done = next(r for r in data["results"] if r["type"] == "import")
    assert done["workbook"] is None and done["kind"] == "text" and done["report"]["metadata"]["year"] == "2023"


def test_status_json_validates(folder: Path) -> None:  # noqa: F811
    code, out = invoke("status", str(folder), "--json", "-q")
    data = ogi_json.loads(out, "status")
    (result,) = data["results"]
    assert code == data["exit_code"] == result["exit_code"]
    assert result["type"] == "status" and sum(result["counts"].values()) >= 1


def test_the_schema_refuses_a_result_without_its_type_fields() -> None:
    doc = {"schema_version": 1, "command": "check", "exit_code": 0,
           "results": [{"type": "check", "file": "a.xlsx", "exit_code": 0, "unusable": None, "errors": 0,
                        "warnings": 0, "explained": 0, "findings": []}]}
    with pytest.raises(AssertionError, match="not valid under any"):
        ogi_json.loads(__import__("json").dumps(doc), "check")


def test_every_finding_code_ogi_builds_is_in_the_catalogue() -> None:
    """Codes written in the source (``make("X")``, ``Finding("X", …)``, ``add("X", …)``) and the spec's
    rule codes: each has a catalogue entry (or is a spec rule, whose wording the spec holds)."""
    from ogi.form.findings import CATALOGUE
    from ogi.form.spec import load_spec

    rule_codes = {r.code for r in load_spec("gov_info_2021").rules}
    pattern = re.compile(r"""(?:make|Finding|add|entry|_finding)\(\s*["']([A-Z][A-Z0-9]*(?:-[A-Z0-9]+)+)["']""")
    found = {m.group(1) for p in SRC.rglob("*.py") for m in pattern.finditer(p.read_text(encoding="utf-8"))}
    assert len(found) > 30
    missing = sorted(found - set(CATALOGUE) - rule_codes)
    assert not missing, missing


def test_a_printed_figure_keeps_its_cause(tmp_path: Path) -> None:
    """The one value parser gives codes: an import finding about an unreadable figure carries the
    parser's code as its cause (in ``detail``), and the sentence stays the same."""
    from conftest import balanced_values
    from ogi.form.report import Report
    from ogi.form.spec import load_spec
    from ogi.importers import import_report
    from ogi.importers.tables import parse_value
    from report_layouts import render

    assert parse_value("12元", "wan_yuan")[1].code == "VALUE-UNIT"  # type: ignore[union-attr]
    assert parse_value("-3", "count")[1].code == "VALUE-NEGATIVE"  # type: ignore[union-attr]
    assert parse_value("1²", "count")[1].code == "VALUE-DIGIT-VARIANT"  # type: ignore[union-attr]
    assert parse_value("——", "count")[1].code == "VALUE-PLACEHOLDER"  # type: ignore[union-attr]
    assert parse_value(" 1234 ", "count") == (1234, None)
    spec = load_spec("gov_info_2021")
    report = Report(spec.id, spec.version, {"agency_name": SEED_AGENCY.name, "year": "2023"},
                    balanced_values(spec, seed=5), {}, {})
    text = render(report, "tab").replace(f"\t{report.values['t3.granted.natural_person']}\t", "\t3.5\t", 1)
    path = tmp_path / "白阳镇2023.txt"
    path.write_text(text, encoding="utf-8")
    found = [f for f in import_report(path).findings if f.code == "IMPORT-NOT-NUMBER"]
    assert found and found[0].detail is not None and found[0].detail["cause"] == "VALUE-FRACTION"
    assert "“3.5”不是整数" in found[0].message
