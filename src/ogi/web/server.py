"""Start the app on a free (or given) port with waitress; print the URL first; stop on Ctrl+C."""

from __future__ import annotations

import contextlib
import secrets
import sys
import threading
import webbrowser
from collections.abc import Callable
from pathlib import Path

from ..county.year import LOCK_REFRESH_SECONDS
from ..errors import InputError
from .app import LOOPBACK_NAMES, ServerConfig, create_app, is_loopback


def _url_host(host: str) -> str:
    return f"[{host}]" if ":" in host and not host.startswith("[") else host


def _local_names() -> set[str]:
    import socket

    names = {socket.gethostname().lower(), socket.getfqdn().lower()}
    with contextlib.suppress(OSError):
        names |= set(socket.gethostbyname_ex(socket.gethostname())[2])
    return names


def _lan_address() -> str:
    """This PC's address on the office network (what a colleague types), else its name."""
    import socket

    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
            probe.connect(("10.255.255.255", 1))  # no packet is sent: only picks the outgoing interface
            return str(probe.getsockname()[0])
    except OSError:
        return socket.gethostname()


def serve(folder: Path, *, host: str = "127.0.0.1", port: int = 0, open_browser: bool = True,
          echo: Callable[[str], None] = print) -> None:
    from waitress.server import create_server

    loopback = is_loopback(host)
    token = None if loopback else secrets.token_urlsafe(24)
    config = ServerConfig(Path(folder), host=host, port=port, token=token)
    app = create_app(config)
    ogi = app.extensions["ogi"]
    year, lock, runner = ogi["year"], ogi["lock"], ogi["runner"]
    stop = threading.Event()
    server = None
    try:  # from here on, Ctrl+C at any moment releases the folder's lock
        try:
            server = create_server(app, host=host, port=port, threads=8, ident="ogi",
                                   max_request_body_size=app.config["MAX_CONTENT_LENGTH"] + 1024 * 1024,
                                   clear_untrusted_proxy_headers=True)
        except OSError as exc:
            raise InputError(f"无法在 {host}:{port} 上启动（{exc.strerror or exc}）；"
                             "请换一个端口（--port）或不指定端口") from exc
        bound = server.effective_port  # type: ignore[union-attr]
        config.port = bound
        names = {_url_host(host).lower()} | (set(LOOPBACK_NAMES) if loopback else set())
        if host in ("0.0.0.0", "::"):  # every address of this PC: its names and addresses
            names |= _local_names() | set(LOOPBACK_NAMES) | {_lan_address()}
        config.allowed_hosts = {f"{n}:{bound}" for n in names}
        shown = _lan_address() if host in ("0.0.0.0", "::") else _url_host(host)  # a URL colleagues can open
        url = f"http://{shown}:{bound}/" + (f"?token={token}" if token else "")
        echo(url)
        sys.stdout.flush()
        echo(f"正在服务 {year.year} 年度文件夹：{year.root}")
        if not lock.held:
            echo("注意：另一位同事正在使用这个文件夹，页面为只读。" + (lock.other.describe() if lock.other else ""))
        if token:
            echo("本机以外的电脑也可访问：请只把上面的完整地址（含 token）告诉需要的同事。")
        echo("按 Ctrl+C 停止。")
        sys.stdout.flush()

        def refresh() -> None:
            while not stop.wait(LOCK_REFRESH_SECONDS):
                if lock.held:
                    lock.refresh()
                elif lock.acquire():  # the colleague closed the folder: this page may now change it
                    echo("另一位同事已关闭这个年度文件夹，本页面现在可以修改。")

        threading.Thread(target=refresh, daemon=True, name="ogi-lock").start()
        if open_browser:
            threading.Timer(0.5, webbrowser.open, args=(url,)).start()
        server.run()
    except KeyboardInterrupt:
        pass
    finally:
        stop.set()
        if server is not None:
            server.close()
        if runner.job is not None and runner.job.running:
            echo(f"正在结束“{runner.job.name}”（当前文件写完即停）……")
        runner.stop()
        lock.release()
        if server is not None:
            echo("已停止。")
