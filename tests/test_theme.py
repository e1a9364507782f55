"""Themes: WCAG AA contrast of every text colour on its background in both themes, computed from
the palette and colours the app applies; and measured on rendered pixels of the chat page (code,
Chinese, an opened reasoning block, the error banner) in both themes; the system's colour scheme is
followed live."""

from __future__ import annotations

import re

import numpy as np
import pytest
from PySide6.QtCore import QSize, Qt, QUrl
from PySide6.QtGui import QImage, QPalette

from hearthlm.core.settings import Settings
from hearthlm.gui import theme

AA = 4.5

CONVERSATION = [
    ("user", "用中文解释一下什么是质数。"),
    ("assistant", "**质数**是只能被 1 和它本身整除的大于 1 的整数，例如 2、3、5、7。"),
    ("user", "Write a Python function that checks whether a number is prime."),
    ("assistant", "<think>Trying divisors up to the square root is enough.</think>\n\nHere it is:\n\n"
                  "```python\ndef is_prime(n: int) -> bool:\n    # a comment\n    return n > 1 and all(n % i for i in range(2, n))\n```\n\n"
                  "It tries `is_prime(97)` quickly."),
]


@pytest.fixture(autouse=True)
def light_afterwards(qapp):
    yield
    theme.apply("light")


@pytest.mark.parametrize("colors", [theme.LIGHT, theme.DARK], ids=["light", "dark"])
def test_palette_text_meets_wcag_aa(qapp, colors) -> None:
    pal = theme.palette(colors)
    r = QPalette.ColorRole
    pairs = {
        "text/base": (r.Text, r.Base), "window text/window": (r.WindowText, r.Window),
        "button text/button": (r.ButtonText, r.Button), "highlighted text/highlight": (r.HighlightedText, r.Highlight),
        "link/base": (r.Link, r.Base), "placeholder/base": (r.PlaceholderText, r.Base),
        "tooltip": (r.ToolTipText, r.ToolTipBase), "text/alternate base": (r.Text, r.AlternateBase),
    }
    for name, (fg, bg) in pairs.items():
        ratio = theme.contrast(pal.color(fg), pal.color(bg))
        assert ratio >= AA, f"{colors.name} {name}: {ratio:.2f}"
    c = colors
    for name, fg, bg in [
        ("muted", c.muted, c.base), ("muted on code", c.muted, c.code_bg), ("code text", c.text, c.code_bg),
        ("reasoning", c.reasoning_text, c.reasoning_bg), ("user", c.user, c.base), ("assistant", c.assistant, c.base),
        ("warn", c.warn, c.base), ("ok", c.ok, c.base), ("error", c.error, c.base), ("edit", c.edit, c.base),
        ("note", c.note_text, c.note_bg), ("banner", c.banner_text, c.banner_bg), ("link on code", c.link, c.code_bg),
        ("muted on window", c.muted, c.window), ("warn on window", c.warn, c.window),
        ("sidebar selected", c.highlighted_text, c.highlight),
    ]:
        ratio = theme.contrast(fg, bg)
        assert ratio >= AA, f"{colors.name} {name}: {ratio:.2f}"


def test_code_token_colours_meet_aa_on_the_code_background() -> None:
    from hearthlm.gui.code_style import accessible_style

    for c in (theme.LIGHT, theme.DARK):
        style = accessible_style(c.code_style, c.code_bg)
        checked = 0
        for token, value in style.styles.items():
            for color in re.findall(r"(?<!bg:)#[0-9a-fA-F]{6}", value or ""):
                ratio = theme.contrast(color, c.code_bg)
                assert ratio >= 7.0, f"{c.code_style} {token} {color}: {ratio:.2f}"
                checked += 1
        assert checked > 20


def as_array(image: QImage) -> np.ndarray:
    image = image.convertToFormat(QImage.Format.Format_RGB888)
    width, height, stride = image.width(), image.height(), image.bytesPerLine()
    raw = np.frombuffer(image.constBits(), dtype=np.uint8, count=stride * height).reshape(height, stride)
    return raw[:, : width * 3].reshape(height, width, 3).astype(np.float64) / 255.0


def luminance(rgb: np.ndarray) -> np.ndarray:
    linear = np.where(rgb <= 0.04045, rgb / 12.92, ((rgb + 0.055) / 1.055) ** 2.4)
    return linear @ np.array([0.2126, 0.7152, 0.0722])


