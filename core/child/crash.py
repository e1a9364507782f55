"""Turn the way a child process ended into words a user can act on: the signal and what it
usually means (SIGKILL: often the system out of memory), or "the build does not suit this CPU"."""

from __future__ import annotations

import signal

from .. import messages as M
from ..messages import Msg, msg

SAFE_BUILD_COMMAND = "python3 packaging/install.py --build safe"

_SIGNAL_MEANINGS = {
    "SIGSEGV": M.SIG_SEGV,
    "SIGILL": M.SIG_ILL,
    "SIGABRT": M.SIG_ABRT,
    "SIGKILL": M.SIG_KILL,  # the OOM killer's signal
    "SIGBUS": M.SIG_BUS,
    "SIGFPE": M.SIG_FPE,
    "SIGTERM": M.SIG_TERM,
}


def signal_name(number: int) -> str:
    try:
        return signal.Signals(number).name
    except ValueError:
        return f"signal {number}"


def cause_of(returncode: int | None) -> Msg:
    """'SIGSEGV (a segmentation fault)' or 'exit code 3'."""
    if returncode is None:
        return msg(M.CAUSE_UNKNOWN)
    if returncode < 0:
        name = signal_name(-returncode)
        meaning = _SIGNAL_MEANINGS.get(name)
        return msg(M.CAUSE_SIGNAL, signal=name, meaning=msg(meaning)) if meaning else Msg(name)
    return msg(M.CAUSE_EXIT, code=returncode)


def unsuited_build(returncode: int | None, first_decode: bool) -> bool:
    """A native build with instructions this CPU (or VM) faults on dies on its first real work."""
    return first_decode and returncode is not None and -returncode in (signal.SIGSEGV, signal.SIGILL)


def describe_exit(returncode: int | None, activity: Msg, first_decode: bool = False) -> Msg:
    """The engine's sentence naming the cause. Its last stderr lines are not part of it (llama.cpp's
    log lines mean nothing to most users): they travel as ``EngineCrashed.stderr_tail``, for a
    "Details" view.

    ``activity`` says what the engine was doing ("loading model.gguf", "generating an answer").
    ``first_decode``: the process died before it ever produced a token, during a decode.
    """
    if unsuited_build(returncode, first_decode):
        assert returncode is not None
        return msg(M.CRASH_FIRST_DECODE, signal=signal_name(-returncode), command=SAFE_BUILD_COMMAND)
    return msg(M.CRASH, activity=activity, cause=cause_of(returncode))


def last_lines(stderr_tail: list[str], count: int = 3) -> str:
    lines = [line.strip() for line in stderr_tail if line.strip()]
    return " | ".join(lines[-count:])


def crash_details(stderr_tail: list[str]) -> str:
    """A child's last stderr lines, for a Details view (empty when it wrote nothing)."""
    return "\n".join(line.rstrip() for line in stderr_tail if line.strip())
