"""`downtime_open`: open a downtime bundle on the downtime PC, with no database, no network and
no Django: only Python and the `cryptography` package.

    downtime_open BUNDLE_OR_FOLDER --key-file unit.key            # prints the summary
    downtime_open BUNDLE_OR_FOLDER --key-file unit.key --extract D # HTML + PDFs into D
    downtime_open BUNDLE_OR_FOLDER --key-file unit.key --serve     # http://127.0.0.1:8765/

A folder opens its newest bundle. The key may also come from DOWNTIME_KEY or DOWNTIME_KEY_FILE;
a key file may hold several keys, one per line (after a key rotation). Exit status 0 when
opened, 2 with a Swedish message when not (no such file, wrong key, damaged bundle).
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import http.server
import io
import json
import os
import sys
import zipfile
from pathlib import Path
from typing import cast

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

SUFFIX = ".vmdt"
FORMAT = "vardmiljo-driftstopp/1"


class OpenError(Exception):
    """A bundle that cannot be opened; the message says why, in Swedish."""


def _keys(key: str | None, key_file: str | None) -> MultiFernet:
    raw: list[str] = []
    if key:
        raw.append(key)
    path = key_file or os.environ.get("DOWNTIME_KEY_FILE")
    if path:
        try:
            raw += [line.strip() for line in Path(path).read_text().splitlines() if line.strip()]
        except OSError as exc:
            raise OpenError(f"Nyckelfilen {path} kan inte läsas: {exc.strerror}.") from None
    if not raw and os.environ.get("DOWNTIME_KEY"):
        raw.append(os.environ["DOWNTIME_KEY"])
    if not raw:
        raise OpenError("Ingen nyckel: ange --key-file (eller --key, DOWNTIME_KEY_FILE, DOWNTIME_KEY).")
    try:
        return MultiFernet([Fernet(k.encode()) for k in raw])
    except ValueError:
        raise OpenError("Nyckeln har fel form: en nyckel är 44 tecken base64 (från `manage.py downtime_key`).") from None


def newest(path: Path) -> Path:
    if path.is_dir():
        found = sorted(p for p in path.glob(f"*{SUFFIX}") if not p.name.startswith("."))
        if not found:
            raise OpenError(f"Inga driftstoppspaket i {path}.")
        return found[-1]
    if not path.exists():
        raise OpenError(f"Filen {path} finns inte.")
    return path


def open_bundle(path: Path, keys: MultiFernet) -> tuple[dict[str, object], dict[str, bytes]]:
    """The manifest and the files of a bundle, each file checked against its SHA-256."""
    try:
        token = path.read_bytes()
    except OSError as exc:
        raise OpenError(f"Filen {path} kan inte läsas: {exc.strerror}.") from None
    try:
        data = keys.decrypt(token)
    except InvalidToken:
        raise OpenError(
            f"{path.name} kan inte öppnas: fel nyckel för enheten, eller så är filen skadad. Pröva föregående paket i samma mapp."
        ) from None
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            manifest = json.loads(z.read("manifest.json"))
            files = {name: z.read(name) for name in manifest["files"]}
    except (zipfile.BadZipFile, KeyError, ValueError):
        raise OpenError(f"{path.name} är inte ett driftstoppspaket som går att läsa.") from None
    if manifest.get("format") != FORMAT:
        raise OpenError(f"{path.name} har ett okänt format ({manifest.get('format')}).")
    for name, digest in manifest["files"].items():
        if hashlib.sha256(files[name]).hexdigest() != digest:
            raise OpenError(f"{path.name} är skadat: kontrollsumman för {name} stämmer inte.")
    return manifest, files


def _age(manifest: dict[str, object]) -> str:
    describes = dt.datetime.fromisoformat(str(manifest["describes"]))
    minutes = int((dt.datetime.now(dt.UTC) - describes).total_seconds() // 60)
    local = describes.astimezone().strftime("%Y-%m-%d %H:%M")
    return f"läget {local} (för {minutes} minuter sedan)"


def _serve(files: dict[str, bytes], port: int) -> None:
    types = {".html": "text/html; charset=utf-8", ".pdf": "application/pdf", ".txt": "text/plain; charset=utf-8"}

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (the standard library's name)
            name = self.path.lstrip("/") or "index.html"
            body = files.get(name)
            if body is None:
                self.send_error(404, "Finns inte i paketet")
                return
            self.send_response(200)
            self.send_header("Content-Type", types.get(Path(name).suffix, "application/octet-stream"))
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002
            pass

    # Loopback only: the bundle holds patient data and the downtime PC is not a server.
    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), Handler)
    print(f"Öppna http://127.0.0.1:{server.server_port}/ i webbläsaren. Ctrl-C avslutar.", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="downtime_open", description="Öppna ett driftstoppspaket (utan databas och nätverk).")
    parser.add_argument("bundle", help="paketfilen, eller mappen (då öppnas det nyaste paketet)")
    parser.add_argument("--key", help="enhetens nyckel")
    parser.add_argument("--key-file", help="fil med enhetens nyckel (en per rad)")
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--extract", metavar="MAPP", help="skriv index.html och PDF:erna i MAPP")
    group.add_argument("--serve", action="store_true", help="visa paketet i webbläsaren på den här datorn")
    parser.add_argument("--port", type=int, default=8765)
    args = parser.parse_args(argv)
    try:
        path = newest(Path(args.bundle))
        manifest, files = open_bundle(path, _keys(args.key, args.key_file))
    except OpenError as exc:
        print(f"downtime_open: {exc}", file=sys.stderr)
        return 2
    unit = cast(dict[str, str], manifest["unit"])
    print(f"{path.name}: {unit['name']} ({unit['hsa_id']}), {_age(manifest)}, {manifest['patients']} patienter.", flush=True)
    if args.extract:
        target = Path(args.extract)
        target.mkdir(parents=True, exist_ok=True)
        for name, data in files.items():
            (target / name).write_bytes(data)
        print(f"Skrev {', '.join(sorted(files))} i {target}. Öppna {target / 'index.html'} i en webbläsare.")
    elif args.serve:
        _serve(files, args.port)
    else:
        print(files["sammanfattning.txt"].decode())
    return 0


if __name__ == "__main__":
    sys.exit(main())
