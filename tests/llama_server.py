"""llama-cpp-python's own OpenAI-compatible server (``python -m llama_cpp.server``, its ``server``
extra), started on 127.0.0.1 with the starter model: a real third-party server for the remote tests
and bench/remote.py. It imports the same llama_cpp build as Hearth's engine."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx2

from ports import free_port



class LlamaServer:
    def __init__(self, model: Path, n_ctx: int = 1024, n_threads: int = 1, log: Path | None = None):
        self.model, self.port = str(model), free_port()
        self.log = open(log, "wb") if log else subprocess.DEVNULL  # noqa: SIM115 (closed in stop)
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "llama_cpp.server", "--model", self.model, "--host", "127.0.0.1",
             "--port", str(self.port), "--n_ctx", str(n_ctx), "--n_threads", str(n_threads), "--verbose", "false"],
            stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    def wait_ready(self, timeout_s: float = 180.0) -> LlamaServer:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"llama_cpp.server exited with {self.proc.returncode}")
            try:
                if httpx2.get(self.url + "/models", timeout=2).status_code == 200:
                    return self
            except httpx2.HTTPError:
                pass
            time.sleep(0.3)
        self.stop()
        raise RuntimeError("llama_cpp.server did not start in time")

    def kill(self) -> None:
        """As a crash: SIGKILL, no goodbye to the clients."""
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait(30)

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.kill()
        if self.log is not subprocess.DEVNULL:
            self.log.close()

    def __enter__(self) -> LlamaServer:
        return self.wait_ready()

    def __exit__(self, *exc: object) -> None:
        self.stop()
