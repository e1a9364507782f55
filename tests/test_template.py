"""Chat templates (core/prompt/template.py): the starter's own template, the ChatML fallback, and
templates from a model file that misbehave, which must never run code or stop a chat."""

from __future__ import annotations

from pathlib import Path

import pytest

from hearthlm.core.prompt.template import CHATML_TEMPLATE, render_prompt, render_template
from hearthlm.core.modelfile import read_gguf

MESSAGES = [
    {"role": "system", "content": "Be brief."},
    {"role": "user", "content": "Hi"},
    {"role": "assistant", "content": "Hello!"},
    {"role": "user", "content": "Bye"},
]
CHATML_EXPECTED = (
    "<|im_start|>system\nBe brief.<|im_end|>\n"
    "<|im_start|>user\nHi<|im_end|>\n"
    "<|im_start|>assistant\nHello!<|im_end|>\n"
    "<|im_start|>user\nBye<|im_end|>\n"
    "<|im_start|>assistant\n"
)


@pytest.fixture(scope="module")
def starter_template(starter_model: Path) -> str:
    template = read_gguf(starter_model).chat_template
    assert template, "the starter model should carry a chat template"
    return template


def test_starter_template_renders_conversation(starter_template: str) -> None:
    rendered = render_prompt(starter_template, MESSAGES)
    assert rendered.source == "model"
    assert rendered.note is None
    assert rendered.text == CHATML_EXPECTED  # SmolLM2 uses ChatML


def test_starter_template_adds_its_default_system_prompt(starter_template: str) -> None:
    rendered = render_prompt(starter_template, [{"role": "user", "content": "Hi"}])
    assert rendered.source == "model"
    assert rendered.text.startswith("<|im_start|>system\nYou are a helpful AI assistant named SmolLM")
    assert rendered.text.endswith("<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n")


def test_generation_prompt_can_be_left_out(starter_template: str) -> None:
    rendered = render_prompt(starter_template, MESSAGES, add_generation_prompt=False)
    assert rendered.text == CHATML_EXPECTED.removesuffix("<|im_start|>assistant\n")


def test_rendering_is_byte_identical_when_a_conversation_grows(starter_template: str) -> None:
    """Prefix reuse of the KV cache needs the earlier turns to render to the same bytes."""
    short = render_prompt(starter_template, MESSAGES[:2], add_generation_prompt=False).text
    longer = render_prompt(starter_template, MESSAGES, add_generation_prompt=True).text
    assert longer.startswith(short)


def test_bos_and_eos_tokens_reach_the_template() -> None:
    template = "{{ bos_token }}{% for m in messages %}{{ m['content'] }}{{ eos_token }}{% endfor %}"
    rendered = render_prompt(template, MESSAGES[1:3], bos_token="<s>", eos_token="</s>")
    assert rendered.text == "<s>Hi</s>Hello!</s>"
    assert rendered.note is None


@pytest.mark.parametrize("template", [None, "", "   \n"])
def test_no_template_falls_back_to_chatml_with_note(template: str | None) -> None:
    rendered = render_prompt(template, MESSAGES)
    assert rendered.source == "chatml"
    assert rendered.text == CHATML_EXPECTED
    assert rendered.note and "no chat template" in rendered.note


def test_chatml_template_constant_matches_fallback() -> None:
    assert render_template(CHATML_TEMPLATE, MESSAGES) == CHATML_EXPECTED


def test_sandbox_escape_through_class_hierarchy_is_refused() -> None:
    template = "{{ ''.__class__.__mro__[1].__subclasses__() }}{% for m in messages %}{{ m.content }}{% endfor %}"
    rendered = render_prompt(template, MESSAGES)
    assert rendered.source == "chatml"
    assert rendered.text == CHATML_EXPECTED
    assert "subclasses" not in rendered.text and "<class" not in rendered.text
    assert rendered.note and "refused" in rendered.note and "sandbox" in rendered.note


def test_sandbox_escape_to_os_runs_nothing(tmp_path: Path) -> None:
    marker = tmp_path / "pwned.txt"
    template = (
        "{{ cycler.__init__.__globals__.os.popen('echo pwned > " + str(marker) + "').read() }}"
        "{% for m in messages %}{{ m.content }}{% endfor %}"
    )
    rendered = render_prompt(template, MESSAGES)
    assert not marker.exists(), "the template ran a shell command"
    assert rendered.source == "chatml"
    assert rendered.note and "refused" in rendered.note


def test_sandbox_escape_through_joiner_globals_runs_nothing(tmp_path: Path) -> None:
    marker = tmp_path / "pwned2.txt"
    template = (
        "{% set g = joiner.__init__.__globals__ %}"
        "{{ g['__builtins__']['open']('" + str(marker) + "', 'w').write('x') }}"
    )
    rendered = render_prompt(template, MESSAGES)
    assert not marker.exists()
    assert rendered.source == "chatml"
    assert rendered.note and "refused" in rendered.note


