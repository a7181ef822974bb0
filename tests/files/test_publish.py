"""Nothing ogi writes can destroy a file (issue 11): every command that writes goes through the one
publish step of ``ogi.files.safe_io``; these tests drive it through the real CLI with real files.

The race and the interruption tests hold a real ``ogi`` process between its existence check and its
publish with the ``OGI_TEST_PUBLISH_BARRIER`` hook (the process announces itself with a file named
after its pid, then waits for a file named ``go``), so what they show does not depend on timing.
"""

from __future__ import annotations

import errno
import hashlib
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from hostile import base_workbook, build, crafted_pdf, edit, hidden_value
from ogi.cli import main
from ogi.files.safe_io import LOCKED_MESSAGE, PUBLISH_BARRIER_ENV
from ogi.workbook.xlsx_writer import Agency

ROSTER = "机关名称,编号\n彭阳县测试镇人民政府,640425999\n"
LONG_AGENCY = Agency("彭阳县" + "测" * 90 + "人民政府", "640425998", "乡镇街道")


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def ogi(*argv: str) -> tuple[int, str]:
    """`ogi ARGV` in this process, as the console script runs it; (exit code, all output)."""
    runner = CliRunner()
    code = 0
    with runner.isolation() as streams:
        try:
            main(list(argv))
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 0
        sys.stdout.flush()
        sys.stderr.flush()
        out = "".join(s.getvalue().decode("utf-8", "replace") for s in streams[:2] if s is not None)
    assert "Traceback" not in out, out
    return code, out


def spawn(*argv: str, env: dict[str, str] | None = None, cwd: Path | None = None) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-c", "from ogi.cli import main; main()", *argv],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, cwd=cwd,
                            env={**os.environ, **(env or {})})


def wait_for(condition, timeout: float = 60.0) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out waiting"
        time.sleep(0.02)


def temp_files(folder: Path) -> list[str]:
    return [p.name for p in folder.rglob("*") if p.name.startswith(".ogi-") or p.suffix == ".tmp"]


@pytest.fixture
def returned(tmp_path: Path) -> Path:
    """A folder 交回/ holding one filled, valid workbook, and a roster beside it."""
    folder = tmp_path / "交回"
    folder.mkdir()
    (folder / "白阳镇.xlsx").write_bytes(base_workbook())
    (tmp_path / "名单.csv").write_text(ROSTER, encoding="utf-8")
    return folder


# ---- no command replaces an input, a roster or a filled workbook ---------------------------------

def test_status_never_replaces_a_returned_workbook(returned: Path, tmp_path: Path) -> None:
    target = returned / "白阳镇.xlsx"
    before = sha(target)
    code, out = ogi("status", str(returned), "--roster", str(tmp_path / "名单.csv"), "-o", str(target),
                    "--overwrite")
    assert code == 2 and "不能覆盖" in out and "未提交" not in out  # refused before the folder is read
    assert sha(target) == before
    elsewhere = tmp_path / "副本.xlsx"  # a filled workbook outside the folder is protected too
    elsewhere.write_bytes(base_workbook())
    code, out = ogi("status", str(returned), "-o", str(elsewhere), "--overwrite")
    assert code == 2 and "不能覆盖" in out and sha(elsewhere) == before


def test_summary_never_replaces_the_roster(returned: Path, tmp_path: Path) -> None:
    from openpyxl import Workbook

    roster = tmp_path / "名单.xlsx"
    wb = Workbook()
    wb.active.append(["机关名称", "编号"])
    wb.active.append(["彭阳县测试镇人民政府", "640425999"])
    wb.save(roster)
    before = sha(roster)
    code, out = ogi("summary", str(returned), "--roster", str(roster), "-o", str(roster), "--overwrite")
    assert code == 2 and "不能覆盖" in out and sha(roster) == before
    link = tmp_path / "另一个名字.xlsx"  # the same file under a second name (by device and inode)
    os.link(roster, link)
    code, out = ogi("summary", str(returned), "--roster", str(roster), "-o", str(link), "--overwrite")
    assert code == 2 and "不能覆盖" in out and sha(roster) == before


