"""Turn the way an engine process ended into one sentence a user can act on."""

from __future__ import annotations

import signal

SAFE_BUILD_COMMAND = "python3 packaging/install.py --build safe"

_SIGNAL_WORDS = {
    "SIGSEGV": "a segmentation fault",
    "SIGILL": "an illegal CPU instruction",
    "SIGABRT": "an abort, usually a failed check inside llama.cpp or out of memory",
    "SIGKILL": "being killed, often by the system running out of memory",
    "SIGBUS": "a bus error (the model file may have changed or shrunk while in use)",
    "SIGFPE": "an arithmetic fault",
    "SIGTERM": "a request to terminate",
}


def signal_name(number: int) -> str:
    try:
        return signal.Signals(number).name
    except ValueError:
        return f"signal {number}"


def cause_of(returncode: int | None) -> str:
    """'SIGSEGV (a segmentation fault)' or 'exit code 3'."""
    if returncode is None:
        return "an unknown cause"
    if returncode < 0:
        name = signal_name(-returncode)
        words = _SIGNAL_WORDS.get(name)
        return f"{name} ({words})" if words else name
    return f"exit code {returncode}"


def last_lines(stderr_tail: list[str], count: int = 3) -> str:
    lines = [line.strip() for line in stderr_tail if line.strip()]
    return " | ".join(lines[-count:])


def describe_exit(returncode: int | None, stderr_tail: list[str], activity: str,
                  first_decode: bool = False) -> str:
    """One sentence naming the cause, with the engine's last stderr lines after it.

    ``activity`` says what the engine was doing ("loading model.gguf", "generating an answer").
    ``first_decode``: the process died before it ever produced a token, during a decode.
    """
    cause = cause_of(returncode)
    if first_decode and returncode is not None and -returncode in (signal.SIGSEGV, signal.SIGILL):
        message = (
            f"The engine crashed with {signal_name(-returncode)} on its first decode: the installed "
            f"llama.cpp build does not suit this CPU; reinstall the safe build with "
            f"`{SAFE_BUILD_COMMAND}`."
        )
    else:
        message = f"The engine stopped while {activity}: {cause}."
    tail = last_lines(stderr_tail)
    if tail:
        message += f" Its last output: {tail}"
    return message
