"""Chat templates: turn a list of messages into the prompt text a model was trained on.

Templates come from GGUF metadata, i.e. from whoever made the file. They are rendered only in
jinja2's ``ImmutableSandboxedEnvironment`` (the fix for CVE-2024-34359): a template that tries to
reach Python internals raises ``SecurityError`` and executes nothing; Hearth then falls back to
a known format and says why.

The sandbox does not bound time or memory: two nested loops over ``range(100000)`` in a model's
template held the window (which tries the template when the model loads) and the engine for
hours. So a render is interrupted after RENDER_BUDGET_S (a real template renders a long
conversation in milliseconds), and a repetition (``*``) may not build more than MAX_REPEATED items.
"""

from __future__ import annotations

import ctypes
import threading
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import TYPE_CHECKING, Any
from collections.abc import Callable, Iterable, Mapping

from .. import messages as M
from ..messages import Msg, msg

if TYPE_CHECKING:  # jinja2 is imported on first use (~0.5 s): the window's start does without it
    from jinja2 import Template
    from jinja2.sandbox import ImmutableSandboxedEnvironment

# ChatML: what SmolLM2, Qwen and many fine-tunes use; the fallback for unknown architectures.
CHATML_TEMPLATE = (
    "{% for message in messages %}"
    "{{ '<|im_start|>' + message['role'] + '\n' + message['content'] + '<|im_end|>' + '\n' }}"
    "{% endfor %}"
    "{% if add_generation_prompt %}{{ '<|im_start|>assistant\n' }}{% endif %}"
)
# Gemma has no system role: system text goes at the start of the first user turn.
GEMMA_TEMPLATE = (
    "{{ bos_token }}{% set ns = namespace(system='') %}"
    "{% for message in messages %}"
    "{% if message['role'] == 'system' %}{% set ns.system = ns.system + message['content'] + '\n\n' %}"
    "{% else %}"
    "{{ '<start_of_turn>' + ('model' if message['role'] == 'assistant' else 'user') + '\n' }}"
    "{% if message['role'] == 'user' and ns.system %}{{ ns.system }}{% set ns.system = '' %}{% endif %}"
    "{{ message['content'] | trim }}{{ '<end_of_turn>\n' }}"
    "{% endif %}{% endfor %}"
    "{% if add_generation_prompt %}{{ '<start_of_turn>model\n' }}{% endif %}"
)
LLAMA3_TEMPLATE = (
    "{{ bos_token }}{% for message in messages %}"
    "{{ '<|start_header_id|>' + message['role'] + '<|end_header_id|>\n\n' + message['content'] | trim + '<|eot_id|>' }}"
    "{% endfor %}"
    "{% if add_generation_prompt %}{{ '<|start_header_id|>assistant<|end_header_id|>\n\n' }}{% endif %}"
)
PHI3_TEMPLATE = (
    "{% for message in messages %}"
    "{{ '<|' + message['role'] + '|>\n' + message['content'] + '<|end|>\n' }}"
    "{% endfor %}"
    "{% if add_generation_prompt %}{{ '<|assistant|>\n' }}{% endif %}"
)

# Built-in formats, by the name a user can also give as the template override.
FORMATS: dict[str, tuple[str, str]] = {
    "chatml": ("ChatML", CHATML_TEMPLATE),
    "gemma": ("Gemma", GEMMA_TEMPLATE),
    "llama3": ("Llama 3", LLAMA3_TEMPLATE),
    "phi3": ("Phi-3", PHI3_TEMPLATE),
}
# general.architecture -> the format its models are trained on, for files without a template.
ARCHITECTURE_FORMATS = {
    "gemma": "gemma", "gemma2": "gemma", "gemma3": "gemma", "gemma3n": "gemma",
    "phi3": "phi3", "qwen2": "chatml", "qwen3": "chatml", "qwen2moe": "chatml", "qwen3moe": "chatml",
}


def fallback_format(architecture: str | None) -> str:
    return ARCHITECTURE_FORMATS.get((architecture or "").lower(), "chatml")


@dataclass(frozen=True)
class RenderedPrompt:
    text: str
    source: str  # "model" or the name of the fallback format used
    note: Msg | None = None  # a sentence for the user when a fallback was used


RENDER_BUDGET_S = 5.0
MAX_REPEATED = 1_000_000  # characters or items that one ``*`` may produce


class _RenderTimeout(Exception):
    """Raised in the rendering thread by the watchdog of _within_budget."""


class TemplateTooSlow(Exception):
    """The render ran past RENDER_BUDGET_S."""


class TemplateTooLarge(Exception):
    """A ``*`` would have built more than MAX_REPEATED items."""

    def __init__(self, count: int):
        super().__init__(f"the template repeats text to {count:,} items")
        self.count = count


_too_slow: set[str] = set()  # templates interrupted once: refused at once from then on (fitting a
# conversation renders the template many times for one answer)