def test_own_earlier_rollups_are_replaced_without_overwrite(returned: Path, tmp_path: Path) -> None:
    progress = returned / "进度.xlsx"  # inside the folder it reads: ogi's own output is not an input
    assert ogi("status", str(returned), "-o", str(progress))[0] == 0
    first = sha(progress)
    (returned / "白阳镇.xlsx").unlink()
    code, out = ogi("status", str(returned), "-o", str(progress))
    assert code == 0 and "已保存进度表" in out and sha(progress) != first
    # ...but only for the same purpose: a 进度表 is not replaced by a 汇总表 without --overwrite
    code, out = ogi("summary", str(returned), "-o", str(progress))
    assert code == 2 and "--overwrite" in out


def test_new_overwrite_replaces_blank_forms_never_returned_ones(tmp_path: Path) -> None:
    roster = tmp_path / "名单.csv"
    roster.write_text(ROSTER, encoding="utf-8")
    out = tmp_path / "填报表"
    assert ogi("new", "--roster", str(roster), "--year", "2023", "-o", str(out))[0] == 0
    (form,) = out.iterdir()
    code, text = ogi("new", "--roster", str(roster), "--year", "2023", "-o", str(out), "--overwrite")
    assert code == 0 and "已生成" in text  # a blank form is regenerated
    form.write_bytes(base_workbook())  # the clerk's returned workbook lands under the same name
    before = sha(form)
    code, text = ogi("new", "--roster", str(roster), "--year", "2023", "-o", str(out), "--overwrite")
    assert code == 2 and "已经填写过" in text and sha(form) == before


def test_fill_pdf_follows_the_docx_rule(returned: Path, tmp_path: Path) -> None:
    out = tmp_path / "年报"
    code, text = ogi("fill", str(returned / "白阳镇.xlsx"), "-o", str(out))
    assert code == 0
    (docx,) = out.glob("*.docx")
    stamped = docx.with_suffix(".pdf")
    stamped.write_bytes(b"%PDF-1.4 the stamped archive copy")
    # same report again: the DOCX is unchanged, the existing PDF is kept (no LibreOffice run needed)
    code, text = ogi("fill", str(returned / "白阳镇.xlsx"), "-o", str(out), "--pdf")
    assert code == 0 and "未重写" in text
    assert stamped.read_bytes() == b"%PDF-1.4 the stamped archive copy"
    # a new DOCX next to an existing PDF: the PDF is not replaced without --overwrite
    docx.unlink()
    code, text = ogi("fill", str(returned / "白阳镇.xlsx"), "-o", str(out), "--pdf")
    assert code == 2 and "--overwrite" in text
    assert stamped.read_bytes() == b"%PDF-1.4 the stamped archive copy"


# ---- concurrent runs never both publish one name ---------------------------------------------

def test_two_concurrent_fills_never_both_publish(returned: Path, tmp_path: Path) -> None:
    barrier = tmp_path / "barrier"
    barrier.mkdir()
    out = tmp_path / "年报"
    out.mkdir()
    env = {PUBLISH_BARRIER_ENV: str(barrier)}
    runs = [spawn("fill", str(returned / "白阳镇.xlsx"), "-o", str(out), env=env) for _ in range(2)]
    try:  # both have checked that the DOCX does not exist and hold a complete temporary file
        wait_for(lambda: {p.name for p in barrier.iterdir()} >= {str(r.pid) for r in runs})
        (barrier / "go").touch()
        results = [(r.wait(timeout=120), r.stdout.read().decode("utf-8")) for r in runs]  # type: ignore[union-attr]
    finally:
        for r in runs:
            if r.poll() is None:
                r.kill()
    codes = sorted(code for code, _ in results)
    assert codes == [0, 2], results
    loser = next(text for code, text in results if code == 2)
    assert "已存在" in loser and "同时运行" in loser
    assert sum("已生成" in text for _, text in results) == 1
    assert len(list(out.glob("*.docx"))) == 1 and temp_files(out) == []


