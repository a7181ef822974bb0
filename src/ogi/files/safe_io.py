"""Safe file handling: read inputs within limits before a parser sees them, publish outputs in one
step that cannot destroy a file, and make file names that survive a Windows file share.

Inputs are never written to: every command records what it is about to read (:class:`InputSet`, by
device and inode and by resolved path) and :func:`check_target` refuses an output that is one of
them before any work starts. Outputs appear complete or not at all, and never over a file that
appeared meanwhile: bytes go to a temporary file in the target folder, are flushed to disk, then
:func:`atomic_write_bytes` links them to the final name (or, where links fail, claims the name with
``O_EXCL`` and renames over the claim); only ``--overwrite`` or ogi's own earlier output of the same
kind is replaced, by one rename. Temporary files are removed on errors, Ctrl+C and SIGTERM.
OS errors become Chinese messages (:func:`os_error_message`), a file WPS holds open included.
"""

from __future__ import annotations

import atexit
import contextlib
import errno
import functools
import io
import os
import re
import stat
import tempfile
import time
import unicodedata
import zipfile
from collections.abc import Callable, Iterable
from pathlib import Path

from ..errors import InputError, OutputError
from .invisible import strip_invisible

ODS_MIMETYPE = b"application/vnd.oasis.opendocument.spreadsheet"
ODS_PROBLEM = ("这是 .ods 格式（LibreOffice/WPS 的表格格式），ogi 只读取 .xlsx："
               "请用 WPS/Excel 打开后另存为 .xlsx 再交")
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"

#: Caps applied before openpyxl or python-docx opens a package (zip-bomb guard).
MAX_INPUT_BYTES = 50 * 1024 * 1024
MAX_UNCOMPRESSED_BYTES = 200 * 1024 * 1024
MAX_MEMBER_RATIO = 200  # uncompressed / compressed for one member larger than 1 MiB
MAX_MEMBERS = 2000

_WINDOWS_RESERVED = {"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(1, 10)),
                     *(f"LPT{i}" for i in range(1, 10))}
_UNSAFE_CHARS = re.compile(r'[<>:"/\\|?*\x00-\x1f\x7f]')
#: Every file system ogi meets (ext4, NTFS, SMB, APFS) allows 255 bytes (or UTF-16 units) per name.
MAX_NAME_BYTES = 255
#: Room kept for a suffix a name may later get (``.docx`` -> ``.json`` / ``.pdf``).
NAME_SUFFIX_ROOM = 8

LOCKED_MESSAGE = "文件正被其他程序打开（例如 WPS），请关闭后重试"
#: Windows error codes for a file held open by another program (sharing / lock violation).
_WINERROR_LOCKED = {32, 33}

#: Test hook: a folder in which a publishing process announces itself (a file named after its pid)
#: and then waits for a file named ``go`` (or ``go-<pid>``) before publishing. Lets a test hold two
#: runs between the existence check and the publish, or interrupt one there, deterministically.
PUBLISH_BARRIER_ENV = "OGI_TEST_PUBLISH_BARRIER"


def safe_filename(name: str, *, fallback: str = "未命名", suffix: str = "") -> str:
    """A file name (without folder) that is valid on Windows, macOS and Linux shares: ``name``
    cleaned, then ``suffix`` (e.g. ``.docx``) appended. The one place names are capped.

    Path separators and characters Windows forbids become ``_``; reserved device names (``CON``,
    ``LPT1``) get a ``_`` prefix; trailing dots and spaces go; invisible format characters (a U+202E
    that shows "…exe.docx" for "…docx.exe") are removed; the name is cut (never the suffix) so that
    name and suffix stay within :data:`MAX_NAME_BYTES` UTF-8 bytes with :data:`NAME_SUFFIX_ROOM`
    to spare.
    """
    name = unicodedata.normalize("NFC", strip_invisible(name)[0])
    name = _UNSAFE_CHARS.sub("_", name).strip().strip(".").strip()
    name = re.sub(r"_{2,}", "_", name)
    if name.replace("_", "") == "":
        name = fallback
    stem = name.split(".")[0]
    if stem.upper() in _WINDOWS_RESERVED:
        name = "_" + name
    budget = MAX_NAME_BYTES - NAME_SUFFIX_ROOM - len(suffix.encode("utf-8"))
    if len(name.encode("utf-8")) > budget:
        name = name.encode("utf-8")[:budget].decode("utf-8", "ignore").rstrip(". ")
    return name + suffix


