"""Start and stop the fake Microsoft 365: one HTTPS server on loopback for sign-in, Graph and ``/_fake``.

TLS uses a throw-away certificate authority made with ``trustme``; its PEM is written to ``ca.pem`` in
``state_dir`` (or a temporary directory) so clients can trust it. With a ``state_dir`` the CA is kept and
reused, and the mailboxes and tokens are saved to ``state.json`` on close and loaded on start — so the demo
survives a restart, including MSAL's silent refresh.

Time model (both 0 by default): ``latency_ms`` is *server time*, spent by each Graph request or
``$batch`` sub-request while it holds one of its mailbox's 4 concurrency slots (as Outlook allows 4 at
once per mailbox; a fifth gets 429); ``network_ms`` is *network time*, the round trip paid once per HTTP
request (a ``$batch`` pays it once) without holding a slot. So W writes cost at least
``ceil(W / 4) * latency_ms`` plus one ``network_ms`` per request sent one after the other.

Other test suites reuse it as::

    fake = await start_fake()
    ... fake.graph_url, fake.authority_host, fake.ca_file, fake.admin_url, fake.state ...
    await fake.close()
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import shutil
import signal
import ssl
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import trustme
from aiohttp import web

from . import admin, identity
from .faults import Faults
from .graph import GraphService
from .identity import Identity
from .mailbox import FakeState

MAX_BODY = 128 * 1024 * 1024  # a batch of 20 base64 photos of 4 MB must reach our own 413, not aiohttp's


@dataclass
class FakeServer:
    """A running fake. ``state`` holds the mailboxes; ``identity``/``faults`` can be poked directly."""

    host: str
    port: int
    ca_file: str
    ca_pem: str
    state: FakeState
    identity: Identity
    faults: Faults
    service: GraphService
    state_dir: Path | None
    _runner: web.AppRunner = field(repr=False)
    _tempdir: str | None = field(default=None, repr=False)
    _closed: bool = field(default=False, repr=False)

    @property
    def authority_host(self) -> str:
        return f"https://{self.host}:{self.port}"

    @property
    def graph_url(self) -> str:
        return f"{self.authority_host}/v1.0"

    @property
    def admin_url(self) -> str:
        return f"{self.authority_host}/_fake"

    def banner(self) -> dict[str, str]:
        """The one-line JSON ``tui-sync fake-graph`` prints when ready."""
        return {
            "graph_url": self.graph_url,
            "authority_host": self.authority_host,
            "ca_file": self.ca_file,
            "admin_url": self.admin_url,
        }

    def client_ssl_context(self) -> ssl.SSLContext:
        """An SSL context that trusts this fake's CA (for aiohttp clients in tests)."""
        return ssl.create_default_context(cadata=self.ca_pem)

    def issue_token(self, upn: str, ttl: int | None = None) -> str:
        """An access token for ``upn`` without the device flow (creates the mailbox): ``/_fake/token``."""
        box = self.state.ensure(upn)
        token, _ = self.identity.issue_access_token(box.upn, ttl=ttl)
        return token

    def approve(self, user_code: str, upn: str) -> None:
        """Sign ``upn`` in on a pending device code, like ``POST /_fake/device/approve``."""
        self.identity.approve(user_code, upn)

    def save(self) -> None:
        """Write mailboxes and tokens to ``state_dir/state.json`` (atomically); no-op without a state_dir."""
        if self.state_dir is None:
            return
        data = {"state": self.state.to_json(), "identity": self.identity.to_json()}
        target = self.state_dir / "state.json"
        tmp = target.with_suffix(".json.tmp")
        tmp.write_text(json.dumps(data))
        os.replace(tmp, target)

    async def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        await self._runner.cleanup()
        self.save()
        if self._tempdir:
            shutil.rmtree(self._tempdir, ignore_errors=True)


