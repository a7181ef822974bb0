"""The year folder: one folder per reporting year, with a layout every ogi front end shares.

``ogi init 2024 FOLDER`` creates it, ``ogi serve FOLDER`` serves it, ``ogi archive FOLDER`` zips it;
the plain commands (``ogi status FOLDER/交回 --roster FOLDER/机关名单.xlsx``) work on the same files.
Layout (the names are part of the documented interface, see README):

    年度信息.json   the year and the deadline (written by ``ogi init``)
    机关名单.xlsx   the roster (or .csv / .txt), as the office gave it
    填报表/         the generated forms to mail out
    交回/           returns as received: stored under unique names, never overwritten or renamed
    反馈/           feedback to the agencies
    年报/           the reports (DOCX, PDF, HTML)
    汇总.xlsx       the county summary workbook
    进度.xlsx       the progress (status) workbook
    归档/           the year's archive zips
    .ogi-lock.json  who has the folder open for writing (see :class:`YearLock`)

This module owns the layout, the lock and the archive; every operation on a year (status, forms,
reports, summary) calls the same library functions the CLI commands call.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import getpass
import hashlib
import io
import json
import os
import re
import secrets
import socket
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import InputError, OutputError
from ..files.libreoffice import find_soffice
from ..files.safe_io import MAX_INPUT_BYTES, atomic_write_bytes, ensure_output_dir, read_capped, safe_filename
from ..form.results import exit_code_for
from ..workbook.xlsx_writer import validate_year
from .batch_new import NewResult, new_workbooks, plan_files
from .feedback import feedback_folder, folder_name
from .fill import EVENT_LEDGER, EVENT_OUTCOME, FillEvent, FillOptions, fill_returns
from .ledger import assign, find_sources, read_return
from .roster import read_roster
from .status import KEEP_COUNTS, folder_status, status_of
from .summary import summarise_folder

INFO_FILE = "年度信息.json"
ROSTER_STEM = "机关名单"
ROSTER_SUFFIXES = (".xlsx", ".csv", ".txt")
FORMS_DIR = "填报表"
RETURNS_DIR = "交回"
FEEDBACK_DIR = "反馈"
REPORTS_DIR = "年报"
SUMMARY_FILE = "汇总.xlsx"
STATUS_FILE = "进度.xlsx"
ARCHIVE_DIR = "归档"
LOCK_FILE = ".ogi-lock.json"
FOLDERS = (FORMS_DIR, RETURNS_DIR, FEEDBACK_DIR, REPORTS_DIR, ARCHIVE_DIR)

MANIFEST_NAME = "manifest.json"
MANIFEST_SUFFIX = "manifest.sha256"

#: A lock not refreshed for this long is stale (its holder crashed or lost the share).
LOCK_STALE_SECONDS = 10 * 60
#: How often a holder refreshes its lock.
LOCK_REFRESH_SECONDS = 60

Progress = Callable[[Iterable[Any], int], Iterator[Any]]


# ---- the folder ---------------------------------------------------------------------------------
@dataclass
class YearFolder:
    """A year folder on disk. Paths only; nothing is read until asked."""

    root: Path
    year: int
    deadline: str = ""

    @property
    def forms(self) -> Path:
        return self.root / FORMS_DIR

    @property
    def returns(self) -> Path:
        return self.root / RETURNS_DIR

    @property
    def feedback(self) -> Path:
        return self.root / FEEDBACK_DIR

    @property
    def reports(self) -> Path:
        return self.root / REPORTS_DIR

    @property
    def archive(self) -> Path:
        return self.root / ARCHIVE_DIR

    @property
    def summary_file(self) -> Path:
        return self.root / SUMMARY_FILE

    @property
    def status_file(self) -> Path:
        return self.root / STATUS_FILE

    @property
    def roster_file(self) -> Path | None:
        for suffix in ROSTER_SUFFIXES:
            path = self.root / f"{ROSTER_STEM}{suffix}"
            if path.is_file():
                return path
        return None

    def read_roster(self) -> list[Any] | None:
        """The roster's agencies, or None when the folder has no roster yet."""

        path = self.roster_file
        return read_roster(path) if path is not None else None

    def resolve_inside(self, relative: str) -> Path:
        """A path named by a request (``年报/x.docx``), refused unless it stays inside the folder
        (no ``..``, no absolute path, no symlink leading out)."""
        if not relative or "\x00" in relative or relative.startswith(("/", "\\")) or ":" in relative:
            raise InputError("路径无效", path=relative)
        parts = re.split(r"[\\/]+", relative)
        if any(p in ("", ".", "..") for p in parts):
            raise InputError("路径无效", path=relative)
        root = self.root.resolve()
        path = (root / Path(*parts)).resolve()
        if path != root and root not in path.parents:
            raise InputError("路径不在年度文件夹中", path=relative)
        return path


