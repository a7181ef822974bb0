"""Work that must not take the machine down: text extraction in a child process with a time
limit, a memory limit and a character limit, and worker processes that end when the process that
started them ends.

``ogi import`` extracts PDF and HTML text here: pdfminer can spend minutes and gigabytes on a
crafted 2 KB PDF, and a crash in C code (SIGSEGV) must become a Chinese message, not a dead run.
The parent waits at most :data:`EXTRACT_SECONDS`; the child's memory is capped at
:data:`EXTRACT_MEMORY_BYTES` (POSIX: its address space above what it inherited, RLIMIT_AS;
Windows: a job object's per-process limit); the readers refuse more than
:data:`MAX_EXTRACTED_CHARS` characters as they extract.

:func:`die_with_parent` makes a worker (``ogi fill --jobs N``) end when its parent dies, even by
``kill -9``: on Linux the kernel sends SIGKILL (``PR_SET_PDEATHSIG``); everywhere (Windows, macOS)
a watcher thread waits on the parent's process handle and exits when it is gone.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import signal
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..errors import InputError, OgiError

#: About 2,000,000 characters: a long annual report has 30,000.
MAX_EXTRACTED_CHARS = 2_000_000
#: Seconds one document's text extraction may take (a real report takes well under 2 s).
EXTRACT_SECONDS = 20.0
#: Memory the extraction may use on top of what the process had when it started.
EXTRACT_MEMORY_BYTES = 1536 * 1024 * 1024
#: Environment variable that turns the child process off (debugging with pdb, profiling).
INLINE_ENV = "OGI_EXTRACT_INLINE"


class LimitExceeded(InputError):
    """A document exceeded an extraction limit (characters, time, memory)."""


def chars_limit_error(what: str, path: Path) -> LimitExceeded:
    return LimitExceeded(f"{what}中的文字超过 {MAX_EXTRACTED_CHARS:,} 个字符的上限，"
                         "不像是一份年度报告（文件可能被恶意构造或已损坏）", path=path)


def check_chars(total: int, what: str, path: Path) -> None:
    """Raise when ``total`` extracted characters exceed :data:`MAX_EXTRACTED_CHARS`."""
    if total > MAX_EXTRACTED_CHARS:
        raise chars_limit_error(what, path)


def run_bounded(func: Callable[..., Any], *args: Any, what: str, path: Path,
                timeout: float = EXTRACT_SECONDS, memory: int = EXTRACT_MEMORY_BYTES) -> Any:
    """``func(*args)`` in a child process within ``timeout`` seconds and ``memory`` bytes.

    Returns what ``func`` returns (it must pickle). An :class:`~ogi.errors.OgiError` raised in the
    child is raised here with its message; running out of time or memory, or dying by a signal,
    becomes a :class:`LimitExceeded` naming the limit. The child is killed when the time is up.
    """
    if os.environ.get(INLINE_ENV):
        return func(*args)
    ctx = multiprocessing.get_context("fork" if sys.platform.startswith("linux") else "spawn")
    receiver, sender = ctx.Pipe(duplex=False)
    child = ctx.Process(target=_child_main, args=(sender, func, args, memory), daemon=True)
    try:
        child.start()
    except (OSError, AssertionError):  # no process left to start, or this is a daemonic worker
        sender.close()
        receiver.close()
        return func(*args)
    sender.close()
    try:
        if not receiver.poll(timeout):
            raise LimitExceeded(f"读取{what}超过 {timeout:.0f} 秒的时间上限，已停止"
                                "（文件可能被恶意构造、过于复杂或已损坏）", path=path)
        try:
            kind, payload = receiver.recv()
        except (EOFError, OSError):
            kind, payload = "died", None
    finally:
        receiver.close()
        if child.is_alive():
            child.kill()
        child.join()
    if kind == "ok":
        return payload
    if kind == "ogi":
        cls, message, code = payload
        try:
            exc = cls(message, path=path)
        except Exception:  # an error class with another signature: keep the message
            exc = InputError(message, path=path)
        exc.exit_code = code
        raise exc
    if kind == "memory":
        raise LimitExceeded(f"读取{what}所需内存超过 {memory // 1024 // 1024} MB 的上限，已停止"
                            "（文件可能被恶意构造或已损坏）", path=path)
    if kind == "crash":
        raise InputError(f"无法解析这个{what}（内部错误 {payload}）；请把文件发给县级政务公开办或 ogi 维护者",
                         path=path)
    code = child.exitcode
    how = f"信号 {-code}" if code is not None and code < 0 else f"退出码 {code}"
    raise LimitExceeded(f"读取{what}时解析程序异常退出（{how}），可能是文件过大、被恶意构造或已损坏",
                        path=path)


def _child_main(sender: Any, func: Callable[..., Any], args: tuple[Any, ...], memory: int) -> None:
    die_with_parent()
    _limit_memory(memory)
    try:
        result: tuple[str, Any] = ("ok", func(*args))
    except OgiError as exc:
        result = ("ogi", (type(exc), exc.message, exc.exit_code))
    except MemoryError:
        result = ("memory", None)
    except Exception as exc:
        result = ("crash", type(exc).__name__)
    try:
        sender.send(result)
    except MemoryError:
        sender.send(("memory", None))
    sender.close()


def _limit_memory(extra: int) -> None:
    if sys.platform == "win32":
        _limit_memory_windows(extra)
        return
    try:
        import resource
    except ImportError:  # no setrlimit: the time limit still bounds the damage
        return
    try:
        with open("/proc/self/statm", encoding="ascii") as fh:
            current = int(fh.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        current = 0
    limit = current + extra
    _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    with contextlib.suppress(ValueError, OSError):
        resource.setrlimit(resource.RLIMIT_AS, (limit, hard))


def _limit_memory_windows(limit: int) -> None:
    """Put this process in a job object whose per-process memory limit is ``limit`` bytes (what
    RLIMIT_AS does on POSIX); allocation beyond it fails with MemoryError. Not exercised by the
    test suite (it runs on Linux); any failure leaves only the time limit."""
    try:
        import ctypes
        from ctypes import wintypes

        class IoCounters(ctypes.Structure):
            _fields_ = [(name, ctypes.c_ulonglong) for name in (
                "ReadOperationCount", "WriteOperationCount", "OtherOperationCount",
                "ReadTransferCount", "WriteTransferCount", "OtherTransferCount")]

        class BasicLimits(ctypes.Structure):
            _fields_ = [("PerProcessUserTimeLimit", ctypes.c_int64),
                        ("PerJobUserTimeLimit", ctypes.c_int64),
                        ("LimitFlags", wintypes.DWORD),
                        ("MinimumWorkingSetSize", ctypes.c_size_t),
                        ("MaximumWorkingSetSize", ctypes.c_size_t),
                        ("ActiveProcessLimit", wintypes.DWORD),
                        ("Affinity", ctypes.c_size_t),
                        ("PriorityClass", wintypes.DWORD),
                        ("SchedulingClass", wintypes.DWORD)]

        class ExtendedLimits(ctypes.Structure):
            _fields_ = [("BasicLimitInformation", BasicLimits),
                        ("IoInfo", IoCounters),
                        ("ProcessMemoryLimit", ctypes.c_size_t),
                        ("JobMemoryLimit", ctypes.c_size_t),
                        ("PeakProcessMemoryUsed", ctypes.c_size_t),
                        ("PeakJobMemoryUsed", ctypes.c_size_t)]

        kernel32 = ctypes.WinDLL("kernel32", use_last_error=True)  # type: ignore[attr-defined]
        kernel32.CreateJobObjectW.restype = wintypes.HANDLE
        kernel32.GetCurrentProcess.restype = wintypes.HANDLE
        job = kernel32.CreateJobObjectW(None, None)
        if not job:
            return
        info = ExtendedLimits()
        info.BasicLimitInformation.LimitFlags = 0x00000100  # JOB_OBJECT_LIMIT_PROCESS_MEMORY
        info.ProcessMemoryLimit = limit
        job_object_extended_limit_information = 9
        if kernel32.SetInformationJobObject(wintypes.HANDLE(job), job_object_extended_limit_information,
                                            ctypes.byref(info), ctypes.sizeof(info)):
            kernel32.AssignProcessToJobObject(wintypes.HANDLE(job),
                                              wintypes.HANDLE(kernel32.GetCurrentProcess()))
    except Exception:  # an old Windows, a job that may not nest: the time limit remains
        return


# ------------------------------------------------------------------------------------------------
# Processes that end with their parent

PR_SET_PDEATHSIG = 1


def die_with_parent(*, ignore_ctrl_c: bool = True) -> None:
    """End this (child) process when its parent process ends, however the parent ended. With
    ``ignore_ctrl_c`` the child leaves Ctrl+C (sent to the whole console) to its parent, which
    shuts it down: no traceback from every worker."""
    if ignore_ctrl_c:
        with contextlib.suppress(ValueError, OSError):
            signal.signal(signal.SIGINT, signal.SIG_IGN)
    parent = multiprocessing.parent_process()
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):
            import ctypes

            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if parent is not None:
        if parent.pid is not None and not _alive(parent):  # it died before the prctl took effect
            os._exit(1)
        threading.Thread(target=_exit_when_gone, args=(parent,), daemon=True,
                         name="ogi-parent-watch").start()


def _alive(parent: Any) -> bool:
    try:
        return bool(parent.is_alive())
    except (OSError, ValueError, AssertionError):
        return True


def _exit_when_gone(parent: Any) -> None:
    """Block on the parent's sentinel (a pipe end on POSIX, the process handle on Windows)."""
    try:
        parent.join()
    except (OSError, ValueError, AssertionError):
        return
    os._exit(1)
