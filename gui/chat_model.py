"""The chat page's model loading: the picker, the progress bar and the status line while a model
loads (behind the hardware guard, gui/load_guard.py), a Restart after a crash, and a question that
reloads a dead engine. The session (core/chat/session.py) does the loading; this says it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QCoreApplication, QObject

from hearthlm.core.remote import is_remote

from .load_guard import guarded_load
from .messages import error_text


class ModelLoading(QObject):
    def __init__(self, page: Any):
        super().__init__(page)
        self.page, self.session = page, page.session
        s = self.session
        s.load_progress.connect(lambda v: page.progress.setValue(int(v * 100)))
        s.loaded.connect(self._loaded)
        s.load_failed.connect(lambda exc, restart: self._failed(error_text(exc), restart, page.events.details))
        s.restarting.connect(self._engine_restarting)
        page.picker.modelChosen.connect(self.model_chosen)
        page.banner_row.restartRequested.connect(self.restart)

    def conversation_model(self) -> str | None:
        """The open conversation's model, if it can still be loaded (a file that is there, or a remote)."""
        model = self.session.conversation_model()
        return model if model and (is_remote(model) or Path(model).is_file()) else None

    def load(self, path: str) -> None:
        page = self.page
        page.hide_error()
        page.progress.setValue(0)
        page.progress.setVisible(True)
        page._status(QCoreApplication.translate("ChatPage", "Loading {name}…").format(name=page.picker.label_for(path)))
        if is_remote(path):  # nothing loads here (no memory check): the remote is asked what it offers
            self.session.load(path)
            return
        n_ctx = self.session.load_params(path).n_ctx
        # The hardware guard checks the estimate against free memory first.
        guarded_load(page, path, page.settings, lambda offload: self.session.load(path, **offload),
                     lambda message: self._failed(message, self.session.take_restart()), n_ctx=n_ctx)

    def model_chosen(self, path: str) -> None:
        """A model picked for the open conversation (here or on another page): remember it, load it."""
        self.session.choose_model(path)
        self.load(path)

    def restart(self) -> None:
        path = self.session.model_path or self.page.picker.current_path()
        if path:
            self.session.begin_restart()  # a failed reload offers Restart again; a good one re-asks
            self.load(path)

    def _engine_restarting(self, progress: float) -> None:
        """A question found the engine dead: the model reloads into a new one, then it answers."""
        bar = self.page.progress
        if not bar.isVisible():
            bar.setVisible(True)
            self.page._status(QCoreApplication.translate("ChatPage", "The engine had stopped: restarting it…"))
        bar.setValue(int(progress * 100))

    def _loaded(self, info: Any) -> None:
        page = self.page
        page.progress.setVisible(False)
        if info.raw.get("remote"):
            page._status(QCoreApplication.translate("ChatPage", "{name} on {endpoint} (remote) · context {ctx} tokens")
                         .format(name=info.name, endpoint=info.raw["endpoint"], ctx=info.n_ctx))
        else:
            # the picker's own name for it where it has one (the starter's file calls itself "Smollm2 135M 8k …")
            name = page.picker.given_label(str(info.path)) or info.name
            page._status(QCoreApplication.translate("ChatPage", "{name} · {quant} · context {ctx} tokens").format(
                name=name, quant=info.quantization, ctx=info.n_ctx))
        page._settings_changed()
        page.prompt.setFocus()

    def _failed(self, message: str, restart: bool, details: str = "") -> None:
        page, path = self.page, self.session.model_path
        page.progress.setVisible(False)
        if path:  # keep showing the model that is still loaded
            page.picker.add_model(path, select=True)
            page._status(QCoreApplication.translate("ChatPage", "Still using {name}").format(
                name=page.picker.label_for(path)))
        else:
            page._status(QCoreApplication.translate("ChatPage", "No model loaded"))
        page.show_error(message, restart=restart, details=details)