def _certificate_authority(directory: Path, persistent: bool) -> trustme.CA:
    cert_path, key_path = directory / "ca.pem", directory / "ca-key.pem"
    if persistent and cert_path.exists() and key_path.exists():
        try:
            return trustme.CA.from_pem(cert_path.read_bytes(), key_path.read_bytes())
        except (ValueError, TypeError):
            pass  # unreadable: make a new one
    ca = trustme.CA(organization_name="tui-sync fake Microsoft 365")
    cert_path.write_bytes(ca.cert_pem.bytes())
    if persistent:
        key_path.write_bytes(ca.private_key_pem.bytes())
        key_path.chmod(0o600)
    return ca


def build_app(service: GraphService) -> web.Application:
    app = web.Application(client_max_size=MAX_BODY)
    app[identity.IDENTITY_KEY] = service.identity
    app[admin.SERVICE_KEY] = service
    identity.add_routes(app)
    admin.add_routes(app)
    app.router.add_route("*", "/v1.0/{tail:.*}", service.handle)
    return app


async def start_fake(
    host: str = "127.0.0.1",
    port: int = 0,
    *,
    latency_ms: float = 0,
    network_ms: float = 0,
    state_dir: str | os.PathLike[str] | None = None,
    throttle_rate: float = 0.0,
    error_503_rate: float = 0.0,
    retry_after: float = 1.0,
    drop_after: int | None = None,
    seed: int = 0,
    device_interval: int = 5,
    access_token_ttl: int = 3600,
    max_concurrent: int = 4,
    auto_approve_after: float | None = None,
    auto_approve_upn: str | Callable[[], str] = "",
) -> FakeServer:
    """Start the fake on ``host:port`` (0 = a free port) and return once it accepts connections.

    With ``auto_approve_after`` (the demo), every device code is approved as ``auto_approve_upn`` (or
    what that function returns then) that many seconds after it was handed out: no phone needed."""
    tempdir = None
    if state_dir is None:
        tempdir = tempfile.mkdtemp(prefix="tui-sync-fake-")
        directory = Path(tempdir)
    else:
        directory = Path(state_dir)
        directory.mkdir(parents=True, exist_ok=True)
    ca = _certificate_authority(directory, persistent=state_dir is not None)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert(host, "127.0.0.1", "localhost").configure_cert(context)

    state = FakeState()
    ident = Identity(state, interval=device_interval, access_token_ttl=access_token_ttl)
    ident.auto_approve_after, ident.auto_approve_upn = auto_approve_after, auto_approve_upn
    faults = Faults()
    faults.update(
        {
            "latency_ms": latency_ms,
            "network_ms": network_ms,
            "throttle_rate": throttle_rate,
            "error_503_rate": error_503_rate,
            "retry_after": retry_after,
            "drop_after": drop_after,
            "seed": seed,
        }
    )
    saved = directory / "state.json"
    if state_dir is not None and saved.exists():
        data = json.loads(saved.read_text())
        state.load_json(data.get("state", {}))
        ident.load_json(data.get("identity", {}))
    service = GraphService(state, ident, faults, max_concurrent=max_concurrent)

    # a short shutdown: a test that closes the fake mid-request must not wait aiohttp's default minute
    runner = web.AppRunner(build_app(service), access_log=None, handle_signals=False, shutdown_timeout=2.0)
    await runner.setup()
    site = web.TCPSite(runner, host, port, ssl_context=context, backlog=1024)
    try:
        await site.start()
    except BaseException:
        await runner.cleanup()
        if tempdir:
            shutil.rmtree(tempdir, ignore_errors=True)
        raise
    bound_port = runner.addresses[0][1]
    return FakeServer(
        host=host,
        port=bound_port,
        ca_file=str(directory / "ca.pem"),
        ca_pem=ca.cert_pem.bytes().decode(),
        state=state,
        identity=ident,
        faults=faults,
        service=service,
        state_dir=Path(state_dir) if state_dir is not None else None,
        _runner=runner,
        _tempdir=tempdir,
    )