def init_year(year: int, folder: Path, *, deadline: str = "", roster: Path | None = None) -> YearFolder:
    """Create a year folder (or complete one: existing files are never replaced)."""

    validate_year(year)
    folder = Path(folder)
    if folder.exists() and not folder.is_dir():
        raise OutputError("这是一个文件，不是文件夹", path=folder)
    info = folder / INFO_FILE
    if info.exists():
        existing = open_year(folder)
        if existing.year != year:
            raise OutputError(f"这个文件夹已是 {existing.year} 年度的年度文件夹", path=folder)
    roster_data = b""
    if roster is not None:
        read_roster(roster)  # every row checked before anything is written
        roster_data = read_capped(roster, what="机关名单")
        if roster.suffix.lower() not in ROSTER_SUFFIXES:
            raise InputError("机关名单应为 .xlsx、.csv 或 .txt 文件", path=roster)
    ensure_output_dir(folder)
    for name in FOLDERS:
        ensure_output_dir(folder / name)
    if not info.exists():
        atomic_write_bytes(info, json.dumps({"year": year, "deadline": deadline, "layout": 1},
                                            ensure_ascii=False, indent=2).encode("utf-8"))
    result = open_year(folder)
    if roster is not None:
        if result.roster_file is not None:
            raise OutputError("年度文件夹中已有机关名单，未替换", path=result.roster_file)
        atomic_write_bytes(folder / f"{ROSTER_STEM}{roster.suffix.lower()}", roster_data)
    return result


def open_year(folder: Path) -> YearFolder:
    """Read a year folder's 年度信息.json; a folder without one is not a year folder."""
    folder = Path(folder)
    info = folder / INFO_FILE
    if not folder.is_dir():
        raise InputError("找不到年度文件夹", path=folder)
    if not info.is_file():
        raise InputError(f"这不是年度文件夹（没有 {INFO_FILE}）；请先运行 ogi init 年度 文件夹",
                         path=folder)
    try:
        data = json.loads(read_capped(info, what="年度信息").decode("utf-8"))
        year = int(data["year"])
        deadline = str(data.get("deadline") or "")
    except (ValueError, KeyError, TypeError, UnicodeDecodeError) as exc:
        raise InputError("年度信息文件已损坏（应含 year）", path=info) from exc
    return YearFolder(folder, year, deadline)


def set_deadline(year: YearFolder, deadline: str) -> None:
    data = {"year": year.year, "deadline": deadline, "layout": 1}
    atomic_write_bytes(year.root / INFO_FILE, json.dumps(data, ensure_ascii=False, indent=2)
                       .encode("utf-8"), overwrite=True)
    year.deadline = deadline


def replace_roster(year: YearFolder, source: Path) -> Path:
    """Make ``source`` (checked again, every row) the year's roster. The previous roster is kept in
    归档/ under a dated name, never deleted."""

    suffix = source.suffix.lower()
    if suffix not in ROSTER_SUFFIXES:
        raise InputError("机关名单应为 .xlsx、.csv 或 .txt 文件", path=source)
    read_roster(source)
    data = read_capped(source, what="机关名单")
    old = year.roster_file
    if old is not None:
        stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
        kept = unique_name(ensure_output_dir(year.archive), f"旧{ROSTER_STEM}-{stamp}{old.suffix}")
        atomic_write_bytes(kept, old.read_bytes())
        old.unlink()
    path = atomic_write_bytes(year.root / f"{ROSTER_STEM}{suffix}", data)
    with contextlib.suppress(OSError):
        if source.name.startswith(".ogi-pending-"):
            source.unlink()
    return path