# ------------------------------------------------------------------------------------------------
# What a run reads: never an output


def _file_key(path: Path) -> tuple[int, int] | None:
    st = _stat_or_none(path)
    return (st.st_dev, st.st_ino) if st is not None else None


def _resolved(path: Path) -> str:
    try:
        return os.path.normcase(str(Path(path).resolve()))
    except (OSError, RuntimeError):
        return os.path.normcase(os.path.abspath(path))


class InputSet:
    """The files a run is about to read (inputs, roster, last year's workbooks), recorded before any
    work starts by device and inode and by resolved path, so that no output can land on one of them
    (a hard link, a second name, ``..`` or a symlink included). Lookups are O(1): a batch of 500
    files costs 500 stats once, not 500 per output."""

    def __init__(self, paths: Iterable[Path] = ()) -> None:
        self._keys: set[tuple[int, int]] = set()
        self._names: set[str] = set()
        for p in paths:
            self.add(p)

    def add(self, path: Path | None) -> None:
        if path is None:
            return
        path = Path(path)
        if path.is_dir():
            self.add_folder(path)
            return
        key = _file_key(path)
        if key is not None:
            self._keys.add(key)
        self._names.add(_resolved(path))

    def add_folder(self, folder: Path) -> None:
        """Every file under ``folder`` (what status, summary and --previous read from it)."""
        for root, _dirs, files in os.walk(folder):
            for name in files:
                self.add(Path(root) / name)

    def holds(self, path: Path) -> bool:
        key = _file_key(Path(path))
        return (key is not None and key in self._keys) or _resolved(Path(path)) in self._names


Protect = InputSet | Iterable[Path]


def _as_inputs(protect: Protect) -> InputSet:
    return protect if isinstance(protect, InputSet) else InputSet(protect)


def check_target(path: Path, *, overwrite: bool = False, protect: Protect = (),
                 replaceable: Callable[[Path], bool] | None = None,
                 exists_message: str = "文件已存在；如需覆盖，请加 --overwrite") -> bool:
    """Refuse an output before any work starts. Returns whether the target exists (and may be
    replaced). An input is refused whatever the flags; an existing file needs ``overwrite`` unless
    ``replaceable(path)`` says it is ogi's own earlier output of the same kind."""
    path = Path(path)
    if _as_inputs(protect).holds(path):
        raise OutputError("输出文件不能覆盖输入文件（或名单、交回的工作簿），请换一个输出位置", path=path)
    folder = path.parent if str(path.parent) else Path(".")
    try:
        if not folder.is_dir():
            raise OutputError("输出文件夹不存在", path=folder)
        os.lstat(path)
        exists = True
    except FileNotFoundError:
        exists = False
    except OSError as exc:  # a name the OS refuses (too long): said now, before any work
        raise OutputError(os_error_message(exc), path=path) from exc
    if exists and not overwrite and not (replaceable is not None and replaceable(path)):
        raise OutputError(exists_message, path=path)
    return exists


# ------------------------------------------------------------------------------------------------
# Publishing

_LIVE_TEMPS: set[str] = set()


def remove_temp_files() -> None:
    """Remove every temporary file this process is still writing (on Ctrl+C, SIGTERM, exit)."""
    for tmp in list(_LIVE_TEMPS):
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        _LIVE_TEMPS.discard(tmp)


atexit.register(remove_temp_files)


