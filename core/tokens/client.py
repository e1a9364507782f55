"""The parent's handle on the tokenizer child (worker.py). ``tokenize`` blocks: call it from a
worker thread (the window's job adapter), never the UI thread. One request at a time."""

from __future__ import annotations

import threading

from ..child.process import ChildGone, ChildNotReady, ChildProcess
from ..errors import HearthError
from ..messages import Msg
from . import messages as M
from .vocab import TokenizerError, Tokenized


class TokenizerProcess:
    def __init__(self) -> None:
        self._child: ChildProcess | None = None
        self._lock = threading.Lock()

    def _ready(self) -> ChildProcess:
        if self._child is None or not self._child.alive:
            if self._child is not None:
                self._child.close()
            self._child = ChildProcess("hearthlm.core.tokens.worker", name="tokenizer")
            try:
                self._child.start(ready_timeout=60.0)
            except (ChildGone, ChildNotReady) as exc:
                raise TokenizerError(M.TOKENIZER_STOPPED, reason=str(exc)) from None
        return self._child

    def tokenize(self, path: str, text: str) -> Tokenized:
        with self._lock:
            child = self._ready()
            req = child.request("tokenize", path=str(path), text=text)
            while True:
                event = child.events.get()
                if event is None:  # it died on this file: the next request starts a new one
                    code = child.reap()
                    raise TokenizerError(M.TOKENIZER_STOPPED, reason=f"exit status {code}")
                if event.get("id") != req:
                    continue
                if event.get("ev") == "error":
                    raise HearthError(Msg.from_json(event.get("msg")) or Msg(str(event.get("message"))))
                r = event["result"]
                return Tokenized(r["model"], r["path"], text, r["pieces"])

    def close(self) -> None:
        if self._child is not None:
            self._child.close(quit={"cmd": "quit"})
            self._child = None