# ---- returns as received -------------------------------------------------------------------------
def unique_name(folder: Path, name: str) -> Path:
    """``folder/name`` made share-safe, with ``-2``, ``-3`` … before the suffix when taken."""
    name = safe_filename(name, fallback="交回文件")
    stem, dot, suffix = name.rpartition(".")
    if not dot:
        stem, suffix = name, ""
    candidate = folder / name
    n = 2
    while candidate.exists():
        candidate = folder / (f"{stem}-{n}.{suffix}" if suffix else f"{stem}-{n}")
        n += 1
    return candidate


_DIGESTS: dict[Path, tuple[float, int, str]] = {}


def _digest(path: Path) -> str:
    """sha256 of a received file, remembered per (mtime, size): received files never change."""
    st = path.stat()
    hit = _DIGESTS.get(path)
    if hit is None or hit[:2] != (st.st_mtime, st.st_size):
        hit = (st.st_mtime, st.st_size, hashlib.sha256(path.read_bytes()).hexdigest())
        _DIGESTS[path] = hit
    return hit[2]


def store_return(year: YearFolder, name: str, data: bytes) -> tuple[Path, bool]:
    """Keep one received file in 交回/ under a unique, sanitised name; never replaces a file.
    A file byte-identical to one already received is not stored twice: returns (its path, False)."""

    if not data:
        raise InputError("文件是空的（0 字节）", path=name)
    if len(data) > MAX_INPUT_BYTES:
        raise InputError(f"文件过大，超过 {MAX_INPUT_BYTES // 1024 // 1024} MB 上限", path=name)
    name = re.split(r"[\\/]", name)[-1]  # a browser may send a path: only its last part counts
    folder = ensure_output_dir(year.returns)
    digest = hashlib.sha256(data).hexdigest()
    for existing in folder.rglob("*"):
        if existing.is_file() and existing.stat().st_size == len(data) and _digest(existing) == digest:
            return existing, False
    while True:
        target = unique_name(folder, name)
        try:
            return atomic_write_bytes(target, data), True
        except OutputError:
            if not target.exists():  # not a race with another upload of the same name
                raise


# ---- what the year's operations call (the same functions as the CLI commands) --------------------
def year_status(year: YearFolder, *, progress: Progress | None = None) -> Any:
    """``ogi status 交回 --roster 机关名单 --year YEAR`` (:func:`ogi.county.status.folder_status`)."""

    return folder_status(year.returns, roster=year.roster_file, year=year.year, progress=progress)


def save_status(year: YearFolder, *, progress: Progress | None = None) -> Any:
    """``ogi status 交回 --roster 机关名单 --year YEAR -o 进度.xlsx``: ogi's own earlier 进度表 is
    replaced, nothing else at that name ever is."""

    return folder_status(year.returns, roster=year.roster_file, year=year.year, output=year.status_file,
                         progress=progress)


class StatusCache:
    """``ogi status`` over 交回/ for a process that asks again and again (the page after every
    upload): each candidate the ledger finds is read by :func:`ogi.county.ledger.read_return` once per
    (size, mtime), and the whole folder assigned afresh by :func:`ogi.county.ledger.assign`, so the answer
    is the command's answer (:func:`ogi.county.status.status_of`)."""

    def __init__(self) -> None:
        self._read: dict[str, tuple[float, int, Any]] = {}

    def status(self, year: YearFolder) -> Any:
        import dataclasses


        found, skipped, results = find_sources([year.returns])
        seen = set()
        for f in found:
            seen.add(f.rel)
            hit = self._read.get(f.rel)
            if hit is None or hit[0] != f.mtime or hit[1] != f.size:
                hit = (f.mtime, f.size, read_return(f, KEEP_COUNTS))
                self._read[f.rel] = hit
            r = hit[2]
            if r is None:
                skipped.append(f.path)
                continue
            # assign() annotates the results it is given: hand it a fresh copy each time.
            results.append(dataclasses.replace(r, file=f, notes=[], current=True, on_roster=True,
                                               wrong_year=False, newer="", agency=None, reason=""))
        for rel in set(self._read) - seen:
            del self._read[rel]
        ledger = assign(results, year.read_roster(), year.year, folders=[year.returns], skipped=skipped)
        return status_of(ledger)