def _within_budget(template: str, render: Callable[[], str]) -> str:
    """``render()``, interrupted after RENDER_BUDGET_S: a watchdog raises _RenderTimeout in this
    thread (PyThreadState_SetAsyncExc: the template's generated Python stops at its next bytecode
    check), reported as TemplateTooSlow."""
    if template in _too_slow:
        raise TemplateTooSlow(f"the template ran for more than {RENDER_BUDGET_S:g} s")
    thread, lock, running = threading.get_ident(), threading.Lock(), [True]

    def interrupt() -> None:
        with lock:
            if running[0]:
                ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(thread), ctypes.py_object(_RenderTimeout))

    watchdog = threading.Timer(RENDER_BUDGET_S, interrupt)
    watchdog.daemon = True
    watchdog.start()
    try:
        try:
            return render()
        finally:
            with lock:
                running[0] = False
            watchdog.cancel()  # a Python call: an interruption still pending is raised here, inside the try
    except _RenderTimeout:
        _too_slow.add(template)
        raise TemplateTooSlow(f"the template ran for more than {RENDER_BUDGET_S:g} s") from None


def _raise_exception(message: str) -> None:
    from jinja2 import TemplateError

    raise TemplateError(message)


def _environment() -> ImmutableSandboxedEnvironment:
    from jinja2.sandbox import ImmutableSandboxedEnvironment

    class Bounded(ImmutableSandboxedEnvironment):
        intercepted_binops = frozenset(["*"])

        def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
            if operator == "*":
                for seq, n in ((left, right), (right, left)):
                    if isinstance(seq, str | list | tuple) and isinstance(n, int) and len(seq) * n > MAX_REPEATED:
                        raise TemplateTooLarge(len(seq) * n)
            return super().call_binop(context, operator, left, right)

    env = Bounded(trim_blocks=True, lstrip_blocks=True)
    env.globals["raise_exception"] = _raise_exception
    env.globals["strftime_now"] = lambda fmt: datetime.now().strftime(fmt)
    return env


@lru_cache(maxsize=1)
def _shared_environment() -> ImmutableSandboxedEnvironment:
    return _environment()


@lru_cache(maxsize=32)
def _compiled(template: str) -> Template:
    """Compile a template once per source text: a long conversation's context fitting renders the
    same model's template many times. A template that fails to compile is not cached (lru_cache
    keeps no exceptions), so its error is raised again on each use. Rendering a compiled template
    is thread-safe (the engine's reader thread counts tokens while the main thread renders)."""
    return _shared_environment().from_string(template)


def render_template(template: str, messages: Iterable[Mapping[str, Any]], *, bos_token: str = "",
                    eos_token: str = "", add_generation_prompt: bool = True, **extra: Any) -> str:
    """Render one template in the sandbox. Raises jinja2's errors (SecurityError included).
    ``extra``: more variables for the template (the server's ``tools``)."""
    compiled = _compiled(template)
    listed = [dict(m) for m in messages]
    return _within_budget(template, lambda: compiled.render(messages=listed, bos_token=bos_token, eos_token=eos_token,
                                                  add_generation_prompt=add_generation_prompt, **extra))


def render_prompt(template: str | None, messages: Iterable[Mapping[str, Any]], *, bos_token: str = "",
                  eos_token: str = "", add_generation_prompt: bool = True,
                  architecture: str | None = None) -> RenderedPrompt:
    """Render with the model's template (or a built-in format named as ``template``), falling back
    to the format of the model's architecture with a note for the user."""
    from jinja2 import TemplateError
    from jinja2.exceptions import SecurityError

    messages = [dict(m) for m in messages]

    def render(source: str) -> str:
        return render_template(source, messages, bos_token=bos_token, eos_token=eos_token,
                               add_generation_prompt=add_generation_prompt)

    if template in FORMATS:  # the user chose a built-in format
        return RenderedPrompt(render(FORMATS[template][1]), template)
    fallback = fallback_format(architecture)
    name, fallback_template = FORMATS[fallback]
    note: Msg
    if template and template.strip():
        try:
            return RenderedPrompt(render(template), "model")
        except SecurityError:
            note = msg(M.TEMPLATE_REFUSED, format=name)
        except TemplateTooSlow:
            note = msg(M.TEMPLATE_TOO_SLOW, seconds=RENDER_BUDGET_S, format=name)
        except TemplateTooLarge as exc:
            note = msg(M.TEMPLATE_TOO_LARGE, count=exc.count, format=name)
        except TemplateError as exc:
            note = msg(M.TEMPLATE_FAILED, error=str(exc), format=name)
        except Exception as exc:  # a template can also fail in plain Python (1 // 0, range limit)
            note = msg(M.TEMPLATE_FAILED, error=f"{type(exc).__name__}: {exc}", format=name)
    else:
        note = msg(M.NO_TEMPLATE, format=name)
    return RenderedPrompt(render(fallback_template), fallback, note)
