"""`ogi check` through the real command line: several files, exit codes, --json, --strict,
--previous, and a GBK console (Chinese Windows) in a real subprocess."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

import ogi_json
from checkcases import edit, filled, sha256
from ogi.cli import main
from ogi.form.layout import Layout


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory, layout: Layout) -> Path:
    """A county office's inbox: one good workbook, one with errors, one with a warning, one .xls."""
    from conftest import SEED_AGENCY
    from ogi.workbook.xlsx_writer import Agency, WorkbookOptions, build_workbook

    root = tmp_path_factory.mktemp("inbox")
    good = root / "白阳镇.xlsx"
    good.write_bytes(build_workbook(SEED_AGENCY, WorkbookOptions(year=2023)))
    filled(good, layout, seed=2)
    bad = root / "红河镇.xlsx"
    bad.write_bytes(build_workbook(Agency("彭阳县红河镇人民政府", "640425002"), WorkbookOptions(year=2023)))
    filled(bad, layout, seed=4)

    def damage(book: object) -> None:
        book["表三"]["H12"] = "见附件"  # type: ignore[index]
        book["表二"].protection.sheet = False  # type: ignore[index]

    edit(bad, damage)
    warn = root / "城阳乡.xlsx"
    shutil.copy(good, warn)
    edit(warn, lambda book: setattr(book["表四"].protection, "sheet", False))  # type: ignore[index]
    (root / "旧格式.xls").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(2048))
    return root


def invoke(*args: str) -> tuple[int, str]:
    """In-process (fast): ``ogi.cli.main`` exactly as the console script runs it."""
    runner = CliRunner()
    code: int = 0
    with runner.isolation() as streams:
        try:
            main(list(args))
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 2)
        sys.stdout.flush()
        sys.stderr.flush()
        out = "".join(s.getvalue().decode("utf-8") for s in streams[:2] if s is not None)
    return code, out


def test_one_clean_file_exits_0(folder: Path) -> None:
    code, out = invoke("check", str(folder / "白阳镇.xlsx"))
    assert code == 0, out
    assert "白阳镇.xlsx：通过" in out and "彭阳县白阳镇人民政府 2023年度" in out


def test_errors_grouped_by_sheet_with_place_rule_and_fix(folder: Path) -> None:
    path = folder / "红河镇.xlsx"
    before = sha256(path)
    code, out = invoke("check", str(path))
    assert code == 1, out
    lines = out.splitlines()
    assert lines.index("【表二】") < lines.index("【表三】")
    assert any(line.strip().startswith("错误  表三 H12（（三）不予公开·2.其他法律行政法规禁止公开｜法律服务机构）："
                                       "这里应填数字，现在是“见附件”") for line in lines), out
    assert any(line.strip().startswith("处理：请只填阿拉伯数字") for line in lines)
    assert any(line.strip().startswith("警告  表二：工作表保护被取消了") for line in lines), out
    assert lines[-1] == "红河镇.xlsx：有错误，请修改后重新交回 — 1 个错误，1 个警告"
    assert sha256(path) == before


def test_warning_only_exits_0_and_strict_exits_1(folder: Path) -> None:
    path = str(folder / "城阳乡.xlsx")
    assert invoke("check", path)[0] == 0
    code, out = invoke("check", path, "--strict")
    assert code == 1 and "--strict" in out


def test_several_files_highest_code_wins_and_unusable_does_not_stop(folder: Path) -> None:
    files = [str(folder / n) for n in ("白阳镇.xlsx", "旧格式.xls", "红河镇.xlsx", "城阳乡.xlsx")]
    code, out = invoke("check", *files)
    assert code == 2
    assert "旧格式.xls：无法读取（" in out and "另存为" in out
    assert "红河镇.xlsx：有错误" in out and "白阳镇.xlsx：通过" in out and "城阳乡.xlsx：可以使用" in out
    assert out.rstrip().splitlines()[-1] == "共检查 4 个文件：2 个无错误，1 个有错误，1 个无法读取"
    code, _ = invoke("check", *files[:3:2])
    assert code == 1