def other_files(year: YearFolder, report: Any) -> list[Path]:
    """Files in 交回/ the ledger does not look at (documents, pictures): kept as received."""
    listed = {row.result.file.path for row in report.rows if row.result is not None}
    return sorted(p for p in year.returns.rglob("*")
                  if p.is_file() and p not in listed and not p.name.startswith((".ogi-", "~$", ".~")))


def generate_forms(year: YearFolder, *, progress: Progress | None = None) -> Any:
    """``ogi new --roster 机关名单 --year YEAR --deadline D -o 填报表`` (:func:`ogi.county.batch_new.new_workbooks`).
    Forms already there are kept: when the roster grew, only the new agencies get one."""

    roster = year.read_roster()
    if roster is None:
        raise InputError("还没有机关名单，请先上传名单", path=year.root)
    plan = plan_files(roster, year.year, year.forms)
    todo = [a for a, p in plan if not p.exists()]
    if not todo:
        return NewResult(path=year.forms)
    if len(todo) == len(plan):
        return new_workbooks(roster=year.roster_file, year=year.year, output=year.forms,
                             deadline=year.deadline, progress=progress)
    result = NewResult(path=year.forms)
    for agency in progress(todo, len(todo)) if progress is not None else todo:
        made = new_workbooks(agency=agency.name, agency_id=agency.id, agency_type=agency.type,
                             year=year.year, output=year.forms, deadline=year.deadline)
        result.written += made.written
        result.failed += made.failed
    return result


def fill_reports(year: YearFolder, *, pdf: bool | None = None, overwrite: bool = False,
                 on_outcome: Callable[[Any, int, int], None] | None = None) -> list[Any]:
    """``ogi fill 交回 --roster 机关名单 --year YEAR -o 年报 --html [--pdf]``
    (:func:`ogi.county.fill.fill_returns`): each return that counts and passes becomes its DOCX (and
    HTML, and PDF when LibreOffice is present); ``on_outcome(outcome, done, total)`` sees each
    outcome (``done`` 0: a file that cannot be read). As with the command, a report already
    written with the same bytes is left alone and a different existing file is replaced only with
    ``overwrite``."""

    def seen(event: FillEvent) -> None:
        if event.kind == EVENT_LEDGER and not event.total:
            raise InputError("还没有可以生成年报的交回工作簿", path=year.returns)
        if event.kind == EVENT_OUTCOME and on_outcome is not None:
            on_outcome(event.outcome, event.done, event.total)

    if pdf is None:
        pdf = find_soffice() is not None
    ensure_output_dir(year.reports)
    options = FillOptions(output=year.reports, html=True, overwrite=overwrite, pdf=pdf)
    return fill_returns([year.returns], options, roster=year.roster_file, year=year.year,
                        on_event=seen).outcomes


def write_feedback(year: YearFolder, *, progress: Progress | None = None) -> tuple[Any, Path]:
    """``ogi feedback 交回 --roster 机关名单 --year YEAR --deadline D -o 反馈/第N轮-日期``: one new
    folder per round, so that earlier rounds stay as they were sent."""

    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    output = unique_name(ensure_output_dir(year.feedback), stamp)
    result = feedback_folder([year.returns], output, roster=year.roster_file, year=year.year,
                             deadline=year.deadline, progress=progress)
    return result, output