def atomic_write_bytes(path: Path, data: bytes, *, overwrite: bool = False, protect: Protect = (),
                       replaceable: Callable[[Path], bool] | None = None) -> Path:
    """The one publish step. Write ``data`` to ``path`` atomically and without clobbering.

    Bytes go to a temporary file in the target folder (flushed to disk). Then, for a new file, the
    temporary file is hard-linked to the final name, which fails if the name exists meanwhile (two
    concurrent runs can never both publish one name); where hard links do not work (SMB shares,
    FAT), the name is claimed with an ``O_EXCL`` create and the temporary file renamed over the
    claim. ``overwrite`` (or ``replaceable(path)``: ogi's own earlier output of the same kind)
    replaces an existing file in one rename, but never a path in ``protect`` (the inputs). A file
    another program holds open gives :data:`LOCKED_MESSAGE`. The temporary file never survives.
    """
    path = Path(path)
    inputs = _as_inputs(protect)
    replace_existing = check_target(path, overwrite=overwrite, protect=inputs, replaceable=replaceable)
    seen = _entry_key(path) if replace_existing else None  # the entry the check allowed to replace
    folder = path.parent if str(path.parent) else Path(".")
    try:
        fd, tmp = tempfile.mkstemp(prefix=".ogi-", suffix=".tmp", dir=folder)
    except OSError as exc:
        raise OutputError(f"无法在此文件夹写入文件（{os_error_message(exc)}）", path=folder) from exc
    _LIVE_TEMPS.add(tmp)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        # mkstemp creates 0600; an archived report must be readable by colleagues on the share.
        os.chmod(tmp, 0o666 & ~_umask())
        _barrier()
        if inputs.holds(path):  # a link or rename made meanwhile: the check again, at the last moment
            raise OutputError("输出文件不能覆盖输入文件（或名单、交回的工作簿），请换一个输出位置", path=path)
        now = _entry_key(path) if replace_existing else None
        if now is None:  # new, or gone meanwhile: only a name nobody holds
            _publish_new(tmp, path)
        elif now != seen:  # another run published here since the check: its file stays
            raise _Exists(errno.EEXIST, "replaced meanwhile")
        else:
            os.replace(tmp, path)
    except OSError as exc:
        raise OutputError(_publish_error(exc, path), path=path) from exc
    finally:  # also on KeyboardInterrupt and on the SystemExit that SIGTERM raises (see ogi.cli)
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        _LIVE_TEMPS.discard(tmp)
    return path


class _Exists(OSError):
    pass


def _entry_key(path: Path) -> tuple[int, int, int] | None:
    """What the name ``path`` is now (a symlink itself, not its target), or None when it is free."""
    try:
        st = os.lstat(path)
    except OSError:
        return None
    return (st.st_dev, st.st_ino, st.st_mtime_ns)


def _publish_new(tmp: str, path: Path) -> None:
    """Give ``tmp``'s bytes the name ``path`` only if no file has that name (no-clobber)."""
    try:
        os.link(tmp, path)
        return
    except FileExistsError as exc:
        raise _Exists(errno.EEXIST, "exists") from exc
    except OSError as exc:
        if exc.errno not in _NO_LINK_ERRNOS and getattr(exc, "winerror", None) is None:
            raise
    # No hard links here (SMB share, FAT, some NAS): claim the name exclusively, then rename the
    # complete file over the claim. Only this process can own the claim, so nothing is clobbered.
    try:
        claim = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    except FileExistsError as exc:
        raise _Exists(errno.EEXIST, "exists") from exc
    os.close(claim)
    try:
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(path)  # the empty claim, never someone else's file
        raise


#: What link() answers where a file system has no hard links (not every errno exists everywhere).
_NO_LINK_ERRNOS = {getattr(errno, name) for name in ("EPERM", "ENOTSUP", "EOPNOTSUPP", "EXDEV", "EMLINK",
                                                     "ENOSYS", "EACCES", "EINVAL") if hasattr(errno, name)}


def _publish_error(exc: OSError, path: Path) -> str:
    if isinstance(exc, _Exists) and exc.strerror == "replaced meanwhile":
        return "文件在生成期间被改写（可能是同时运行的另一个 ogi），未覆盖它；请核对后重试"
    if isinstance(exc, _Exists):
        return "文件已存在（可能是同时运行的另一个 ogi 刚刚生成的）；如需覆盖，请加 --overwrite"
    return f"写入失败（{os_error_message(exc, target=path)}）"


