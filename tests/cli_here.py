"""``hearth …`` through the command line's entry point in this test's process.

A ``hearth`` child process costs a Python start and its imports (~0.15 s of CPU for a conversation
command, ~2 s for ``docs add``: chromadb and MiniLM again). Tests whose subject is not the process
(its exit status as the shell sees it, fd 1, a kill, concurrency) call the entry point here instead;
each command family keeps at least one test that runs the real ``hearth`` process.
"""

from __future__ import annotations

import contextlib
import io
import os
import subprocess
from collections.abc import Mapping

import pytest


def hearth_here(*args: str, env: Mapping[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Exit code, stdout and stderr as a CompletedProcess, with ``env`` set for the call."""
    from hearthlm.core.cli import main

    out, err = io.StringIO(), io.StringIO()
    with pytest.MonkeyPatch.context() as mp, contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        if "HEARTH_HOME" in os.environ:  # ``--home`` sets it for the process: put back afterwards
            mp.setenv("HEARTH_HOME", os.environ["HEARTH_HOME"])
        for name, value in (env or {}).items():
            mp.setenv(name, value)
        try:
            code = main(list(args))
        except SystemExit as exc:  # argparse's usage errors
            code = exc.code if isinstance(exc.code, int) else 1
    return subprocess.CompletedProcess(["hearth", *args], code, out.getvalue(), err.getvalue())
