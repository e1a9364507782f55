"""Stop strings: the answer ends before the first of them, and no part of one is ever streamed.

Text that could be the start of a stop string is held back until the next pieces show whether it
is one (then the answer ends before it) or not (then it is released). Pure Python, no llama.cpp.
"""

from __future__ import annotations

from collections.abc import Iterable


class StopFilter:
    def __init__(self, stops: Iterable[str]):
        self.stops = [s for s in dict.fromkeys(stops) if s]
        self._longest = max((len(s) for s in self.stops), default=0)
        self.held = ""  # text received but not yet released: it may begin a stop string

    def feed(self, text: str) -> tuple[str, bool]:
        """The text that can be released now, and whether a stop string was reached (then the
        text is everything before it, and nothing after it will ever be released)."""
        if not self.stops:
            return text, False
        held = self.held + text
        cut = min((i for i in (held.find(s) for s in self.stops) if i >= 0), default=-1)
        if cut >= 0:
            self.held = ""
            return held[:cut], True
        keep = self._prefix_at_end(held)
        self.held = held[len(held) - keep:] if keep else ""
        return held[:len(held) - keep], False

    def _prefix_at_end(self, text: str) -> int:
        """Length of the longest end of ``text`` that begins some stop string."""
        for k in range(min(len(text), self._longest - 1), 0, -1):
            tail = text[-k:]
            if any(s.startswith(tail) for s in self.stops):
                return k
        return 0

    def flush(self) -> str:
        """The answer ended without a stop string: what was held back is part of it."""
        held, self.held = self.held, ""
        return held