def test_template_cannot_mutate_the_callers_messages() -> None:
    """The immutable sandbox: a template may not modify lists or dicts it is given."""
    messages = [dict(m) for m in MESSAGES]
    template = "{{ messages.append({'role': 'user', 'content': 'injected'}) }}{{ messages[0].update({'content': 'x'}) }}"
    rendered = render_prompt(template, messages)
    assert messages == MESSAGES
    assert rendered.source == "chatml"
    assert rendered.note and "refused" in rendered.note


def test_raise_exception_falls_back_with_its_message() -> None:
    template = (
        "{% for m in messages %}{% if m['role'] == 'system' %}"
        "{{ raise_exception('System role not supported') }}{% endif %}{{ m['content'] }}{% endfor %}"
    )
    rendered = render_prompt(template, MESSAGES)
    assert rendered.source == "chatml"
    assert rendered.text == CHATML_EXPECTED
    assert rendered.note and "failed" in rendered.note and "System role not supported" in rendered.note
    # the same template accepts a conversation without a system message
    ok = render_prompt(template, MESSAGES[1:])
    assert ok.source == "model" and ok.text == "HiHello!Bye"


def test_syntax_error_falls_back_with_note() -> None:
    rendered = render_prompt("{% for m in messages %}{{ m.content }", MESSAGES)
    assert rendered.source == "chatml"
    assert rendered.text == CHATML_EXPECTED
    assert rendered.note and "failed" in rendered.note


@pytest.mark.parametrize("template", [
    "{% for i in range(10000000) %}x{% endfor %}",  # the sandbox's range limit: OverflowError
    "{{ 1 // 0 }}",  # ZeroDivisionError
    "{{ messages[0]['content'] + 1 }}",  # TypeError
])
def test_any_failure_inside_a_template_falls_back(template: str) -> None:
    """A broken template in a model file must not make the model unusable for chat."""
    rendered = render_prompt(template, MESSAGES)
    assert rendered.source == "chatml"
    assert rendered.text == CHATML_EXPECTED
    assert rendered.note and "failed" in rendered.note


def test_strftime_now_is_available() -> None:
    rendered = render_prompt("{{ strftime_now('%Y') }}", MESSAGES)
    assert rendered.source == "model"
    assert rendered.text.isdigit() and len(rendered.text) == 4


# -- architecture fallback and built-in formats ------------------------------------------------

def test_a_gemma_file_without_template_gets_the_gemma_format() -> None:
    msgs = [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Hi"},
            {"role": "assistant", "content": "Hello!"}, {"role": "user", "content": "壁炉是什么？"}]
    rendered = render_prompt(None, msgs, bos_token="<bos>", architecture="gemma3")
    assert rendered.source == "gemma"
    assert rendered.text == (
        "<bos><start_of_turn>user\nBe brief.\n\nHi<end_of_turn>\n"
        "<start_of_turn>model\nHello!<end_of_turn>\n"
        "<start_of_turn>user\n壁炉是什么？<end_of_turn>\n"
        "<start_of_turn>model\n"
    )
    assert "Gemma" in rendered.note and "base model" in rendered.note and "no chat template" in rendered.note


def test_an_unknown_architecture_falls_back_to_chatml() -> None:
    rendered = render_prompt(None, [{"role": "user", "content": "Hi"}], architecture="some-new-arch")
    assert rendered.source == "chatml" and "ChatML" in rendered.note


@pytest.mark.parametrize("name,marker", [("chatml", "<|im_start|>assistant\n"), ("gemma", "<start_of_turn>model\n"),
                                         ("llama3", "<|start_header_id|>assistant<|end_header_id|>\n\n"),
                                         ("phi3", "<|assistant|>\n")])
def test_a_built_in_format_overrides_the_model_template(name: str, marker: str) -> None:
    model_template = "{{ 'MODEL TEMPLATE' }}"
    rendered = render_prompt(name, [{"role": "user", "content": "Hi"}], architecture="llama")
    assert rendered.source == name and rendered.note is None
    assert rendered.text.endswith(marker) and "MODEL TEMPLATE" not in rendered.text
    assert render_prompt(model_template, [{"role": "user", "content": "Hi"}]).text == "MODEL TEMPLATE"


def test_the_refused_template_falls_back_to_the_architecture_format() -> None:
    hostile = "{{ ''.__class__.__mro__[1].__subclasses__() }}"
    rendered = render_prompt(hostile, [{"role": "user", "content": "Hi"}], architecture="gemma2")
    assert rendered.source == "gemma" and "refused" in rendered.note and "Gemma" in rendered.note