def test_two_concurrent_overwrites_never_both_publish(returned: Path, tmp_path: Path) -> None:
    """With --overwrite each run may replace the file it found, not one another run published
    after its check: the first run released replaces it, the second then refuses."""
    out = tmp_path / "年报"
    assert ogi("fill", str(returned / "白阳镇.xlsx"), "-o", str(out))[0] == 0
    (docx,) = out.glob("*.docx")
    docx.write_bytes(b"an older report")
    barrier = tmp_path / "barrier"
    barrier.mkdir()
    env = {PUBLISH_BARRIER_ENV: str(barrier)}
    runs = [spawn("fill", str(returned / "白阳镇.xlsx"), "-o", str(out), "--overwrite", env=env)
            for _ in range(2)]
    try:  # both checked that the file may be replaced; now release them one after the other
        wait_for(lambda: {p.name for p in barrier.iterdir()} >= {str(r.pid) for r in runs})
        results = []
        for r in runs:
            (barrier / f"go-{r.pid}").touch()
            results.append((r.wait(timeout=120), r.stdout.read().decode("utf-8")))  # type: ignore[union-attr]
    finally:
        for r in runs:
            if r.poll() is None:
                r.kill()
    assert [code for code, _ in results] == [0, 2], results
    assert "已生成" in results[0][1] and "同时运行" in results[1][1]
    assert docx.read_bytes() != b"an older report" and temp_files(out) == []


# ---- interruption -----------------------------------------------------------------------------

@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM], ids=["ctrl-c", "sigterm"])
def test_interrupted_publish_leaves_no_temporary_file(returned: Path, tmp_path: Path, sig: int) -> None:
    barrier = tmp_path / "barrier"
    barrier.mkdir()
    out = tmp_path / "年报"
    out.mkdir()
    run = spawn("fill", str(returned / "白阳镇.xlsx"), "-o", str(out), env={PUBLISH_BARRIER_ENV: str(barrier)})
    try:
        wait_for(lambda: (barrier / str(run.pid)).exists())
        assert temp_files(out), "the temporary file exists while the run waits to publish"
        run.send_signal(sig)
        code = run.wait(timeout=60)
    finally:
        if run.poll() is None:
            run.kill()
    text = run.stdout.read().decode("utf-8")  # type: ignore[union-attr]
    assert code == 130 and "已中断" in text and "Traceback" not in text, text
    assert temp_files(out) == [] and list(out.iterdir()) == []


def _children(pid: int) -> set[int]:
    kids = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                kids.add(int(entry.name))
    return kids


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def three_returns_and_a_barrier(tmp_path: Path) -> tuple[Path, Path]:
    """A 交回 folder of three agencies' workbooks (a batch for fill --jobs 2) and a barrier folder."""
    folder = tmp_path / "交回"
    folder.mkdir()
    for i in range(3):
        agency = Agency(f"彭阳县测试{i}镇人民政府", f"64042599{i}", "乡镇街道")
        (folder / f"{i}.xlsx").write_bytes(build(agency))
    barrier = tmp_path / "barrier"
    barrier.mkdir()
    return folder, barrier


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs /proc to find the workers")
def test_killed_fill_leaves_no_worker(tmp_path: Path) -> None:
    folder, barrier = three_returns_and_a_barrier(tmp_path)
    run = spawn("fill", str(folder), "-o", str(tmp_path / "年报"), "--jobs", "2",
                env={PUBLISH_BARRIER_ENV: str(barrier)})
    workers: set[int] = set()
    try:
        wait_for(lambda: (barrier / str(run.pid)).exists())  # the workers are up, the parent waits
        workers = _children(run.pid)
        assert len(workers) >= 2
        run.kill()  # kill -9: no handler, no cleanup code runs in the parent
        run.wait(timeout=30)
        wait_for(lambda: not any(_alive(w) for w in workers), timeout=15)
    finally:
        if run.poll() is None:
            run.kill()
        for w in workers:  # a failing run must not leave the orphans it found behind
            if _alive(w):
                os.kill(w, signal.SIGKILL)


# ---- names and paths the OS refuses ------------------------------------------------------------