def feedback_files(year: YearFolder, agency: Any) -> list[Path]:
    """The files of ``agency`` in the newest feedback round (annotated workbook, 退改单, mail)."""

    rounds = sorted((p for p in year.feedback.iterdir() if p.is_dir()), reverse=True) \
        if year.feedback.is_dir() else []
    for folder in rounds:
        mine = folder / folder_name(agency)
        if not mine.is_dir():
            mine = folder / "催报" / folder_name(agency)
        if mine.is_dir():
            return sorted(p for p in mine.iterdir() if p.is_file())
    return []


def write_summary(year: YearFolder, *, progress: Progress | None = None) -> Any:
    """``ogi summary 交回 --roster 机关名单 --year YEAR -o 汇总.xlsx`` (:func:`ogi.county.summary.summarise_folder`)."""

    return summarise_folder(year.returns, output=year.summary_file, roster=year.roster_file,
                            year=year.year, progress=progress)


# ---- the lock ------------------------------------------------------------------------------------
@dataclass
class LockInfo:
    holder: str
    host: str
    pid: int
    time: dt.datetime
    token: str = ""

    @property
    def age_seconds(self) -> float:
        return (dt.datetime.now(dt.timezone.utc) - self.time).total_seconds()

    @property
    def stale(self) -> bool:
        """Not refreshed for LOCK_STALE_SECONDS, or held by a process of this host that is gone."""
        if self.age_seconds > LOCK_STALE_SECONDS:
            return True
        return self.host == socket.gethostname() and not _pid_alive(self.pid)

    def describe(self) -> str:
        local = self.time.astimezone().strftime("%Y-%m-%d %H:%M")
        return f"{self.holder}（电脑 {self.host}，{local} 起）"

    def to_json(self) -> bytes:
        return json.dumps({"holder": self.holder, "host": self.host, "pid": self.pid,
                           "time": self.time.isoformat(), "token": self.token},
                          ensure_ascii=False).encode("utf-8")


def _pid_alive(pid: int) -> bool:
    if pid <= 0:
        return False
    if os.name == "nt":  # pragma: no cover - Windows
        import ctypes

        handle = ctypes.windll.kernel32.OpenProcess(0x1000, False, pid)  # type: ignore[attr-defined]
        if not handle:
            return False
        ctypes.windll.kernel32.CloseHandle(handle)  # type: ignore[attr-defined]
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc).replace(microsecond=0)


def read_lock(folder: Path) -> LockInfo | None:
    path = Path(folder) / LOCK_FILE
    try:
        data = json.loads(path.read_bytes().decode("utf-8"))
        return LockInfo(str(data["holder"]), str(data["host"]), int(data.get("pid", 0)),
                        dt.datetime.fromisoformat(data["time"]), str(data.get("token", "")))
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError, TypeError, UnicodeDecodeError):
        # A damaged lock is treated as stale (its time is unknown).
        return LockInfo("（无法读取）", "?", 0, dt.datetime.fromtimestamp(0, dt.timezone.utc))


@dataclass
class YearLock:
    """The folder's write lock. ``acquire()`` returns True when this process holds it; otherwise
    ``other`` tells who does (the page shows it and stays read-only)."""

    folder: Path
    holder: str = field(default_factory=lambda: _user())
    host: str = field(default_factory=socket.gethostname)
    token: str = field(default_factory=lambda: secrets.token_hex(8))
    held: bool = False
    other: LockInfo | None = None

    @property
    def path(self) -> Path:
        return Path(self.folder) / LOCK_FILE

    def _info(self) -> LockInfo:
        return LockInfo(self.holder, self.host, os.getpid(), _now(), self.token)

    def acquire(self) -> bool:
        try:
            fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        except FileExistsError:
            current = read_lock(self.folder)
            if current is not None and current.token == self.token:
                self.held = True
                return True
            self.other, self.held = current, False
            return False
        except OSError as exc:
            raise OutputError(f"无法在年度文件夹中建立锁文件（{exc.strerror or exc}）",
                              path=self.path) from exc
        with os.fdopen(fd, "wb") as fh:
            fh.write(self._info().to_json())
        self.held, self.other = True, None
        return True

    def take_over(self) -> bool:
        """Replace a stale lock (never a live one)."""
        current = read_lock(self.folder)
        if current is not None and not current.stale and current.token != self.token:
            self.other = current
            return False
        with contextlib.suppress(FileNotFoundError):
            os.unlink(self.path)
        return self.acquire()

    def refresh(self) -> bool:
        """Rewrite the time; False (and read-only from now on) when someone else took the lock."""
        current = read_lock(self.folder)
        if current is None or current.token != self.token:
            self.held, self.other = False, current
            return False
        atomic_write_bytes(self.path, self._info().to_json(), overwrite=True)
        return True

    def release(self) -> None:
        if not self.held:
            return
        current = read_lock(self.folder)
        if current is not None and current.token == self.token:
            with contextlib.suppress(OSError):
                os.unlink(self.path)
        self.held = False


