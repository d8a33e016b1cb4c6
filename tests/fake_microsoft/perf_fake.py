"""How many small Graph requests per second the fake serves: ``python -m tests.fake_microsoft.perf_fake``.

Runs ``tui-sync fake-graph`` in its own process (pinned to CPU 0 when ``taskset`` exists, so it has one
core) and drives it from this process with aiohttp over HTTPS with keep-alive: ``GET /me`` by default,
``--batch`` for ``$batch`` requests of 20 GETs. Prints one JSON line with the measured rate.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import shutil
import ssl
import subprocess
import sys
import time

import aiohttp


async def _drive(banner: dict[str, str], seconds: float, connections: int, batch: bool) -> dict[str, float]:
    context = ssl.create_default_context(cafile=banner["ca_file"])
    connector = aiohttp.TCPConnector(ssl=context, limit=connections)
    async with aiohttp.ClientSession(connector=connector) as http:
        async with http.post(banner["admin_url"] + "/token", json={"upn": "bench@contoso.test"}) as resp:
            token = (await resp.json())["access_token"]
        headers = {"Authorization": f"Bearer {token}"}
        done = 0
        errors = 0
        stop_at = time.perf_counter() + seconds
        payload = {"requests": [{"id": str(n), "method": "GET", "url": "/me"} for n in range(20)]}

        async def worker() -> None:
            nonlocal done, errors
            while time.perf_counter() < stop_at:
                if batch:
                    async with http.post(
                        banner["graph_url"] + "/$batch", json=payload, headers=headers
                    ) as resp:
                        await resp.read()
                else:
                    async with http.get(banner["graph_url"] + "/me", headers=headers) as resp:
                        await resp.read()
                done += 1
                errors += resp.status != 200

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(connections)))
        elapsed = time.perf_counter() - started
    return {
        "requests": done,
        "errors": errors,
        "seconds": round(elapsed, 2),
        "per_second": round(done / elapsed),
    }


def main(argv: list[str]) -> int:
    cli = argparse.ArgumentParser(description=__doc__)
    cli.add_argument("--seconds", type=float, default=5.0)
    cli.add_argument("--connections", type=int, default=8)
    cli.add_argument("--batch", action="store_true", help="send $batch requests of 20 GET /me")
    args = cli.parse_args(argv)
    command = [sys.executable, "-m", "fake_microsoft365"]
    if shutil.which("taskset"):
        command = ["taskset", "-c", "0", *command]
    server = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    try:
        assert server.stdout is not None
        banner = json.loads(server.stdout.readline())
        result = asyncio.run(_drive(banner, args.seconds, args.connections, args.batch))
    finally:
        server.terminate()
        server.wait(timeout=10)
    result["kind"] = "batch of 20" if args.batch else "GET /me"
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
