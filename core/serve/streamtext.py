"""Answer text on its way to a client: stop strings cut it, reasoning is split from it.

``StopCutter`` holds back only the tail that could still become a stop string, so streamed text
never shows a stop string nor anything after it (the engine stops soon after; the cut is exact).
``ReasoningSplitter`` turns the growing text into reasoning_content / content deltas with the
chat's own rules (core/chat/reasoning.py).
"""

from __future__ import annotations

from ..chat.reasoning import split_reasoning


class StopCutter:
    def __init__(self, stops: list[str]):
        self.stops = [s for s in stops if s]
        self.text = ""  # everything released so far
        self._held = ""
        self.hit = False

    def feed(self, piece: str) -> str:
        """The part of ``piece`` (with what was held back) that is safe to release."""
        if self.hit:
            return ""
        if not self.stops:
            self.text += piece
            return piece
        buf = self._held + piece
        cut = min((i for i in (buf.find(s) for s in self.stops) if i >= 0), default=-1)
        if cut >= 0:
            self.hit = True
            self._held = ""
            out = buf[:cut]
        else:
            keep = 0  # the longest tail of buf that begins a stop string
            for s in self.stops:
                for n in range(min(len(s) - 1, len(buf)), 0, -1):
                    if buf.endswith(s[:n]):
                        keep = max(keep, n)
                        break
            out, self._held = (buf[:-keep], buf[-keep:]) if keep else (buf, "")
        self.text += out
        return out

    def flush(self) -> str:
        out, self._held = self._held, ""
        self.text += out
        return out


class ReasoningSplitter:
    """Deltas of (reasoning, answer) as text grows."""

    def __init__(self) -> None:
        self.text = ""
        self._sent_reasoning = ""
        self._sent_answer = ""

    def feed(self, piece: str) -> tuple[str, str]:
        self.text += piece
        split = split_reasoning(self.text)
        reasoning = split.reasoning
        # An answer still inside reasoning is held: what follows may be more of it.
        answer = "" if split.open and not split.answer.strip() else split.answer
        if split.open and not reasoning:
            reasoning = ""
        return self._delta(reasoning, answer)

    def _delta(self, reasoning: str, answer: str) -> tuple[str, str]:
        dr = da = ""
        if reasoning.startswith(self._sent_reasoning) and len(reasoning) > len(self._sent_reasoning):
            dr = reasoning[len(self._sent_reasoning):]
            self._sent_reasoning = reasoning
        if answer.startswith(self._sent_answer) and len(answer) > len(self._sent_answer):
            da = answer[len(self._sent_answer):]
            self._sent_answer = answer
        return dr, da
