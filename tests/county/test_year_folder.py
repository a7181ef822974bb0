"""The year folder: `ogi init`, `ogi archive` and its verification, the folder lock."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from ogi.county import year as yearmod

ROSTER = "机关名称,编号\n彭阳县白阳镇人民政府,640425001\n彭阳县教育局,640425101\n"


def ogi(*args: str | Path, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "ogi", *map(str, args)], capture_output=True,
                          text=True, encoding="utf-8", cwd=cwd)


def test_init_creates_the_documented_layout(tmp_path: Path) -> None:
    roster = tmp_path / "名单.csv"
    roster.write_text(ROSTER, encoding="gbk")
    r = ogi("init", "2024", tmp_path / "2024年度", "--roster", roster, "--deadline", "2025年1月20日")
    assert r.returncode == 0, r.stderr
    root = tmp_path / "2024年度"
    for name in ("填报表", "交回", "反馈", "年报", "归档"):
        assert (root / name).is_dir()
    assert (root / "机关名单.csv").read_bytes() == roster.read_bytes()
    year = yearmod.open_year(root)
    assert (year.year, year.deadline) == (2024, "2025年1月20日")
    assert [a.name for a in year.read_roster() or []] == ["彭阳县白阳镇人民政府", "彭阳县教育局"]
    # Again: nothing replaced; another year refused.
    assert ogi("init", "2024", root).returncode == 0
    r = ogi("init", "2023", root)
    assert r.returncode == 2 and "2024 年度" in r.stderr


def test_init_refuses_a_bad_roster_before_writing(tmp_path: Path) -> None:
    roster = tmp_path / "名单.csv"
    roster.write_text("机关名称,编号\n彭阳县白阳镇人民政府,1\n,2\n", encoding="utf-8")
    r = ogi("init", "2024", tmp_path / "y", "--roster", roster)
    assert r.returncode == 2 and "第 3 行" in r.stderr and "Traceback" not in r.stderr
    assert not (tmp_path / "y").exists()


def test_archive_holds_the_year_and_verifies(tmp_path: Path) -> None:
    roster = tmp_path / "名单.csv"
    roster.write_text(ROSTER, encoding="utf-8")
    year = yearmod.init_year(2024, tmp_path / "y", roster=roster)
    yearmod.generate_forms(year)
    _stored, new = yearmod.store_return(year, "白阳镇.xlsx", next(year.forms.glob("*.xlsx")).read_bytes())
    assert new
    r = ogi("archive", year.root)
    assert r.returncode == 0, r.stderr
    archive = next(year.archive.glob("*.zip"))
    with zipfile.ZipFile(archive) as zf:
        names = set(zf.namelist())
        manifest = json.loads(zf.read("manifest.json"))
    assert {"机关名单.csv", "年度信息.json", "交回/白阳镇.xlsx"} <= names
    assert len([n for n in names if n.startswith("填报表/")]) == 2
    assert {f["path"] for f in manifest["files"]} == names - {"manifest.json", "manifest.sha256"}
    r = ogi("archive", "--verify", archive)
    assert r.returncode == 0 and "核对无误" in r.stdout
    # A changed member is found.
    tampered = tmp_path / "tampered.zip"
    with zipfile.ZipFile(archive) as src, zipfile.ZipFile(tampered, "w") as dst:
        for info in src.infolist():
            data = src.read(info)
            dst.writestr(info, data + b"x" if info.filename == "机关名单.csv" else data)
    r = ogi("archive", "--verify", tampered)
    assert r.returncode == 1 and "文件内容与清单不符：机关名单.csv" in r.stdout
    # A second archive never replaces the first.
    assert ogi("archive", year.root, "-o", archive).returncode == 2
    r = ogi("archive", "--verify", roster)
    assert r.returncode == 2 and "不是 ogi 的年度归档" in r.stderr


def test_store_return_never_overwrites_and_keeps_one_copy(tmp_path: Path) -> None:
    year = yearmod.init_year(2024, tmp_path / "y")
    a, new_a = yearmod.store_return(year, "../../白阳镇.xlsx", b"PK first")
    b, new_b = yearmod.store_return(year, "白阳镇.xlsx", b"PK second")
    c, new_c = yearmod.store_return(year, "其他名字.xlsx", b"PK first")
    assert a.parent == year.returns and a.name == "白阳镇.xlsx"
    assert b.name == "白阳镇-2.xlsx" and (new_a, new_b) == (True, True)
    assert (c, new_c) == (a, False)
    assert a.read_bytes() == b"PK first"
    for bad in ("../年度信息.json", "/etc/passwd", "交回/../../x", "C:/x", ""):
        with pytest.raises(yearmod.InputError):
            year.resolve_inside(bad)


def test_lock_second_opener_stale_and_takeover(tmp_path: Path) -> None:
    year = yearmod.init_year(2024, tmp_path / "y")
    first = yearmod.YearLock(year.root, holder="甲", host="pc-a")
    second = yearmod.YearLock(year.root, holder="乙", host="pc-b")
    assert first.acquire()
    info = yearmod.read_lock(year.root)
    assert info is not None and (info.holder, info.host, info.pid) == ("甲", "pc-a", os.getpid())
    assert not second.acquire() and second.other is not None and second.other.holder == "甲"
    assert not second.other.stale and not second.take_over()
    # The holder stops refreshing (its PC crashed): after the stale time the lock can be taken over.
    old = dt.datetime.now(dt.timezone.utc) - dt.timedelta(seconds=yearmod.LOCK_STALE_SECONDS + 5)
    info.time = old
    (year.root / yearmod.LOCK_FILE).write_bytes(info.to_json())
    assert yearmod.read_lock(year.root).stale  # type: ignore[union-attr]
    assert second.take_over() and second.held
    assert not first.refresh() and not first.held  # the old holder learns it is read-only now
    first.release()
    assert yearmod.read_lock(year.root).holder == "乙"  # type: ignore[union-attr]
    second.release()
    assert not (year.root / yearmod.LOCK_FILE).exists()


def test_lock_of_a_dead_process_on_this_host_is_stale(tmp_path: Path) -> None:
    year = yearmod.init_year(2024, tmp_path / "y")
    proc = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True,
                          text=True)
    dead = yearmod.LockInfo("甲", yearmod.socket.gethostname(), int(proc.stdout), yearmod._now())
    (year.root / yearmod.LOCK_FILE).write_bytes(dead.to_json())
    assert yearmod.read_lock(year.root).stale  # type: ignore[union-attr]
    (year.root / yearmod.LOCK_FILE).write_text("{damaged", encoding="utf-8")
    assert yearmod.read_lock(year.root).stale  # type: ignore[union-attr]