def test_long_agency_name_gives_names_within_255_bytes(tmp_path: Path) -> None:
    """A workbook recording a 97-character agency name (291 bytes; written before names were
    capped at 40 characters, or edited): the DOCX and its JSON twin get names within 255 bytes."""
    filled = tmp_path / "filled.xlsx"
    filled.write_bytes(edit(base_workbook(), hidden_value("agency_name", LONG_AGENCY.name)))
    code, text = ogi("fill", str(filled), "-o", str(tmp_path / "年报"), "--json-data")
    assert code == 0 and "已生成" in text
    names = [p.name for p in (tmp_path / "年报").iterdir()]
    assert len(names) == 2 and all(len(n.encode()) <= 255 for n in names)
    assert {Path(n).suffix for n in names} == {".docx", ".json"}
    assert all(n.startswith("2023年彭阳县测测测") for n in names)


@pytest.mark.parametrize("command", ["new", "status-o", "status-folder", "check-previous", "fill-o"])
def test_path_over_the_limit_gives_a_chinese_message(command: str, returned: Path, tmp_path: Path) -> None:
    long = tmp_path / ("长" * 100)  # 300 bytes in one name
    argv = {"new": ["new", "--agency", "甲", "--year", "2023", "-o", str(long)],
            "status-o": ["status", str(returned), "-o", f"{long}.xlsx"],
            "status-folder": ["status", str(long)],
            "check-previous": ["check", str(returned / "白阳镇.xlsx"), "--previous", str(long / "a.xlsx")],
            "fill-o": ["fill", str(returned / "白阳镇.xlsx"), "-o", f"{long}.docx"]}[command]
    code, text = ogi(*argv)
    assert code == 2 and "路径过长" in text and "255 字节" in text, text
    assert temp_files(tmp_path) == []


# ---- input limits -----------------------------------------------------------------------------

@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="POSIX FIFOs")
def test_devices_and_fifos_are_refused_at_once(tmp_path: Path) -> None:
    fifo = tmp_path / "邮件附件.xlsx"
    os.mkfifo(fifo)
    for target in ("/dev/zero", str(fifo)):
        started = time.monotonic()
        code, text = ogi("check", target)
        assert code == 2 and "不是普通文件" in text
        assert time.monotonic() - started < 10
    code, text = ogi("import", str(fifo))
    assert code == 2 and "不是普通文件" in text


def test_size_cap_counts_bytes_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from ogi.files import safe_io

    path = tmp_path / "a.xlsx"
    path.write_bytes(b"x" * 100)
    real_stat = os.stat

    def lying_stat(p, *a, **kw):  # type: ignore[no-untyped-def]
        st = real_stat(p, *a, **kw)
        if Path(p) == path:  # a file that claims to be small (a device, a file still growing)
            return os.stat_result((st.st_mode, st.st_ino, st.st_dev, st.st_nlink, st.st_uid,
                                   st.st_gid, 1, st.st_atime, st.st_mtime, st.st_ctime))
        return st

    monkeypatch.setattr(safe_io.os, "stat", lying_stat)
    with pytest.raises(safe_io.InputError, match="上限"):
        safe_io.read_capped(path, limit=50)


def test_crafted_pdf_page_is_refused_before_layout(tmp_path: Path) -> None:
    """The 2.3 KB PDF of issue 11: one page showing 400,000 characters. Refused from its content
    stream, before pdfminer lays out a character (that took 14-21 s and 880 MB)."""
    pdf = tmp_path / "年报.pdf"
    pdf.write_bytes(crafted_pdf())
    assert len(pdf.read_bytes()) < 3000
    started = time.monotonic()
    code, text = ogi("import", str(pdf), "--no-workbook")
    assert code == 2 and "第1页" in text and "100,000 个字符的上限" in text
    assert time.monotonic() - started < 10


