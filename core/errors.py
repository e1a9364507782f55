"""Errors a user may see. Each carries one sentence that says what happened.

The sentence is kept as a ``Msg`` (template + values, see messages.py) so that the window can
show it translated; ``str(error)`` is the English sentence.
"""

from __future__ import annotations

from typing import Any

from .messages import Msg


class HearthError(Exception):
    """Base for errors whose message is written for the user, in one sentence."""

    def __init__(self, message: str | Msg, /, **values: Any):
        self.msg = message if isinstance(message, Msg) else Msg(message, values)
        super().__init__(str(self.msg))


class UsageError(HearthError):
    """A value given on the command line that cannot be used: exit status 2, as argparse's own."""


class ModelFileError(HearthError):
    """The model file is missing, unreadable, not a GGUF, or damaged."""


class EngineError(HearthError):
    """The engine refused or failed a request; the engine process is still usable."""


class EngineBusy(EngineError):
    """Every sequence of the engine is generating and its waiting queue is full: nothing was started.
    A server answers 429/503 with ``Retry-After``; the request can be sent again later."""


class EngineCrashed(EngineError):
    """The engine process died. Start a new engine to continue.

    ``returncode`` is the process's exit status (negative: killed by that signal);
    ``stderr_tail`` holds the last lines the engine wrote to stderr.
    """

    def __init__(self, message: str | Msg, returncode: int | None = None,
                 stderr_tail: list[str] | None = None, log_path: Any = None):
        super().__init__(message)
        self.returncode = returncode
        self.stderr_tail = list(stderr_tail or [])
        self.log_path = log_path  # the engine's whole stderr, when it was logged to a file


class EngineRestartFailed(EngineCrashed):
    """The engine had died and a new one could not load the model again (the file was removed, the
    memory is still short, it crashed again). ``cause`` is the error of the failed reload."""

    def __init__(self, message: str | Msg, cause: BaseException):
        crashed = cause if isinstance(cause, EngineCrashed) else None
        super().__init__(message, crashed.returncode if crashed else None,
                         crashed.stderr_tail if crashed else None, crashed.log_path if crashed else None)
        self.cause = cause
