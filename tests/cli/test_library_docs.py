"""docs/library.md's examples are real: run in order in an empty folder, they generate a workbook,
check it, render the report, import it back, and tally the folder, as the document says."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

DOC = Path(__file__).resolve().parents[2] / "docs" / "library.md"


def test_the_library_examples_run(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    blocks = re.findall(r"```python\n(.*?)```", DOC.read_text(encoding="utf-8"), re.S)
    assert len(blocks) >= 6
    namespace: dict[str, object] = {}
    old = os.getcwd()
    os.chdir(tmp_path)
    try:
        for block in blocks:
            exec(compile(block, str(DOC), "exec"), namespace)
    finally:
        os.chdir(old)
    assert "有错误，请修改后重新交回 — 12 个错误" in capsys.readouterr().out  # render_result's summary line
    assert (tmp_path / "进度.xlsx").is_file() and (tmp_path / "汇总.xlsx").is_file()
    assert list((tmp_path / "导入").glob("*.xlsx"))
    # Every result the examples made fits the one JSON document (a web page can serve any of them).
    import json

    import ogi_json
    from ogi.form.results import json_document

    for name in ("made", "result", "outcome", "imported", "status", "summary", "batch", "sent"):
        result = namespace[name]
        doc = ogi_json.loads(json.dumps(json_document(name, [result])), name)  # type: ignore[list-item]
        assert doc["results"][0]["type"] == type(result).result_type  # type: ignore[attr-defined]


def test_every_library_call_the_cli_makes_is_documented() -> None:
    """Each CLI module's library call is named in docs/library.md."""
    text = DOC.read_text(encoding="utf-8")
    cli = Path(__file__).resolve().parents[2] / "src" / "ogi" / "cli"
    calls = {"check.py": "check_returns", "import_.py": "plan_imports", "status.py": "folder_status",
             "summary.py": "summarise_folder", "new.py": "new_workbooks", "fill.py": "fill_returns",
             "feedback.py": "feedback_folder", "init.py": "init_year", "archive.py": "verify_archive",
             "serve.py": "missing_extra"}
    for module, call in calls.items():
        assert call in (cli / module).read_text(encoding="utf-8"), module
        assert "`ogi." in text and call in text, call
