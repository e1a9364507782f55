"""Real Chroma servers on 127.0.0.1 for the shared-collection tests.

- ``chroma run`` (chromadb's Rust server, the one users start): it has no authentication in
  chromadb 1.x (it accepts any token or none; checked on 1.5.9).
- chromadb's Python server (``uvicorn chromadb.app:app``) with chromadb's own token
  authentication (``TokenAuthenticationServerProvider``): the token tests run against it. It
  needs fastapi and opentelemetry-instrumentation-fastapi (the test extra).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx

from ports import free_port

# What chromadb's ``chroma`` command runs for ``chroma run`` (chromadb/cli/cli.py), without importing
# the chromadb Python package first (~1 s of CPU per start that the Rust server never uses).
CHROMA_CLI = "import sys, chromadb_rust_bindings; chromadb_rust_bindings.cli(['chroma', *sys.argv[1:]])"


class ChromaServer:
    """One server process; ``kill()`` is a SIGKILL, ``start()`` again reuses the same folder and port."""

    def __init__(self, folder: Path, token: str | None = None):
        self.folder, self.token, self.port = folder, token, free_port()
        self.proc: subprocess.Popen | None = None
        self.log = folder.parent / f"{folder.name}.log"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _command(self) -> tuple[list[str], dict[str, str]]:
        env = dict(os.environ)
        if self.token is None:
            return [sys.executable, "-c", CHROMA_CLI, "run", "--path", str(self.folder), "--host", "127.0.0.1",
                    "--port", str(self.port)], env
        env.update(IS_PERSISTENT="1", PERSIST_DIRECTORY=str(self.folder), ANONYMIZED_TELEMETRY="False",
                   CHROMA_SERVER_AUTHN_PROVIDER="chromadb.auth.token_authn.TokenAuthenticationServerProvider",
                   CHROMA_SERVER_AUTHN_CREDENTIALS=self.token)
        return [sys.executable, "-m", "uvicorn", "chromadb.app:app", "--host", "127.0.0.1",
                "--port", str(self.port)], env

    def start(self, timeout: float = 60.0) -> ChromaServer:
        if self.token is not None:
            import importlib.util

            missing = [m for m in ("fastapi", "opentelemetry.instrumentation.fastapi")
                       if importlib.util.find_spec(m.split(".")[0]) is None or
                       (m.count(".") and importlib.util.find_spec(m) is None)]
            if missing:  # part of the test extra: its absence is a failure, not a skip
                import pytest

                pytest.fail(f"chromadb's token-checking server needs {', '.join(missing)}: "
                            'pip install -e ".[test]"', pytrace=False)
        command, env = self._command()
        with open(self.log, "ab") as log:
            self.proc = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT,
                                         start_new_session=True)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"chroma server exited: {self.log.read_text(errors='replace')[-2000:]}")
            try:
                if httpx.get(f"{self.url}/api/v2/heartbeat", timeout=1).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        raise RuntimeError("chroma server did not start")

    def kill(self) -> None:
        """SIGKILL, as a crash or a power cut would end it."""
        if self.proc is not None and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(10)
        self.proc = None

    def client(self):
        import chromadb
        from chromadb.config import Settings

        headers = {"Authorization": f"Bearer {self.token}"} if self.token else None
        return chromadb.HttpClient(host="127.0.0.1", port=self.port, headers=headers,
                                   settings=Settings(anonymized_telemetry=False))