# ------------------------------------------------------------------------------------------ command line


class _UsageError(Exception):
    pass


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> Any:  # one clear line, exit 2 — not argparse's usage dump
        raise _UsageError(message)


def _rate(text: str) -> float:
    value = float(text)
    if not 0 <= value <= 1:
        raise argparse.ArgumentTypeError("must be between 0 and 1")
    return value


def _non_negative(text: str) -> int:
    value = int(text)
    if value < 0:
        raise argparse.ArgumentTypeError("must be >= 0")
    return value


def parser() -> argparse.ArgumentParser:
    cli = _Parser(
        prog="tui-sync fake-graph",
        description="Run the fake Microsoft 365 (sign-in + Graph) on loopback. When ready it prints\n"
        "one JSON line (graph_url, authority_host, ca_file, admin_url) and serves until\nCtrl-C.",
        epilog="example:\n  tui-sync fake-graph --port 8443 --state-dir ~/fake-m365 --latency-ms 20",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    cli.add_argument("--host", default="127.0.0.1", help="loopback address to bind (default 127.0.0.1)")
    cli.add_argument("--port", type=_non_negative, default=0, help="port (default: a free one)")
    cli.add_argument(
        "--latency-ms",
        type=_non_negative,
        default=0,
        help="server time of each Graph request or $batch sub-request, holding one of the mailbox's 4 slots",
    )
    cli.add_argument(
        "--network-ms",
        type=_non_negative,
        default=0,
        help="network time of each HTTP request to Graph (a $batch once), holding no slot",
    )
    cli.add_argument("--state-dir", default=None, help="keep the CA and the mailboxes in this directory")
    cli.add_argument("--throttle-rate", type=_rate, default=0.0, help="share of Graph requests answered 429")
    cli.add_argument("--error-503-rate", type=_rate, default=0.0, help="share of Graph requests answered 503")
    cli.add_argument("--retry-after", type=float, default=1.0, help="Retry-After seconds of 429/503 answers")
    cli.add_argument(
        "--drop-after",
        type=_non_negative,
        default=None,
        help="serve N Graph requests, drop the next connection, repeat",
    )
    cli.add_argument("--seed", type=int, default=0, help="seed of the random faults")
    cli.add_argument(
        "--device-interval",
        type=_non_negative,
        default=5,
        help="polling interval the device flow asks for (seconds; default 5, as Microsoft's)",
    )
    return cli


async def _serve(args: argparse.Namespace) -> int:
    try:
        fake = await start_fake(
            args.host,
            args.port,
            latency_ms=args.latency_ms,
            network_ms=args.network_ms,
            state_dir=args.state_dir,
            throttle_rate=args.throttle_rate,
            error_503_rate=args.error_503_rate,
            retry_after=args.retry_after,
            drop_after=args.drop_after,
            seed=args.seed,
            device_interval=args.device_interval,
        )
    except OSError as exc:
        print(
            f"tui-sync fake-graph: cannot listen on {args.host}:{args.port}: {exc.strerror or exc}",
            file=sys.stderr,
        )
        return 1
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, stop.set)
    print(json.dumps(fake.banner()), flush=True)
    try:
        await stop.wait()
    finally:
        await fake.close()
    return 0


def main(argv: list[str]) -> int:
    """``tui-sync fake-graph …``: print the ready line, serve until Ctrl-C/SIGTERM, exit 0."""
    try:
        args = parser().parse_args(argv)
    except _UsageError as exc:
        print(f"tui-sync fake-graph: {exc}", file=sys.stderr)
        return 2
    if args.host not in {"127.0.0.1", "::1", "localhost"}:
        print("tui-sync fake-graph: --host must be a loopback address", file=sys.stderr)
        return 2
    try:
        return asyncio.run(_serve(args))
    except KeyboardInterrupt:  # a second Ctrl-C while closing
        return 0
