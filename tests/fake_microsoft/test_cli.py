"""``tui-sync fake-graph`` as a process: one JSON ready line, clean exit on SIGTERM/Ctrl-C, saved state."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
from pathlib import Path

import pytest
import requests

from fake_microsoft365 import main


def _start(*args: str) -> tuple[subprocess.Popen[str], dict[str, str]]:
    process = subprocess.Popen(
        [sys.executable, "-m", "fake_microsoft365", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    line = process.stdout.readline()
    try:
        return process, json.loads(line)
    except ValueError:
        process.kill()
        raise AssertionError(
            f"no ready line: {line!r} {process.stderr.read() if process.stderr else ''}"
        ) from None


def _session(ca_file: str) -> requests.Session:
    session = requests.Session()
    session.verify = ca_file
    session.trust_env = False  # REQUESTS_CA_BUNDLE is set on these machines
    return session


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_ready_line_serves_and_stops_cleanly(tmp_path: Path, sig: signal.Signals) -> None:
    process, banner = _start("--state-dir", str(tmp_path), "--latency-ms", "1", "--throttle-rate", "0")
    try:
        assert set(banner) == {"graph_url", "authority_host", "ca_file", "admin_url"}
        port = int(banner["authority_host"].rsplit(":", 1)[1])
        assert banner == {
            "graph_url": f"https://127.0.0.1:{port}/v1.0",
            "authority_host": f"https://127.0.0.1:{port}",
            "ca_file": str(tmp_path / "ca.pem"),
            "admin_url": f"https://127.0.0.1:{port}/_fake",
        }
        with _session(banner["ca_file"]) as http:
            token = http.post(
                banner["admin_url"] + "/token", json={"upn": "cli@contoso.test"}, timeout=5
            ).json()
            me = http.get(
                banner["graph_url"] + "/me",
                headers={"Authorization": f"Bearer {token['access_token']}"},
                timeout=5,
            )
            assert me.status_code == 200
            assert me.json()["userPrincipalName"] == "cli@contoso.test"
    finally:
        process.send_signal(sig)
        out, err = process.communicate(timeout=10)
    assert process.returncode == 0
    assert out == ""  # exactly one line on stdout, already read
    assert "Traceback" not in err
    saved = json.loads((tmp_path / "state.json").read_text())
    assert [box["upn"] for box in saved["state"]["mailboxes"]] == ["cli@contoso.test"]


def test_fixed_port_and_temp_ca(tmp_path: Path) -> None:
    process, banner = _start("--port", "0")
    try:
        assert Path(banner["ca_file"]).read_text().startswith("-----BEGIN CERTIFICATE-----")
    finally:
        process.terminate()
        process.communicate(timeout=10)
    assert process.returncode == 0
    assert not Path(banner["ca_file"]).exists()  # the temporary directory is cleaned up


@pytest.mark.parametrize(
    "argv",
    [["--throttle-rate", "2"], ["--port", "-1"], ["--nope"], ["--drop-after", "x"], ["--host", "0.0.0.0"]],
)
def test_bad_arguments_exit_2_with_one_line(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(argv) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert len(captured.err.strip().splitlines()) == 1
    assert captured.err.startswith("tui-sync fake-graph: ")
