"""Every server tui-sync starts listens on loopback only, unless told otherwise: the fake Microsoft 365
as `tui-sync fake-graph`, inside the demo and inside the benchmark. What is checked is the socket the
kernel really listens on (``/proc/net/tcp``), not what the program says."""

from __future__ import annotations

import ipaddress
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tui_sync.bench import BenchFake
from tui_sync.demo.fake import ThreadedDemoFake

LISTEN = "0A"  # the TCP state of a listening socket in /proc/net/tcp


def listening_addresses(port: int) -> list[str]:
    """The local addresses of the sockets listening on `port` on this machine (IPv4 and IPv6)."""
    found = []
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        if not Path(table).exists():
            continue
        for line in Path(table).read_text().splitlines()[1:]:
            local, state = line.split()[1], line.split()[3]
            address, _, hex_port = local.partition(":")
            if state != LISTEN or int(hex_port, 16) != port:
                continue
            raw = bytes.fromhex(address)
            # the kernel prints each 32-bit word in host (little-endian) order
            packed = b"".join(raw[i : i + 4][::-1] for i in range(0, len(raw), 4))
            found.append(str(ipaddress.ip_address(packed)))
    return found


def assert_loopback_only(port: int) -> None:
    addresses = listening_addresses(port)
    assert addresses, f"nothing listens on port {port}"
    assert all(ipaddress.ip_address(a).is_loopback for a in addresses), addresses


pytestmark = pytest.mark.skipif(not Path("/proc/net/tcp").exists(), reason="needs Linux /proc/net/tcp")


def test_tui_sync_fake_graph_listens_on_loopback(tmp_path: Path) -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "tui_sync", "fake-graph", "--state-dir", str(tmp_path)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={k: v for k, v in os.environ.items() if not k.startswith("TUI_SYNC_")},
    )
    try:
        banner = json.loads(process.stdout.readline())  # type: ignore[union-attr]
        assert_loopback_only(int(banner["authority_host"].rsplit(":", 1)[1]))
    finally:
        process.terminate()
        process.communicate(timeout=20)


def test_fake_graph_refuses_an_address_other_than_loopback() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "tui_sync", "fake-graph", "--host", "0.0.0.0"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2 and "loopback" in done.stderr


def test_the_demo_and_the_benchmark_start_their_fake_on_loopback(tmp_path: Path) -> None:
    demo = ThreadedDemoFake(tmp_path / "demo")
    try:
        assert_loopback_only(demo.server.port)
    finally:
        demo.close()
    bench = BenchFake(0, 0)
    try:
        assert_loopback_only(bench.server.port)
    finally:
        bench.close()
