"""A real ``hearth serve`` on 127.0.0.1 (a free port chosen by the OS), for the server's tests."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import httpx

# ChatML with tools in the Hermes/Qwen format: a template that supports tools, small enough to be
# written into a copy of the starter model's GGUF in place of its own (tests/gguf_files.py).
TOOLS_TEMPLATE = (
    "{% if tools %}<|im_start|>system\n<tools>{% for t in tools %}{{t|tojson}}{% endfor %}</tools><|im_end|>\n"
    "{% endif %}{% for m in messages %}<|im_start|>{{m.role}}\n{% for c in m.tool_calls or [] %}"
    "<tool_call>{{c.function|tojson}}</tool_call>{% endfor %}{{m.content}}<|im_end|>\n{% endfor %}"
    "{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}"
)


class ServeProcess:
    """``hearth serve ARGS --json`` in a child process; ``.url`` once it has printed its address."""

    def __init__(self, home: Path, *args: str, env: dict[str, str] | None = None):
        self.home = home
        cmd = [sys.executable, "-m", "hearthlm.core.cli", "--home", str(home), "serve", "--port", "0", "--json",
               *args]
        self.env = {**os.environ, "HF_ENDPOINT": "http://127.0.0.1:9", **(env or {})}
        if "HEARTH_API_KEY" not in (env or {}):  # a key in the tester's environment would change the server
            self.env.pop("HEARTH_API_KEY", None)
        home.mkdir(parents=True, exist_ok=True)
        self.stderr_path = home / "serve-stderr.txt"  # a file: a full pipe would stall the server
        self._stderr = open(self.stderr_path, "w")
        self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=self._stderr, text=True, env=self.env)
        line = self.proc.stdout.readline()
        if not line:
            self.proc.wait(30)
            raise RuntimeError(f"hearth serve did not start: {self.stderr_path.read_text()}")
        self.info = json.loads(line)
        self.port = self.info["port"]
        self.url = f"http://127.0.0.1:{self.port}"
        self.base = self.info["address"]

    def client(self, **kw) -> httpx.Client:
        return httpx.Client(base_url=self.url, timeout=120, **kw)

    def engine_pids(self) -> list[int]:
        import psutil

        return [c.pid for c in psutil.Process(self.proc.pid).children(recursive=True)
                if "hearthlm.core.engine.worker" in " ".join(c.cmdline())]

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)
        self.proc.stdout.close()
        self._stderr.close()

    def __enter__(self) -> ServeProcess:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def wait_gone(pid: int, timeout: float = 10.0) -> None:
    import psutil

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if psutil.Process(pid).status() == psutil.STATUS_ZOMBIE:
                return
        except psutil.NoSuchProcess:
            return
        time.sleep(0.02)
    raise AssertionError(f"{pid} still runs")