def _user() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no user name in the environment (a service account)
        return "未知用户"


# ---- the archive ---------------------------------------------------------------------------------
def _archive_members(year: YearFolder) -> list[Path]:
    skip_dirs = {ARCHIVE_DIR}
    out = []
    for path in sorted(year.root.rglob("*")):
        rel = path.relative_to(year.root)
        if rel.parts[0] in skip_dirs or not path.is_file() or path.is_symlink():
            continue
        if path.name == LOCK_FILE or path.name.startswith((".ogi-", "~$", ".~lock")):
            continue
        out.append(path)
    return out


def write_archive(year: YearFolder, output: Path | None = None) -> Path:
    """One zip of the year (everything but 归档/ and the lock) with a manifest of sha256 sums.
    Written atomically into 归档/ under a new name; an earlier archive is never replaced."""
    files = _archive_members(year)
    manifest: dict[str, Any] = {"ogi_archive": 1, "year": year.year,
                                "created": _now().isoformat(), "files": []}
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        for path in files:
            rel = path.relative_to(year.root).as_posix()
            data = path.read_bytes()
            zf.writestr(rel, data)
            manifest["files"].append({"path": rel, "size": len(data),
                                      "sha256": hashlib.sha256(data).hexdigest()})
        text = json.dumps(manifest, ensure_ascii=False, indent=2)
        zf.writestr(MANIFEST_NAME, text)
        zf.writestr(MANIFEST_SUFFIX, "".join(f"{f['sha256']}  {f['path']}\n" for f in manifest["files"]))
    if output is None:
        stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
        output = unique_name(ensure_output_dir(year.archive), f"{year.year}年度归档-{stamp}.zip")
    return atomic_write_bytes(output, buffer.getvalue())


@dataclass
class VerifyResult:
    path: Path
    checked: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def exit_code(self) -> int:
        return exit_code_for(errors=len(self.problems))

    def lines(self) -> list[str]:
        """What ``ogi archive --verify`` prints: every problem, then the verdict."""
        if self.problems:
            return [*self.problems, f"核对未通过：{len(self.problems)} 处不一致（共 {self.checked} 个文件）。"]
        return [f"核对无误：{self.checked} 个文件与清单一致。"]


def verify_archive(path: Path) -> VerifyResult:
    """Check every file of an archive against its manifest: no file missing, added or changed."""
    data = read_capped(path, what="归档文件")
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        manifest = json.loads(zf.read(MANIFEST_NAME).decode("utf-8"))
        entries = manifest["files"]
    except (zipfile.BadZipFile, KeyError, ValueError, UnicodeDecodeError, TypeError) as exc:
        raise InputError("这不是 ogi 的年度归档（没有可读的 manifest.json）", path=path) from exc
    result = VerifyResult(path)
    listed = set()
    names = set(zf.namelist()) - {MANIFEST_NAME, MANIFEST_SUFFIX}
    for entry in entries:
        rel = entry["path"]
        listed.add(rel)
        if rel not in names:
            result.problems.append(f"缺少文件：{rel}")
            continue
        content = zf.read(rel)
        result.checked += 1
        if hashlib.sha256(content).hexdigest() != entry["sha256"] or len(content) != entry["size"]:
            result.problems.append(f"文件内容与清单不符：{rel}")
    for extra in sorted(names - listed):
        result.problems.append(f"清单中没有的文件：{extra}")
    return result
