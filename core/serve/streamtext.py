"""Answer text on its way to a client: stop strings cut it, reasoning is split from it.

``StopCutter`` holds back only the tail that could still become a stop string, so streamed text
never shows a stop string nor anything after it (the engine stops soon after; the cut is exact).
``ReasoningSplitter`` turns the growing text into reasoning_content / content deltas with the
chat's own rules (core/chat/reasoning.py).
"""

from __future__ import annotations

from functools import lru_cache

from ..chat.reasoning import MARKERS, split_reasoning


@lru_cache(maxsize=16)
def opened_reasoning(template: str | None, bos_token: str = "", eos_token: str = "") -> str:
    """The reasoning marker a template opens at the end of its generation prompt (Qwen3, DeepSeek-R1:
    ``<think>``), so that an answer which never closes it is still known as reasoning; '' if none."""
    if not template:
        return ""
    from ..prompt.template import render_template

    try:
        rendered = render_template(template, [{"role": "user", "content": "Hi"}], bos_token=bos_token,
                                   eos_token=eos_token).rstrip()
    except Exception:  # a template that fails here fails for the request too, and says so there
        return ""
    return next((opening for opening, _closing in MARKERS if rendered.endswith(opening)), "")


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

    def __init__(self, prefix: str = "") -> None:
        self.text = prefix  # the marker the prompt opened, if any: the answer starts inside it
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
