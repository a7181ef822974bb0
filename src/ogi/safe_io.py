"""Safe file handling: sniff and cap inputs before a parser sees them, write outputs atomically,
and make file names that survive a Windows file share.

Inputs are never written to. Outputs appear complete or not at all: bytes go to a temporary file in
the target folder, are flushed to disk, then renamed over the final name in one step.
"""

from __future__ import annotations

import contextlib
import functools
import os
import re
import tempfile
import unicodedata
import zipfile
from pathlib import Path

from .errors import InputError, OutputError
from .invisible import strip_invisible

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
MAX_NAME_CHARS = 120


def safe_filename(name: str, *, fallback: str = "未命名") -> str:
    """A file name (without folder) that is valid on Windows, macOS and Linux shares.

    Path separators and characters Windows forbids become ``_``; reserved device names (``CON``,
    ``LPT1``) get a ``_`` prefix; trailing dots and spaces go; the length is capped. Invisible
    format characters (a U+202E that shows "…exe.docx" for "…docx.exe") are removed.
    """
    name = unicodedata.normalize("NFC", strip_invisible(name)[0])
    name = _UNSAFE_CHARS.sub("_", name).strip().strip(".").strip()
    name = re.sub(r"_{2,}", "_", name)
    if name.replace("_", "") == "":
        name = fallback
    stem = name.split(".")[0]
    if stem.upper() in _WINDOWS_RESERVED:
        name = "_" + name
    if len(name) > MAX_NAME_CHARS:
        name = name[:MAX_NAME_CHARS].rstrip(". ")
    return name


def atomic_write_bytes(path: Path, data: bytes, *, overwrite: bool = False,
                       protect: tuple[Path, ...] = ()) -> Path:
    """Write ``data`` to ``path`` atomically. Refuses to replace an existing file unless
    ``overwrite``, and always refuses to replace any path in ``protect`` (the inputs)."""
    path = Path(path)
    folder = path.parent if str(path.parent) else Path(".")
    # A target that does not exist yet cannot be an input; one that does is compared by device and
    # inode (one stat each, not a resolve() per input: a batch of N files must not cost N² resolves).
    target = _stat_or_none(path) if protect else None
    for p in protect if target is not None else ():
        p_stat = _stat_or_none(Path(p))
        if p_stat is not None and os.path.samestat(target, p_stat):
            raise OutputError("输出文件不能覆盖输入文件，请换一个输出位置", path=path)
    if not folder.is_dir():
        raise OutputError("输出文件夹不存在", path=folder)
    if path.exists() and not overwrite:
        raise OutputError("文件已存在；如需覆盖，请加 --overwrite", path=path)
    try:
        fd, tmp = tempfile.mkstemp(prefix=".ogi-", suffix=".tmp", dir=folder)
    except OSError as exc:
        raise OutputError(f"无法在此文件夹写入文件（{exc.strerror or exc}）", path=folder) from exc
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        # mkstemp creates 0600; an archived report must be readable by colleagues on the share.
        os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, path)
    except OSError as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise OutputError(f"写入失败（{exc.strerror or exc}）", path=path) from exc
    return path


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


def read_capped(path: Path, *, what: str = "文件") -> bytes:
    """Read an input file whole, refusing folders, missing, empty and oversized files."""
    path = Path(path)
    if not path.exists():
        raise InputError(f"找不到{what}", path=path)
    if path.is_dir():
        raise InputError(f"这是一个文件夹，不是{what}", path=path)
    try:
        size = path.stat().st_size
        if size > MAX_INPUT_BYTES:
            raise InputError(f"{what}过大（{size // 1024 // 1024} MB），超过 "
                             f"{MAX_INPUT_BYTES // 1024 // 1024} MB 上限", path=path)
        data = path.read_bytes()
    except PermissionError as exc:
        raise InputError(f"没有读取权限：{what}无法打开", path=path) from exc
    except OSError as exc:
        raise InputError(f"无法读取{what}（{exc.strerror or exc}）", path=path) from exc
    if not data:
        raise InputError(f"{what}是空的（0 字节）", path=path)
    return data


def check_zip_package(data: bytes, path: Path, *, kind: str = "xlsx") -> zipfile.ZipFile:
    """Open an OOXML package from bytes after checking it is a sane, bounded zip.

    Detects legacy/encrypted OLE files, non-zips, truncated zips and zip bombs before any XML
    parser runs. Returns the open ZipFile.
    """
    import io

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