def low_contrast_text(image: QImage, tile: int = 24) -> list[tuple[int, int, float]]:
    """Tiles that hold text (pixels clearly apart from the tile's background, its commonest colour)
    whose strongest pixel stays under AA contrast with that background: (x, y, best ratio)."""
    pixels = as_array(image)
    lum = luminance(pixels)
    failures = []
    height, width = lum.shape
    for y in range(0, height - tile + 1, tile // 2):
        for x in range(0, width - tile + 1, tile // 2):
            block = lum[y:y + tile, x:x + tile]
            values, counts = np.unique(np.round(block, 4), return_counts=True)
            background = values[np.argmax(counts)]
            ratio = (np.maximum(block, background) + 0.05) / (np.minimum(block, background) + 0.05)
            ink = ratio >= 1.6  # glyph pixels (anti-aliased edges included), not panel edges
            if ink.sum() >= 8 and ratio.max() < AA:
                failures.append((x, y, float(ratio.max())))
    return failures


@pytest.fixture
def no_model(monkeypatch: pytest.MonkeyPatch) -> None:
    import hearthlm.core.default_model
    import hearthlm.gui.chat_page

    monkeypatch.setattr(hearthlm.core.default_model, "starter_model_path", lambda: None)
    monkeypatch.setattr(hearthlm.gui.chat_page, "starter_model_path", lambda: None)


@pytest.mark.parametrize("choice", ["light", "dark"])
def test_rendered_chat_page_text_meets_aa_on_its_background(qtbot, no_model, choice, tmp_path) -> None:
    from hearthlm.gui.main_window import MainWindow

    window = MainWindow(Settings(theme=choice))
    qtbot.addWidget(window)
    window.resize(1100, 900)
    window.show()
    qtbot.waitExposed(window)
    assert theme.colors().name == choice
    store = window.chat.store
    conv = store.create()
    parent = None
    for role, text in CONVERSATION:
        parent = store.add_message(conv.id, parent, role, text).id
    window.chat.open_conversation(conv.id)
    window.chat.view.anchorClicked.emit(QUrl(f"think:{parent}"))  # the reasoning, opened
    qtbot.wait(50)
    html = window.chat.view.toHtml()
    assert "质数" in html and "is_prime" in html and "square root" in html
    view = window.chat.view.viewport().grab().toImage()
    view.save(str(tmp_path / f"chat-{choice}.png"))
    assert low_contrast_text(view) == []
    banner = window.chat.banner_row
    assert banner.isVisible()  # "No model yet": the banner in this theme
    label = banner.label.grab(banner.label.contentsRect()).toImage()  # the text, inside its border
    assert low_contrast_text(label, tile=16) == []
    # The page's background really is the theme's: dark is dark.
    background = luminance(as_array(view)).mean()
    assert (background < 0.2) if choice == "dark" else (background > 0.6)
    window.close()


def test_the_detector_finds_low_contrast_text(qtbot) -> None:
    """The pixel check itself: grey text on white that misses AA is found."""
    from PySide6.QtWidgets import QLabel

    label = QLabel("Some faint text that should fail the check")
    label.setStyleSheet("QLabel { background: #ffffff; color: #a0a0a0; padding: 4px; }")
    qtbot.addWidget(label)
    label.show()
    assert low_contrast_text(label.grab().toImage(), tile=16)


def test_system_colour_scheme_is_followed_live(qtbot, no_model) -> None:
    """The desktop switching to dark (colorSchemeChanged; emitted here, as the offscreen platform has
    no desktop setting to change) re-themes a window that follows the system, at once."""
    from PySide6.QtGui import QGuiApplication

    from hearthlm.gui.main_window import MainWindow

    window = MainWindow(Settings(theme="system"))
    qtbot.addWidget(window)
    assert theme.colors().name == "light"
    hints = QGuiApplication.styleHints()
    seen = []
    window.theme.changed.connect(seen.append)
    hints.colorSchemeChanged.emit(Qt.ColorScheme.Dark)
    assert theme.colors().name == "dark" and seen == ["dark"]
    assert QGuiApplication.palette().color(QPalette.ColorRole.Base).name() == theme.DARK.base
    assert theme.DARK.muted in window.chat.view.toHtml()  # the view was rendered again
    hints.colorSchemeChanged.emit(Qt.ColorScheme.Light)
    assert theme.colors().name == "light" and seen == ["dark", "light"]
    window.theme.set_choice("dark")  # the user's choice wins over the system's
    hints.colorSchemeChanged.emit(Qt.ColorScheme.Light)
    assert theme.colors().name == "dark"
    window.close()


@pytest.mark.parametrize("colors", [theme.LIGHT, theme.DARK], ids=["light", "dark"])
def test_every_icon_is_drawn_in_the_theme_text_colour(qapp, colors) -> None:
    from hearthlm.gui import icons

    theme.apply(colors.name)
    for name in icons.GLYPHS:
        image = icons.icon(name).pixmap(QSize(24, 24), 2.0).toImage()  # as drawn (no rescaling)
        assert not image.isNull(), name
        inked = [image.pixelColor(x, y) for x in range(image.width()) for y in range(image.height())
                 if image.pixelColor(x, y).alpha() == 255]
        assert inked, f"{name}: nothing drawn"
        assert {c.name() for c in inked} == {colors.text}, name  # the button text colour, both themes


def test_every_group_box_leaves_room_for_its_title(qtbot, no_model) -> None:
    """With the Chinese fallback font loaded (gui/fonts.py, a machine without one, as here), Fusion
    cut the group boxes' titles at the UI font's height: "Q4_1.gguf" showed as "Q4 1.gguf"."""
    from PySide6.QtWidgets import QGroupBox

    from hearthlm.gui.main_window import MainWindow

    window = MainWindow(Settings())
    qtbot.addWidget(window)
    pages = [window.models_page, window.quantize_page, window.docs_page, window.monitor_page, window.server_page]
    assert all(pages)
    boxes = window.findChildren(QGroupBox)
    assert len(boxes) >= 3  # the imatrix choice, GPU offload, the remote endpoint form
    for box in boxes:
        assert theme._GROUP_BOX_TITLE in box.styleSheet(), box.title()
    theme.apply("dark")  # a theme change restyles them and keeps the room
    try:
        assert all(theme._GROUP_BOX_TITLE in box.styleSheet() for box in boxes)
    finally:
        theme.apply("light")
    window.close()
