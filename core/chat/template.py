"""Chat templates: turn a list of messages into the prompt text a model was trained on.

Templates come from GGUF metadata, i.e. from whoever made the file. They are rendered only in
jinja2's ``ImmutableSandboxedEnvironment`` (the fix for CVE-2024-34359): a template that tries to
reach Python internals raises ``SecurityError`` and executes nothing; Hearth then falls back to
a known format and says why.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Iterable, Mapping

from jinja2 import TemplateError
from jinja2.exceptions import SecurityError
from jinja2.sandbox import ImmutableSandboxedEnvironment

from .. import messages as M
from ..messages import Msg, msg

# ChatML: what SmolLM2, Qwen and many fine-tunes use; the fallback when a file has no template.
CHATML_TEMPLATE = (
    "{% for message in messages %}"
    "{{ '<|im_start|>' + message['role'] + '\n' + message['content'] + '<|im_end|>' + '\n' }}"
    "{% endfor %}"
    "{% if add_generation_prompt %}{{ '<|im_start|>assistant\n' }}{% endif %}"
)


@dataclass(frozen=True)
class RenderedPrompt:
    text: str
    source: str  # "model" or the name of the fallback format used
    note: Msg | None = None  # a sentence for the user when a fallback was used


def _raise_exception(message: str) -> None:
    raise TemplateError(message)


def _environment() -> ImmutableSandboxedEnvironment:
    env = ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True)
    env.globals["raise_exception"] = _raise_exception
    env.globals["strftime_now"] = lambda fmt: datetime.now().strftime(fmt)
    return env


def render_template(template: str, messages: Iterable[Mapping[str, Any]], *, bos_token: str = "",
                    eos_token: str = "", add_generation_prompt: bool = True) -> str:
    """Render one template in the sandbox. Raises jinja2's errors (SecurityError included)."""
    compiled = _environment().from_string(template)
    return compiled.render(messages=[dict(m) for m in messages], bos_token=bos_token, eos_token=eos_token,
                           add_generation_prompt=add_generation_prompt)


def render_prompt(template: str | None, messages: Iterable[Mapping[str, Any]], *, bos_token: str = "",
                  eos_token: str = "", add_generation_prompt: bool = True) -> RenderedPrompt:
    """Render with the model's template, falling back to ChatML with a note for the user."""
    messages = [dict(m) for m in messages]
    kwargs = dict(bos_token=bos_token, eos_token=eos_token, add_generation_prompt=add_generation_prompt)
    note: Msg
    if template and template.strip():
        try:
            return RenderedPrompt(render_template(template, messages, **kwargs), "model")
        except SecurityError:
            note = msg(M.TEMPLATE_REFUSED)
        except TemplateError as exc:
            note = msg(M.TEMPLATE_FAILED, error=str(exc))
        except Exception as exc:  # a template can also fail in plain Python (1 // 0, range limit)
            note = msg(M.TEMPLATE_FAILED, error=f"{type(exc).__name__}: {exc}")
    else:
        note = msg(M.NO_TEMPLATE)
    return RenderedPrompt(render_template(CHATML_TEMPLATE, messages, **kwargs), "chatml", note)
