"""One background job per year folder at a time, with progress the page polls."""

from __future__ import annotations

import threading
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ..errors import OgiError


@dataclass
class Job:
    name: str
    done: int = 0
    total: int = 0
    message: str = ""
    running: bool = True
    error: str = ""
    lines: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "done": self.done, "total": self.total, "message": self.message,
                "running": self.running, "error": self.error, "lines": self.lines[-200:]}


class Cancelled(Exception):
    """The server is stopping: the job ends between two files."""


class Busy(OgiError):
    """Another job of this year folder is still running."""


class JobRunner:
    """Runs one job at a time in a daemon thread. Every file a job writes goes through ogi's atomic
    publish step, so a server stopped mid-job leaves finished files and no half-written one."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.job: Job | None = None

    def checkpoint(self) -> None:
        """Called by a job between two files: raises :class:`Cancelled` once the server stops."""
        if self._stop.is_set():
            raise Cancelled

    def stop(self, timeout: float = 120) -> bool:
        """Ask the running job to end after its current file and wait for it; True if it ended."""
        self._stop.set()
        thread = self._thread
        if thread is None or not thread.is_alive():
            return True
        thread.join(timeout)
        return not thread.is_alive()

    def start(self, name: str, work: Callable[[Job], None]) -> Job:
        with self._lock:
            if self.job is not None and self.job.running:
                raise Busy(f"“{self.job.name}”还在进行中，请等它完成后再开始“{name}”")
            job = self.job = Job(name)
        thread = threading.Thread(target=self._run, args=(job, work), daemon=True,
                                  name=f"ogi-job-{name}")
        self._thread = thread
        thread.start()
        return job

    def _run(self, job: Job, work: Callable[[Job], None]) -> None:
        try:
            work(job)
            if not job.message:
                job.message = "已完成"
        except Cancelled:
            job.error = "服务器已停止，任务在两个文件之间结束（已写好的文件完整保留）"
        except OgiError as exc:
            job.error = str(exc)
        except Exception as exc:  # shown in Chinese on the page; the traceback goes to the console
            traceback.print_exc()
            job.error = f"出现意外错误（{type(exc).__name__}），请查看 ogi serve 窗口中的信息"
        finally:
            job.running = False
