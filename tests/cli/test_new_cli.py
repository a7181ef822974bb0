"""`ogi new` through the real CLI entry point: success, and every kind of bad input a county office
produces, each with one clear Chinese line naming the file, exit code 2, no traceback, and no file
(complete, partial or temporary) left behind."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest

from ogi.cli import main
from ogi.files.safe_io import OLE_MAGIC
from ogi.form.layout import layout_for

AGENCY = "彭阳县白阳镇人民政府"
FILE = f"2023年{AGENCY}政府信息公开工作年度报告填报表.xlsx"


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exc:
        main(args)
    out, err = capsys.readouterr()
    return int(exc.value.code or 0), out, err


def all_files(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*")) if folder.exists() else []


def test_one_agency(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "填报表"
    code, stdout, err = run(["new", "--agency", AGENCY, "--year", "2023", "-o", str(out),
                             "--agency-id", "640425001", "--agency-type", "乡镇街道"], capsys)
    assert (code, err) == (0, "")
    assert stdout.strip() == f"已生成：{out / FILE}"
    assert all_files(out) == [FILE]
    wb = openpyxl.load_workbook(out / FILE)
    meta = layout_for().meta_fields
    assert wb["基本信息"][meta["agency_type"].address].value == "乡镇街道"
    assert wb["基本信息"][meta["agency_id"].address].value == "640425001"


@pytest.mark.parametrize(("args", "message"), [
    (["--agency", "", "--year", "2023"], "机关名称不能为空"),
    (["--agency", "   ", "--year", "2023"], "机关名称不能为空"),
    (["--agency", AGENCY, "--year", "2020"], "报告年度 2020 不在 2021–2100 之间"),
    (["--agency", AGENCY, "--year", "3023"], "报告年度 3023 不在 2021–2100 之间"),
    (["--agency", AGENCY, "--year", "二〇二三"], "不是有效的整数"),
    (["--agency", AGENCY], "缺少选项"),
    (["--year", "2023"], "请在 --agency（单个机关）和 --roster（名单）中选择一个"),
    (["--agency", AGENCY, "--agency-type", "乡镇", "--year", "2023"], "机关类型“乡镇”不认识"),
    (["--agency", "局\x07", "--year", "2023"], "控制字符"),
    (["--agency", "某" * 101, "--year", "2023"], "机关名称过长"),
])
def test_bad_arguments(tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str],
                       message: str) -> None:
    out = tmp_path / "o"
    code, stdout, err = run(["new", *args, "-o", str(out)], capsys)
    assert code == 2
    assert message in err
    assert "Traceback" not in err and "Error" not in err and stdout == ""
    assert all_files(tmp_path) == []


def roster_case(tmp_path: Path, name: str) -> tuple[Path, str]:
    """A bad roster file and the words its message must contain."""
    path = tmp_path / name
    if name == "missing.txt":
        return path, "找不到机关名单"
    if name == "empty.txt":
        path.write_bytes(b"")
        return path, "机关名单是空的（0 字节）"
    if name == "blank.txt":
        path.write_text("\n   \n\r\n", encoding="utf-8")
        return path, "名单是空的，没有任何机关"
    if name == "header_only.csv":
        path.write_text("编号,机关名称,机关类型\n", encoding="utf-8")
        return path, "名单是空的，没有任何机关"
    if name == "blank_name.csv":
        path.write_bytes("编号,机关名称,机关类型\r\n001,彭阳县白阳镇人民政府,乡镇街道\r\n\r\n003,,乡镇街道\r\n"
                         .encode("gbk"))
        return path, "第 4 行没有机关名称"
    if name == "bad_type.csv":
        path.write_text("机关名称,机关类型\n彭阳县教育局,单位\n", encoding="utf-8")
        return path, "第 2 行：机关类型“单位”不认识"
    if name == "duplicate_id.csv":
        path.write_text("编号,机关名称\n7,甲局\n8,乙局\n7,丙局\n", encoding="utf-8")
        return path, "第 4 行的编号 7 与第 2 行重复"
    if name == "no_header.csv":
        path.write_text("甲局,1\n乙局,2\n", encoding="utf-8")
        return path, "没有找到“机关名称”"
    if name == "old.xls":
        path.write_bytes(OLE_MAGIC + b"\x00" * 600)
        return path, "另存为” .xlsx"
    if name == "web.xls":
        path.write_text("<table><tr><td>机关名称</td></tr></table>", encoding="utf-8")
        return path, "另存为 .xlsx"
    if name == "broken.xlsx":
        path.write_bytes(b"PK\x03\x04" + b"\x00" * 50)
        return path, "文件已损坏或不完整"
    if name == "binary.txt":
        path.write_bytes(b"\x00\x01\x02 abc")
        return path, "二进制"
    if name == "folder":
        path.mkdir()
        return path, "这是一个文件夹"
    raise AssertionError(name)


@pytest.mark.parametrize("name", ["missing.txt", "empty.txt", "blank.txt", "header_only.csv",
                                  "blank_name.csv", "bad_type.csv", "duplicate_id.csv", "no_header.csv",
                                  "old.xls", "web.xls", "broken.xlsx", "binary.txt", "folder"])
def test_bad_roster(tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str) -> None:
    roster, message = roster_case(tmp_path, name)
    before = all_files(tmp_path)
    out = tmp_path / "out"
    code, stdout, err = run(["new", "--roster", str(roster), "--year", "2023", "-o", str(out)],
                            capsys)
    assert code == 2, err
    assert message in err, err
    assert str(roster) in err  # the message names the file
    assert err.startswith("错误：") and err.count("\n") == 1 and "Traceback" not in err
    assert stdout == ""
    assert all_files(tmp_path) == before  # nothing written, not even the output folder


def test_output_parent_is_a_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    blocker = tmp_path / "not_a_folder"
    blocker.write_text("x", encoding="utf-8")
    for target, message in ((blocker / "sub", "无法创建输出文件夹"), (blocker, "输出位置是一个文件")):
        code, _, err = run(["new", "--agency", AGENCY, "--year", "2023", "-o", str(target)], capsys)
        assert code == 2 and message in err and str(target) in err
        assert "Traceback" not in err
    assert all_files(tmp_path) == ["not_a_folder"]
    assert blocker.read_text(encoding="utf-8") == "x"


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0,
                    reason="root (as in CI) may write into a read-only folder; see test_output_parent_is_a_file")
def test_read_only_folder(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o555)
    try:
        code, _, err = run(["new", "--agency", AGENCY, "--year", "2023", "-o", str(folder)], capsys)
    finally:
        folder.chmod(0o755)
    assert code == 2 and "无法在此文件夹写入文件" in err
    assert all_files(folder) == []


def test_existing_file_kept_without_overwrite(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "o"
    out.mkdir()
    existing = out / FILE
    existing.write_bytes(b"clerk's returned work")
    code, stdout, err = run(["new", "--agency", AGENCY, "--year", "2023", "-o", str(out)], capsys)
    assert code == 2 and "已存在" in err and "--overwrite" in err and stdout == ""
    assert existing.read_bytes() == b"clerk's returned work"
    assert all_files(out) == [FILE]
    code, _, err = run(["new", "--agency", AGENCY, "--year", "2023", "-o", str(out), "--overwrite"],
                       capsys)
    assert code == 0 and err == ""
    assert existing.read_bytes().startswith(b"PK\x03\x04")
    assert all_files(out) == [FILE]


def test_roster_with_one_existing_target_writes_nothing(tmp_path: Path,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    roster = tmp_path / "名单.txt"
    roster.write_text("甲局\n乙局\n丙局\n", encoding="utf-8")
    out = tmp_path / "o"
    out.mkdir()
    (out / "2023年乙局政府信息公开工作年度报告填报表.xlsx").write_bytes(b"old")
    code, _, err = run(["new", "--roster", str(roster), "--year", "2023", "-o", str(out)], capsys)
    assert code == 2 and "1 个文件已存在" in err and "未生成任何文件" in err
    assert all_files(out) == ["2023年乙局政府信息公开工作年度报告填报表.xlsx"]


def test_agency_and_roster_together_is_a_usage_error(tmp_path: Path,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    roster = tmp_path / "名单.txt"
    roster.write_text("甲局\n", encoding="utf-8")
    code, _, err = run(["new", "--agency", AGENCY, "--roster", str(roster), "--year", "2023",
                        "-o", str(tmp_path / "o")], capsys)
    assert code == 2 and err.startswith("用法错误：") and "ogi new --help" in err
    assert not (tmp_path / "o").exists()


# ---- the installed command, as a clerk's shell runs it ------------------------------------------------
def ogi(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    return subprocess.run([sys.executable, "-c", "from ogi.cli import main; main()", *args], cwd=cwd,
                          capture_output=True, text=True, encoding="utf-8", env=env, timeout=120)


def test_subprocess_success_and_failure(tmp_path: Path) -> None:
    done = ogi("new", "--agency", AGENCY, "--year", "2023", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / FILE).is_file()
    again = ogi("new", "--agency", AGENCY, "--year", "2023", cwd=tmp_path)
    assert again.returncode == 2
    assert again.stderr.startswith("错误：") and "已存在" in again.stderr and "Traceback" not in again.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == [FILE]  # no .ogi-*.tmp left


def test_help_is_chinese_and_imports_nothing_heavy(tmp_path: Path) -> None:
    code = (
        "import sys\n"
        "from ogi.cli import main\n"
        "for args in (['--help'], ['new', '--help']):\n"
        "    try:\n"
        "        main(args)\n"
        "    except SystemExit as exc:\n"
        "        assert exc.code == 0, exc.code\n"
        "heavy = sorted(m for m in sys.modules if m.split('.')[0] in\n"
        "               ('openpyxl', 'docxtpl', 'xlsxwriter', 'docx', 'lxml', 'jinja2'))\n"
        "print('HEAVY=' + ','.join(heavy))\n"
    )
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          encoding="utf-8", env=env, cwd=tmp_path, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.rstrip().endswith("HEAVY="), done.stdout[-300:]
    text = done.stdout
    assert "用法：ogi [选项] 命令 [参数]..." in text and "用法：ogi new [选项]" in text
    assert "生成锁定的填报工作簿" in text
    for english in ("Usage:", "Options:", "Commands:", "Show this message", "[required]", "[default:"):
        assert english not in text, english
    assert "[必填]" in text and "[默认：.]" in text