def _barrier() -> None:
    folder = os.environ.get(PUBLISH_BARRIER_ENV)
    if not folder:
        return

    Path(folder, str(os.getpid())).touch()
    deadline = time.monotonic() + 60
    go = (Path(folder, "go"), Path(folder, f"go-{os.getpid()}"))  # all at once, or one by one
    while not any(p.exists() for p in go) and time.monotonic() < deadline:
        time.sleep(0.01)


def is_locked_error(exc: OSError, target: Path | None = None) -> bool:
    """Whether an OS error means another program holds the file open: a Windows sharing or lock
    violation, or access denied on a file that exists in a folder ogi could write to (Windows
    refuses to replace a file WPS or Excel has open with "access denied")."""
    if getattr(exc, "winerror", None) in _WINERROR_LOCKED:
        return True
    if isinstance(exc, PermissionError) and target is not None:
        try:
            return os.path.lexists(target) and os.access(Path(target).parent, os.W_OK)
        except OSError:
            return False
    return False


def os_error_message(exc: OSError, *, target: Path | None = None) -> str:
    """An OS error in Chinese: what went wrong and what to do, never the English strerror alone."""
    code = exc.errno
    if is_locked_error(exc, target):
        return LOCKED_MESSAGE
    if code == errno.ENAMETOOLONG or getattr(exc, "winerror", None) in (206,):
        return (f"路径过长：每一级文件夹或文件名最多 {MAX_NAME_BYTES} 字节"
                f"（约 {MAX_NAME_BYTES // 3} 个汉字），整个路径最多 {_path_max()} 字节，请换一个较短的名称或位置")
    if code in (errno.EACCES, errno.EPERM):
        return "没有权限（文件夹只读、无权访问，或文件正被其他程序打开）"
    if code == errno.ENOSPC:
        return "磁盘空间已满"
    if code == errno.EROFS:
        return "这是只读的位置"
    if code == errno.ENOENT:
        return "找不到文件或文件夹"
    if code == errno.ENOTDIR:
        return "路径中的某一级不是文件夹"
    if code == errno.EISDIR:
        return "这是一个文件夹，不是文件"
    return f"系统错误：{exc.strerror or exc}"


def _path_max() -> int:
    return 260 if os.name == "nt" else 4096


def ensure_output_dir(folder: Path, *, not_a_file: str = "输出位置是一个文件，不是文件夹") -> Path:
    """The output folder, created (with parents) when missing; a file in its place is an error."""
    folder = Path(folder)
    if folder.exists() and not folder.is_dir():
        raise OutputError(not_a_file, path=folder)
    if not folder.exists():
        try:
            folder.mkdir(parents=True)
        except OSError as exc:
            raise OutputError(f"无法创建输出文件夹（{exc.strerror or exc}）", path=folder) from exc
    return folder


