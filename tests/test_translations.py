"""The 简体中文 translation covers every sentence, keeps its placeholders, and is compiled."""

from __future__ import annotations

import re
import string
import xml.etree.ElementTree as ET

import pytest
from PySide6.QtCore import QCoreApplication, QTranslator

from hearthlm.core import messages as M
from hearthlm.core.errors import ModelFileError
from hearthlm.core.modelfile import read_gguf
from hearthlm.resources import resource_path

TS = resource_path("translations", "hearth_zh_CN.ts")
QM = resource_path("translations", "hearth_zh_CN.qm")


def ts_messages(path=TS) -> list[tuple[str, str, str, str | None]]:
    """(context, source, translation, type) for every message in a .ts file."""
    rows = []
    for context in ET.parse(path).getroot().iter("context"):
        name = context.findtext("name")
        for message in context.iter("message"):
            translation = message.find("translation")
            rows.append((name, message.findtext("source"), translation.text or "", translation.get("type")))
    return rows


def core_message_modules():
    """core/messages.py and every core/<area>/messages.py."""
    import importlib
    from pathlib import Path

    core = Path(M.__file__).parent
    names = ["hearthlm.core.messages"] + sorted(
        "hearthlm.core." + ".".join(p.relative_to(core).with_suffix("").parts)
        for p in core.rglob("messages.py") if p.parent != core)
    return [importlib.import_module(name) for name in names]


def core_templates() -> list[str]:
    return [v for module in core_message_modules() for k, v in vars(module).items()
            if k.isupper() and isinstance(v, str) and k != "CONTEXT"]


def fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_every_core_sentence_is_in_the_translation():
    templates = core_templates()
    assert len(templates) > 40
    translated = {src for ctx, src, _, kind in ts_messages() if ctx == "core" and kind is None}
    missing = [t for t in templates if t not in translated]
    assert not missing, f"run packaging/update_translations.py and translate: {missing}"


def test_every_message_is_translated_with_the_same_placeholders():
    rows = ts_messages()
    assert rows
    for context, source, translation, kind in rows:
        assert kind is None, f"unfinished translation in {context}: {source!r}"
        assert translation.strip(), f"empty translation in {context}: {source!r}"
        assert fields(translation) == fields(source), (context, source, translation)
        # A format spec like {n:,} must survive too.
        assert sorted(re.findall(r"\{[^}]*\}", translation)) == sorted(re.findall(r"\{[^}]*\}", source))


def test_compiled_translation_matches_the_source(qapp):
    translator = QTranslator()
    assert translator.load(str(QM))
    for context, source, translation, _ in ts_messages():
        assert translator.translate(context, source) == translation, "rebuild the .qm: packaging/update_translations.py"


def test_core_error_is_shown_in_chinese(qapp, tmp_path):
    from hearthlm.gui.messages import error_text

    bad = tmp_path / "half.gguf"
    bad.write_bytes(b"GGUF" + b"\x03\x00\x00\x00" + b"\x00" * 3)
    with pytest.raises(ModelFileError) as raised:
        read_gguf(bad)
    english = error_text(raised.value)
    translator = QTranslator()
    assert translator.load(str(QM))
    QCoreApplication.installTranslator(translator)
    try:
        chinese = error_text(raised.value)
    finally:
        QCoreApplication.removeTranslator(translator)
    assert english == str(raised.value)
    assert "half.gguf" in chinese and "请重新下载" in chinese and "文件在" in chinese


def test_every_source_string_is_in_the_translation(tmp_path):
    """lupdate over the sources finds nothing the committed .ts lacks (run update_translations.py)."""
    import shutil
    import subprocess
    import sys
    from pathlib import Path

    lupdate = Path(sys.executable).parent / "pyside6-lupdate"
    if not lupdate.exists():
        lupdate = shutil.which("pyside6-lupdate")
    assert lupdate, "pyside6-lupdate (part of PySide6) is missing"
    repo = Path(__file__).resolve().parent.parent
    sources = sorted(str(p) for area in ("gui", "core") for p in (repo / area).rglob("*.py"))
    fresh = tmp_path / "fresh.ts"
    subprocess.run([str(lupdate), *sources, "-ts", str(fresh)], check=True, capture_output=True)
    found = {(ctx, src) for ctx, src, _, _ in ts_messages(fresh)}
    committed = {(ctx, src) for ctx, src, _, _ in ts_messages()}
    assert found <= committed, f"not in hearth_zh_CN.ts: {sorted(found - committed)}"

