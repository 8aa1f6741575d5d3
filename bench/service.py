"""Load test of ``charte-ia servir`` on loopback (``make bench``): throughput and latencies.

A real uvicorn process is started on 127.0.0.1 with the commune model charter; 16 clients send
2,000 declarations in all (the shipped examples in turn), then the service is stopped. The
script prints the requests per second and the median and 99th-percentile latencies, and fails
if any answer is not a decision.
"""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
REQUESTS = int(os.environ.get("REQUETES", "2000"))
CLIENTS = int(os.environ.get("CLIENTS", "16"))
CHARTE_ID = "fr.commune-modele.charte-ia"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _bodies() -> list[bytes]:
    names = ("aide-attribution-creche", "aide-instruction-solidarite", "chatbot-etat-civil",
             "detection-fraude-prestations", "prevision-frequentation-piscine", "robot-tondeuse",
             "traduction-accueil", "tri-appels-secours")
    return [(ROOT / "exemples" / f"{name}.yaml").read_bytes() for name in names]


async def _client(url: str, bodies: list[bytes], queue: asyncio.Queue[int], latencies: list[float],
                  errors: list[str]) -> None:
    async with httpx.AsyncClient(timeout=120) as client:
        while True:
            try:
                number = queue.get_nowait()
            except asyncio.QueueEmpty:
                return
            start = time.perf_counter()
            answer = await client.post(url, content=bodies[number % len(bodies)],
                                       params={"date_reference": "2026-11-22"})
            latencies.append(time.perf_counter() - start)
            decided = answer.content.startswith(b'{\n  "format": "decision-charte-ia/1"')
            if answer.status_code != 200 or not decided:
                errors.append(f"{answer.status_code} {answer.text[:100]}")


async def _load(url: str) -> tuple[float, list[float], list[str]]:
    queue: asyncio.Queue[int] = asyncio.Queue()
    for number in range(REQUESTS):
        queue.put_nowait(number)
    latencies: list[float] = []
    errors: list[str] = []
    bodies = _bodies()
    start = time.perf_counter()
    await asyncio.gather(*(_client(url, bodies, queue, latencies, errors) for _ in range(CLIENTS)))
    return time.perf_counter() - start, latencies, errors


def main() -> int:
    port = _free_port()
    process = subprocess.Popen([sys.executable, "-m", "charte_ia", "servir", "--charte", "commune-modele",
                                "--port", str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(600):
            try:
                httpx.get(f"{base}/sante", timeout=1)
                break
            except httpx.TransportError:
                time.sleep(0.1)
        seconds, latencies, errors = asyncio.run(_load(f"{base}/chartes/{CHARTE_ID}/decision"))
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(timeout=30)
    latencies.sort()
    p99 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))]
    median = statistics.median(latencies)
    print(f"service HTTP : {REQUESTS} décisions, {CLIENTS} clients sur 127.0.0.1, en {seconds:.1f} s "
          f"({REQUESTS / seconds:.0f} requêtes/s) ; latence médiane {median * 1000:.0f} ms, "
          f"99e centile {p99 * 1000:.0f} ms ; {len(errors)} erreur{'s' if len(errors) > 1 else ''}")
    for error in errors[:5]:
        print(f"  {error}")
    return 1 if errors else 0


if __name__ == "__main__":
    raise SystemExit(main())