@pytest.mark.engine
def test_engine_reports_the_architecture_and_takes_a_format_override(engine) -> None:
    from hearthlm.core.engine import GenerationParams

    assert engine.model.raw["architecture"] == "llama"
    answer = engine.chat([{"role": "user", "content": "Hi"}], GenerationParams(max_tokens=4, temperature=0),
                         template="phi3")
    assert answer.note is None and answer.stats.completion_tokens > 0


@pytest.mark.engine
def test_a_real_gguf_without_template_answers_in_its_own_format(gemma_model) -> None:
    """llama-cpp-python's own fallback (llama-2 format) makes this model answer with empty text."""
    from hearthlm.core.engine import Engine, GenerationParams, LoadParams
    from hearthlm.core.modelfile import read_gguf

    assert read_gguf(gemma_model).chat_template is None
    with Engine() as engine:
        info = engine.load(LoadParams(str(gemma_model), n_ctx=512, n_threads=1))
        assert info.architecture == "gemma3" and not info.has_chat_template
        answer = engine.chat([{"role": "user", "content": "What is the capital of France?"}],
                             GenerationParams(max_tokens=16, temperature=0))
    assert answer.text.strip()
    assert "Gemma" in answer.note and "base model" in answer.note


def test_a_template_is_compiled_once_however_often_it_renders(monkeypatch) -> None:
    """Fitting a long conversation renders the same template many times: compile it once."""
    from jinja2.sandbox import ImmutableSandboxedEnvironment

    compiled = []
    real = ImmutableSandboxedEnvironment.from_string

    def counting(self, source, *args, **kwargs):
        compiled.append(source)
        return real(self, source, *args, **kwargs)

    monkeypatch.setattr(ImmutableSandboxedEnvironment, "from_string", counting)
    template = CHATML_TEMPLATE + "{# compiled-once test #}"  # a source no other test has cached
    for n in range(1, 40):
        assert render_prompt(template, MESSAGES[:1 + n % 4]).source == "model"
    assert compiled.count(template) == 1
    # Still sandboxed: the cached template's environment is the immutable sandbox.
    hostile = "{{ ''.__class__.__mro__[1].__subclasses__() }}{# compiled-once test #}"
    for _ in range(2):
        assert render_prompt(hostile, MESSAGES).source == "chatml"


HOSTILE = "{% set r = range(100000) %}{% for i in r %}{% for j in r %}{% endfor %}{% endfor %}{{ messages }}"


def test_a_template_that_runs_for_hours_is_interrupted_and_refused_from_then_on(monkeypatch) -> None:
    """Two nested loops over range(100000) (no call inside, nothing the sandbox sees): interrupted
    after the budget, the fallback used with the reason; the same template again is refused at once
    (fitting a conversation renders it many times); a repetition of a billion characters is refused
    before it is built. Nothing is left to interrupt a later render."""
    import time

    from hearthlm.core.prompt import template as T

    monkeypatch.setattr(T, "RENDER_BUDGET_S", 0.3)
    monkeypatch.setattr(T, "_too_slow", set())
    started = time.monotonic()
    rendered = render_prompt(HOSTILE, MESSAGES)
    assert time.monotonic() - started < 3
    assert rendered.source == "chatml" and rendered.text == CHATML_EXPECTED
    assert rendered.note and "ran for more than 0.3 s" in rendered.note
    started = time.monotonic()
    assert render_prompt(HOSTILE, MESSAGES).source == "chatml" and time.monotonic() - started < 0.1
    huge = render_prompt("{{ 'x' * 1000000000 }}", MESSAGES)
    assert huge.source == "chatml" and "1,000,000,000 characters" in huge.note
    time.sleep(0.5)  # past the budget: a watchdog left behind would strike the next line
    assert render_prompt(CHATML_TEMPLATE, MESSAGES).source == "model"


@pytest.mark.engine
def test_the_engine_answers_a_model_whose_template_never_ends(starter_model, tmp_path) -> None:
    """The engine renders the prompt in its own process: the template is interrupted there too, and
    the answer comes in the fallback format with the note (it used to wait for hours)."""
    from gguf_files import with_chat_template

    from hearthlm.core.engine import Engine, GenerationParams, LoadParams

    model = with_chat_template(starter_model, tmp_path / "hostile.gguf", HOSTILE)
    with Engine() as engine:
        engine.load(LoadParams(str(model), n_ctx=512, n_threads=1))
        answer = engine.chat(MESSAGES, GenerationParams(max_tokens=2, temperature=0))
        assert answer.note and "ran for more than" in answer.note and answer.stats.completion_tokens > 0
        again = engine.chat(MESSAGES, GenerationParams(max_tokens=2, temperature=0))
        assert again.stats.total_s < 3  # refused at once the second time
