"""An engine that dies between questions (killed while idle: the OOM killer, a crash, a suspend)
is no dead end: core/engine/keeper.py restarts it with the same model and load parameters, and a
reload that fails says why in one sentence (the log lines are kept apart, for a Details view).
Real engine processes on the starter model, killed with real signals."""

from __future__ import annotations

import os
import shutil
import signal
import time
from pathlib import Path

import pytest

from hearthlm.core.engine import Engine, GenerationParams, LoadParams
from hearthlm.core.engine.keeper import EngineKeeper
from hearthlm.core.errors import EngineCrashed, EngineRestartFailed

pytestmark = pytest.mark.engine

GREEDY = GenerationParams(max_tokens=8, temperature=0.0)
QUESTION = [{"role": "user", "content": "What is the capital of France?"}]


def kill_and_wait(pid: int) -> None:
    """SIGKILL the engine and wait until it has wholly exited. Its main thread turns zombie ("Z" in
    /proc) while llama.cpp's other threads are still being torn down, and until the last one is gone
    its pipes stay open: a request sent then is taken in and the engine dies "while answering". So
    wait for the exit the parent can see (waitid with WNOWAIT leaves the status to the engine)."""
    os.kill(pid, signal.SIGKILL)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            if os.waitid(os.P_PID, pid, os.WEXITED | os.WNOHANG | os.WNOWAIT) is not None:
                return
        except ChildProcessError:
            return  # already reaped
        time.sleep(0.02)
    raise AssertionError(f"engine {pid} still runs")


def test_engine_killed_while_idle_reports_a_crash_not_a_dead_end(starter_model: Path) -> None:
    engine = Engine()
    try:
        engine.load(LoadParams(str(starter_model), n_ctx=1024, n_threads=1))
        assert engine.chat(QUESTION, GREEDY).text
        kill_and_wait(engine.pid)
        with pytest.raises(EngineCrashed) as info:
            engine.chat(QUESTION, GREEDY)
    finally:
        engine.close()
    error = info.value
    assert error.returncode == -signal.SIGKILL
    # One sentence: what happened and why, no llama.cpp log lines (they stay in stderr_tail).
    assert str(error) == ("The engine stopped while waiting for a question: SIGKILL (being killed, often by "
                          "the system running out of memory).")
    assert error.stderr_tail, "llama.cpp's log lines are kept for the Details view"


def test_keeper_restarts_a_dead_engine_with_the_same_load_params(starter_model: Path) -> None:
    keeper = EngineKeeper()
    try:
        params = LoadParams(str(starter_model), n_ctx=768, n_threads=1)
        keeper.load(params)
        first = keeper.ready()
        before = first.chat(QUESTION, GREEDY)
        pid = first.pid
        kill_and_wait(pid)

        progress: list[float] = []
        engine = keeper.ready(on_restart=progress.append)
        assert engine is not first and engine.alive and engine.pid != pid
        assert keeper.restarts == 1 and progress and progress[-1] == pytest.approx(1.0)
        assert engine.model is not None and engine.model.n_ctx == 768  # the same load parameters
        assert engine.chat(QUESTION, GREEDY).text == before.text  # greedy: the same model answers the same
        assert keeper.ready() is engine and keeper.restarts == 1  # alive: no second restart
    finally:
        keeper.close()


def test_keeper_says_why_a_restart_failed_in_one_sentence(starter_model: Path, tmp_path: Path) -> None:
    model = tmp_path / "model.gguf"
    shutil.copyfile(starter_model, model)
    keeper = EngineKeeper()
    try:
        keeper.load(LoadParams(str(model), n_ctx=512, n_threads=1))
        kill_and_wait(keeper.ready().pid)
        model.rename(tmp_path / "moved.gguf")  # the file went away while the engine was down
        with pytest.raises(EngineRestartFailed) as info:
            keeper.ready()
        assert isinstance(info.value, EngineCrashed)  # the caller offers Restart, as for a crash
        assert str(info.value) == (f"The engine had stopped and could not be restarted with model.gguf: "
                                   f"No model file at {model}.")
        (tmp_path / "moved.gguf").rename(model)
        assert keeper.ready().chat(QUESTION, GREEDY).text  # back once the file is
    finally:
        keeper.close()