@functools.lru_cache(maxsize=1)
def _umask() -> int:
    """The process umask (read once: os.umask can only be read by setting it)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _stat_or_none(path: Path) -> os.stat_result | None:
    try:
        return path.stat()
    except OSError:
        return None


def read_capped(path: Path, *, what: str = "文件", limit: int = MAX_INPUT_BYTES) -> bytes:
    """Read an input file whole: regular files only (a FIFO, device or socket is refused before it
    is opened), the size cap counted on the bytes actually read (``stat()`` may lie: ``/dev/zero``,
    a file still growing), empty files refused."""
    path = Path(path)
    try:
        st = os.stat(path)
    except FileNotFoundError as exc:
        raise InputError(f"找不到{what}", path=path) from exc
    except OSError as exc:
        raise InputError(f"无法读取{what}（{os_error_message(exc)}）", path=path) from exc
    if stat.S_ISDIR(st.st_mode):
        raise InputError(f"这是一个文件夹，不是{what}", path=path)
    if not stat.S_ISREG(st.st_mode):
        raise InputError(f"这不是普通文件（是设备、管道或套接字），不能作为{what}读取", path=path)
    too_big = InputError(f"{what}过大，超过 {limit // 1024 // 1024} MB 上限", path=path)
    if st.st_size > limit:
        raise too_big
    flags = os.O_RDONLY | getattr(os, "O_BINARY", 0) | getattr(os, "O_NONBLOCK", 0)
    try:
        fd = os.open(path, flags)
        with os.fdopen(fd, "rb") as fh:
            if not stat.S_ISREG(os.fstat(fh.fileno()).st_mode):  # swapped after the stat above
                raise InputError(f"这不是普通文件（是设备、管道或套接字），不能作为{what}读取", path=path)
            chunks: list[bytes] = []
            total = 0
            while chunk := fh.read(min(1024 * 1024, limit + 1 - total)):
                total += len(chunk)
                if total > limit:
                    raise too_big
                chunks.append(chunk)
        data = b"".join(chunks)
    except PermissionError as exc:
        raise InputError(f"没有读取权限：{what}无法打开", path=path) from exc
    except OSError as exc:
        raise InputError(f"无法读取{what}（{os_error_message(exc)}）", path=path) from exc
    if not data:
        raise InputError(f"{what}是空的（0 字节）", path=path)
    return data


def check_zip_package(data: bytes, path: Path, *, kind: str = "xlsx") -> zipfile.ZipFile:
    """Open an OOXML package from bytes after checking it is a sane, bounded zip.

    Detects legacy/encrypted OLE files, non-zips, truncated zips and zip bombs before any XML
    parser runs. Returns the open ZipFile.
    """

    label = {"xlsx": "Excel 工作簿", "docx": "Word 文档"}.get(kind, "文件")
    if data.startswith(OLE_MAGIC):
        if kind == "xlsx":
            raise InputError("这是旧版 .xls/.et 格式或加了密码的工作簿，ogi 无法读取。"
                             "请用 WPS/Excel 打开后“另存为” .xlsx 格式（如设置了打开密码，请先取消密码）",
                             path=path)
        raise InputError("这是旧版 .doc 格式或加了密码的文档，请用 WPS/Word 另存为 .docx 格式",
                         path=path)
    if not data.startswith(ZIP_MAGIC):
        raise InputError(f"这不是 {label}（文件内容不是 .{kind} 格式）", path=path)
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        infos = zf.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise InputError(f"文件已损坏或不完整（可能是邮件附件未下载完整），无法作为 {label} 打开",
                         path=path) from exc
    if len(infos) > MAX_MEMBERS:
        raise InputError(f"{label}内部文件数量异常（{len(infos)} 个），拒绝打开", path=path)
    total = 0
    for info in infos:
        total += info.file_size
        if info.file_size > 1024 * 1024 and info.file_size > MAX_MEMBER_RATIO * max(info.compress_size, 1):
            raise InputError(f"{label}内部数据压缩比异常（疑似“压缩炸弹”），拒绝打开", path=path)
    if total > MAX_UNCOMPRESSED_BYTES:
        raise InputError(f"{label}解压后过大（{total // 1024 // 1024} MB），拒绝打开", path=path)
    names = {i.filename for i in infos}
    if "mimetype" in names and "[Content_Types].xml" not in names:
        is_ods = False
        with contextlib.suppress(Exception):
            is_ods = zf.read("mimetype").strip() == ODS_MIMETYPE
        if is_ods:
            raise InputError(ODS_PROBLEM, path=path)
    if "[Content_Types].xml" not in names:
        raise InputError(f"文件已损坏：缺少 [Content_Types].xml，不是有效的 {label}", path=path)
    other = {"xlsx": ("word/document.xml", "Word 文档（.docx）"),
             "docx": ("xl/workbook.xml", "Excel 工作簿（.xlsx）")}.get(kind)
    if other is not None and other[0] in names and (kind != "xlsx" or "xl/workbook.xml" not in names):
        raise InputError(f"这是{other[1]}，不是 {label}（可能是改错了扩展名或选错了文件）", path=path)
    bad = zf.testzip() if len(data) < 5 * 1024 * 1024 else None
    if bad is not None:
        raise InputError(f"文件已损坏（内部文件 {bad} 校验失败）", path=path)
    return zf