@pytest.mark.skipif(sys.platform != "linux", reason="ru_maxrss of waited-for descendants")
def test_slow_pdf_is_stopped_at_the_time_cap_with_bounded_memory(tmp_path: Path) -> None:
    """Pages each under the per-page cap, together under the 2,000,000-character cap, but minutes
    of layout work: the extraction child is stopped at the time cap (or its memory cap), and the
    memory of ogi and its child stays bounded."""
    from ogi.files.bounded import EXTRACT_MEMORY_BYTES, EXTRACT_SECONDS

    pdf = tmp_path / "年报.pdf"
    pdf.write_bytes(crafted_pdf(lines=1900, width=100, pages=10))  # 190,000 characters a page
    # A fresh Python runs ogi and reports the peak memory of its descendants (ogi and its child).
    probe = ("import resource, subprocess, sys, time\n"
             "t = time.monotonic()\n"
             "p = subprocess.run([sys.executable, '-c', 'from ogi.cli import main; main()', 'import', "
             f"{str(pdf)!r}, '--no-workbook'], capture_output=True)\n"
             "print(p.returncode, time.monotonic() - t, "
             "resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024)\n"
             "sys.stdout.write((p.stdout + p.stderr).decode('utf-8'))\n")
    proc = subprocess.run([sys.executable, "-c", probe], capture_output=True, timeout=300)
    head, _, text = proc.stdout.decode("utf-8").partition("\n")
    code, seconds, peak = head.split()
    assert int(code) == 2 and "Traceback" not in text, text
    assert ("时间上限" in text or "内存超过" in text), text
    assert float(seconds) < EXTRACT_SECONDS + 15
    assert int(peak) < EXTRACT_MEMORY_BYTES + 512 * 1024 * 1024


def test_deeply_nested_html_is_refused_in_chinese(tmp_path: Path) -> None:
    page = tmp_path / "年报.html"
    page.write_text("<html><body>" + "<div>" * 1000 + "2023年政府信息公开工作年度报告" + "</div>" * 1000
                    + "</body></html>", encoding="utf-8")
    code, text = ogi("import", str(page), "--no-workbook")
    assert code == 2 and "嵌套" in text and "上限" in text and "RecursionError" not in text


# ---- a file another program holds open -------------------------------------------------------

@pytest.fixture
def two_filled(tmp_path: Path) -> Iterator[tuple[Path, Path]]:
    folder = tmp_path / "交回"
    folder.mkdir()
    for i in range(2):
        agency = Agency(f"彭阳县测试{i}镇人民政府", f"64042599{i}", "乡镇街道")
        (folder / f"{i}.xlsx").write_bytes(build(agency))
    out = tmp_path / "年报"
    assert ogi("fill", str(folder), "-o", str(out))[0] == 0
    yield folder, out