def test_json_output(folder: Path) -> None:
    code, out = invoke("check", "--json", str(folder / "红河镇.xlsx"), str(folder / "旧格式.xls"))
    assert code == 2
    data = ogi_json.loads(out, "check")
    assert data["schema_version"] == 1 and data["exit_code"] == 2
    first, second = data["results"]
    assert first["type"] == "check"
    assert first["agency_name"] == "彭阳县红河镇人民政府" and first["agency_id"] == "640425002"
    assert (first["errors"], first["warnings"]) == (1, 1)
    err = next(f for f in first["findings"] if f["severity"] == "error")
    assert (err["code"], err["sheet"], err["cell"], err["key"]) == (
        "VALUE-TEXT", "表三", "H12", "t3.deny_law_forbidden.legal_service")
    assert err["row_label"] == "（三）不予公开·2.其他法律行政法规禁止公开"
    assert second["exit_code"] == 2 and "xls" in second["unusable"]


def test_unusable_previous_is_exit_2(folder: Path) -> None:
    code, out = invoke("check", str(folder / "白阳镇.xlsx"), "--previous", str(folder / "没有.xlsx"))
    assert code == 2 and "上年工作簿" in out


def test_usage_errors_exit_2() -> None:
    code, out = invoke("check")
    assert code == 2 and "用法" in out


def test_help_is_chinese() -> None:
    code, out = invoke("check", "--help")
    assert code == 0 and "--previous" in out and "退出码" in out and "严格模式" in out


def test_gbk_console(folder: Path, tmp_path: Path, layout: Layout) -> None:
    """Chinese Windows: stdout is GBK. Text no GBK can show (an emoji in a renamed sheet) must not
    crash the output; everything else reads normally."""
    path = tmp_path / "表情.xlsx"
    shutil.copy(folder / "红河镇.xlsx", path)
    edit(path, lambda book: book.create_sheet("备注😀"))  # type: ignore[attr-defined]
    env = {**os.environ, "PYTHONIOENCODING": "gbk", "PYTHONUTF8": "0"}
    proc = subprocess.run([sys.executable, "-c", "from ogi.cli import main; main()", "check", str(path),
                           str(folder / "旧格式.xls")], capture_output=True, env=env, timeout=120)
    out = proc.stdout.decode("gbk")  # strict: every byte is valid GBK
    err = proc.stderr.decode("gbk")
    assert "Traceback" not in out + err
    assert proc.returncode == 2
    assert "表三 H12（（三）不予公开·2.其他法律行政法规禁止公开｜法律服务机构）" in out
    assert "备注?" in out  # the emoji replaced, the rest intact
    assert "旧格式.xls：无法读取" in out


def test_json_on_a_gbk_console_loses_nothing(folder: Path, tmp_path: Path) -> None:
    path = tmp_path / "表情.xlsx"
    shutil.copy(folder / "白阳镇.xlsx", path)
    edit(path, lambda book: book.create_sheet("备注😀"))  # type: ignore[attr-defined]
    env = {**os.environ, "PYTHONIOENCODING": "gbk", "PYTHONUTF8": "0"}
    proc = subprocess.run([sys.executable, "-c", "from ogi.cli import main; main()", "check", "--json",
                           str(path)], capture_output=True, env=env, timeout=120)
    data = ogi_json.loads(proc.stdout.decode("gbk"), "check")
    assert proc.returncode == 0
    assert data["results"][0]["findings"][0]["sheet"] == "备注😀"


def test_every_message_ogi_writes_is_gbk(spec) -> None:  # type: ignore[no-untyped-def]
    """Catalogue wording and the spec's rule titles as rendered: all encodable on a GBK console."""
    from ogi.form.findings import CATALOGUE
    from ogi.form.output import render_human
    from ogi.form.report import Finding
    from ogi.workbook.checker import CheckResult

    findings = [Finding(e.code, e.severity, e.message, e.hint) for e in CATALOGUE.values()]
    findings += [Finding(r.code, r.severity, r.title + "不成立", r.hint, rule_id=r.id) for r in spec.rules]
    text = render_human([CheckResult(Path("x.xlsx"), None, findings)])
    text.encode("gbk")
    assert "本年制发 - 本年废止" in text