def test_locked_output_is_named_and_the_batch_continues(two_filled: tuple[Path, Path],
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    """What Windows does when WPS holds a file open (sharing violation on the replace), raised at
    the OS call itself, so that everything above it (mapping, message, continuing) is real."""
    from ogi.files import safe_io

    folder, out = two_filled
    docs = sorted(out.glob("*.docx"))
    locked = docs[0]
    real_replace = os.replace

    def replace(src, dst, *a, **kw):  # type: ignore[no-untyped-def]
        if Path(dst) == locked:
            exc = PermissionError(errno.EACCES, "The process cannot access the file", str(dst))
            exc.winerror = 32  # type: ignore[attr-defined]
            raise exc
        return real_replace(src, dst, *a, **kw)

    monkeypatch.setattr(safe_io.os, "replace", replace)
    for doc in docs:
        doc.write_bytes(b"an older report")
    code, text = ogi("fill", str(folder), "-o", str(out), "--overwrite")
    assert code == 2 and LOCKED_MESSAGE in text and locked.name in text
    assert locked.read_bytes() == b"an older report"
    assert docs[1].read_bytes() != b"an older report"  # the other file was still written
    assert temp_files(out) == []


@pytest.mark.skipif(sys.platform != "linux" or os.geteuid() != 0 or not shutil.which("chattr"),
                    reason="chattr +i needs root on Linux and e2fsprogs")
def test_output_the_os_refuses_to_replace(two_filled: tuple[Path, Path]) -> None:
    """A real refusal by the kernel (an immutable file: EPERM on rename, as Windows refuses a file
    WPS holds) gives the locked-file message, and the batch continues."""
    folder, out = two_filled
    docs = sorted(out.glob("*.docx"))
    for doc in docs:
        doc.write_bytes(b"an older report")
    if subprocess.run(["chattr", "+i", str(docs[0])], capture_output=True).returncode != 0:
        pytest.skip("this file system has no immutable flag")
    try:
        code, text = ogi("fill", str(folder), "-o", str(out), "--overwrite")
    finally:
        subprocess.run(["chattr", "-i", str(docs[0])], check=True)
    assert code == 2 and LOCKED_MESSAGE in text
    assert docs[0].read_bytes() == b"an older report" and docs[1].read_bytes() != b"an older report"
    assert temp_files(out) == []


def test_new_continues_past_a_locked_workbook(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from ogi.files import safe_io

    roster = tmp_path / "名单.txt"
    roster.write_text("甲镇人民政府\n乙镇人民政府\n", encoding="utf-8")
    out = tmp_path / "填报表"
    assert ogi("new", "--roster", str(roster), "--year", "2023", "-o", str(out))[0] == 0
    forms = sorted(out.iterdir())
    before = {p: sha(p) for p in forms}
    real_replace = os.replace

    def replace(src, dst, *a, **kw):  # type: ignore[no-untyped-def]
        if Path(dst) == forms[0]:  # as Windows answers while WPS has the workbook open
            raise PermissionError(errno.EACCES, "Access is denied", str(dst))
        return real_replace(src, dst, *a, **kw)

    monkeypatch.setattr(safe_io.os, "replace", replace)
    code, text = ogi("new", "--roster", str(roster), "--year", "2023", "-o", str(out), "--overwrite",
                     "--deadline", "2024年1月20日")
    assert code == 2 and LOCKED_MESSAGE in text and forms[0].name in text
    assert sha(forms[0]) == before[forms[0]] and sha(forms[1]) != before[forms[1]]
    assert temp_files(out) == []


def test_import_overwrite_never_replaces_a_filled_workbook(tmp_path: Path) -> None:
    report = tmp_path / "年报.txt"
    report.write_text("彭阳县测试镇人民政府2023年政府信息公开工作年度报告\n一、总体情况\n本年度工作平稳。\n",
                      encoding="utf-8")
    target = tmp_path / "填报表.xlsx"
    target.write_bytes(base_workbook())  # a clerk's filled workbook under the name asked for
    before = sha(target)
    code, text = ogi("import", str(report), "-o", str(target), "--overwrite")
    assert code == 2 and "已经填写过" in text and sha(target) == before
    fresh = tmp_path / "新.xlsx"  # the same import twice: identical content may be replaced
    assert ogi("import", str(report), "-o", str(fresh))[0] in (0, 1)
    assert ogi("import", str(report), "-o", str(fresh), "--overwrite")[0] in (0, 1)


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX process groups")
def test_ctrl_c_on_the_console_stops_fill_jobs_cleanly(tmp_path: Path) -> None:
    """Ctrl+C reaches every process of the console's group: the workers leave it to the parent,
    which removes its temporary file, shuts them down and says 已中断 once, without tracebacks."""
    folder, barrier = three_returns_and_a_barrier(tmp_path)
    out = tmp_path / "年报"
    run = subprocess.Popen([sys.executable, "-c", "from ogi.cli import main; main()", "fill", str(folder),
                            "-o", str(out), "--jobs", "2"], stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, start_new_session=True,
                           env={**os.environ, PUBLISH_BARRIER_ENV: str(barrier)})
    try:
        wait_for(lambda: (barrier / str(run.pid)).exists())
        workers = _children(run.pid)
        os.killpg(run.pid, signal.SIGINT)
        code = run.wait(timeout=60)
        text = run.stdout.read().decode("utf-8")  # type: ignore[union-attr]
        wait_for(lambda: not any(_alive(w) for w in workers), timeout=15)
    finally:
        if run.poll() is None:
            os.killpg(run.pid, signal.SIGKILL)
    assert code == 130 and text.count("已中断") == 1 and "Traceback" not in text, text
    assert temp_files(out) == []
