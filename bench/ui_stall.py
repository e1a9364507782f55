"""How long does the window's event loop stall while an answer streams?

The real window (offscreen Qt platform unless DISPLAY is set and --onscreen is given) with the
starter model, a stored conversation of 50 earlier messages (rendered Markdown, code blocks), and
an answer of 1,500 tokens streaming in (written to the store as it streams, rendered when it ends).
A 5 ms QTimer records when the event loop gets to run; a stall is the time between two ticks
beyond the interval. Printed: tick gaps p50/p99/max while streaming; targets p99 <= 50 ms,
max <= 100 ms.

Contention scenarios (``--scenario``; ``all`` runs each in its own process, fresh HEARTH_HOME), each
measured while an answer of ``--tokens`` streams, with the app's default llama.cpp thread count:

- ``docs-add``: ``hearth docs add`` of a 2,000-file folder runs in another process; meanwhile the
  Documents page is opened anew (its store opened while that process writes) and a question searched;
- ``chat-cli``: ``hearth chat --conversation`` (another process, its own model) writes to the same
  conversation file again and again while the window's answer streams and ends;
- ``download``: a large file served slowly by tests/fake_hub.py (its own process) is downloading;
  Pause, Resume and Cancel are clicked in the Downloads view;
- ``ingest``: 2,000 files are dropped into the window's Documents page.

Run:  python bench/ui_stall.py [--scenario baseline|docs-add|chat-cli|download|ingest|all] [--tokens N]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from itertools import pairwise
from pathlib import Path

TICK_MS = 5
ANSWER_TOKENS = 1500
EARLIER_MESSAGES = 50
TARGET_P99_MS, TARGET_MAX_MS = 50.0, 100.0
SCENARIOS = ("baseline", "docs-add", "chat-cli", "download", "ingest")
FILES = 2000
REPO = Path(__file__).resolve().parent.parent


def make_folder(root: Path, n: int = FILES) -> Path:
    """n small text files (a paragraph each, all different), in 20 subfolders."""
    folder = root / "notes"
    for i in range(n):
        sub = folder / f"part{i % 20:02d}"
        sub.mkdir(parents=True, exist_ok=True)
        (sub / f"note{i:04d}.txt").write_text(
            f"Note {i}. The lighthouse keeper logged ship number {i * 7 % 1000} passing at {i % 24}:00. "
            f"Weather: {'calm' if i % 3 else 'stormy'}; lamp oil used: {i % 11} litres.\n", "utf-8")
    return folder


def cli(*args: str) -> list[str]:
    return [sys.executable, "-m", "hearthlm.core.cli", *args]


class Scenario:
    """What happens in the background (``prepare``, before the answer) and during the answer
    (``during``, called at the first token); ``check`` says what it got done."""

    def __init__(self, name: str, window, work: Path):
        self.name, self.window, self.work = name, window, work
        self.procs: list[subprocess.Popen] = []
        self.notes: list[str] = []
        self.streaming = True

    def prepare(self) -> None:
        if self.name in ("docs-add", "ingest"):
            self.folder = make_folder(self.work)
        if self.name == "docs-add":
            self.procs.append(subprocess.Popen(cli("docs", "add", "Notes", str(self.folder)), stdout=subprocess.DEVNULL,
                                               stderr=subprocess.DEVNULL))
            time.sleep(8)  # well into its indexing (it holds the store's lock for each write)
        if self.name == "download":
            self._start_hub()

    def during(self) -> None:
        from PySide6.QtCore import QTimer

        w = self.window
        if self.name == "docs-add":
            from hearthlm.gui.docs_page import DocsPage

            w.pages.setCurrentWidget(w.docs_page)
            w.docs_page.refresh()
            page = self.page = DocsPage()  # the page opened anew: its store opens while the child writes
            page.resize(900, 600)
            page.show()
            page.resultsShown.connect(lambda n: self.notes.append(f"search answered ({n} results)"))

            def ask() -> None:
                page.refresh(select="Notes")
                page.question.setText("How much lamp oil was used in stormy weather?")
                page.ask()
            if page.ready_store is not None:
                QTimer.singleShot(500, ask)
            else:
                page.storeReady.connect(lambda: QTimer.singleShot(100, ask))
        elif self.name == "chat-cli":
            self._chat_child()
        elif self.name == "download":
            view = w.models_page.downloads
            w.pages.setCurrentWidget(w.models_page)
            view.tree.setCurrentItem(view.tree.topLevelItem(0))
            for at, button in ((1000, view.pause_button), (3000, view.resume_button), (6000, view.cancel_button)):
                QTimer.singleShot(at, lambda b=button: (b.isEnabled() and b.click(),
                                                        self.notes.append(f"{b.text()} at {view.tree.topLevelItem(0).text(4)}")))
        elif self.name == "ingest":
            w.pages.setCurrentWidget(w.docs_page)
            w.docs_page.add_paths([str(self.folder)], collection="Notes")

    def _chat_child(self) -> None:
        if not self.streaming:
            return
        conv = self.window.chat.conversation_id
        proc = subprocess.Popen(cli("chat", "--conversation", conv, "--prompt", "Say one word.", "--max-tokens", "8"),
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.procs.append(proc)
        from PySide6.QtCore import QTimer

        def again() -> None:
            if proc.poll() is None:
                QTimer.singleShot(100, again)
            else:
                self.notes.append(f"hearth chat exit {proc.returncode}")
                self._chat_child()
        QTimer.singleShot(100, again)

    def _start_hub(self) -> None:
        sys.path.insert(0, str(REPO / "tests"))
        from gguf_files import write_small_gguf

        big = write_small_gguf(self.work / "slow-F32.gguf", rows=32768, n_tensors=16, file_type=0)
        code = ("import sys, time; sys.path.insert(0, sys.argv[1]); from fake_hub import FakeHub; h = FakeHub();"
                "h.add_repo('acme/slow-GGUF', {'slow-F32.gguf': __import__('pathlib').Path(sys.argv[2])});"
                "h.fail('acme/slow-GGUF', 'slow-F32.gguf', 'slow', rate=2_000_000, times=None); h.start();"
                "print(h.url, flush=True); time.sleep(3600)")
        hub = subprocess.Popen([sys.executable, "-c", code, str(REPO / "tests"), str(big)], stdout=subprocess.PIPE,
                               text=True)
        self.procs.append(hub)
        os.environ["HF_ENDPOINT"] = hub.stdout.readline().strip()
        from hearthlm.core.hub.api import repo_files

        queue = self.window.models_page.queue
        queue.endpoint = os.environ["HF_ENDPOINT"]
        item = queue.add("acme/slow-GGUF", repo_files("acme/slow-GGUF").entries[0])
        deadline = time.time() + 30
        while queue.get(item.id).done == 0 and time.time() < deadline:
            time.sleep(0.1)
        self.notes.append(f"downloading {big.stat().st_size / 1e6:.0f} MB at 2 MB/s")

    def check(self) -> str:
        if self.name == "docs-add":
            self.page.shutdown()
        if self.name == "download":
            self.notes.append(f"final state: {self.window.models_page.queue.items()[0].state}")
        if self.name == "ingest":
            self.notes.append(f"window's indexing {'running' if self.window.docs_page._runner else 'done'}; "
                              f"{self.window.docs_page.files.topLevelItemCount()} rows")
        for proc in self.procs:
            if proc.poll() is None:
                proc.kill()
            proc.wait()
        return "; ".join(dict.fromkeys(self.notes))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--scenario", default="baseline", choices=(*SCENARIOS, "all"))
    parser.add_argument("--tokens", type=int, default=None, help=f"answer length (default {ANSWER_TOKENS}; 600 "
                        "for the contention scenarios)")
    parser.add_argument("--earlier", type=int, default=EARLIER_MESSAGES, help="earlier messages in the conversation")
    parser.add_argument("--onscreen", action="store_true")
    parser.add_argument("--trace", action="store_true", help="print the UI thread's stack during each stall "
                        "over the max target, and the garbage collections inside it (bench/stall_trace.py)")
    args = parser.parse_args()
    if args.scenario == "all":
        return run_all(args)
    if not args.onscreen:
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
    os.environ["HEARTH_HOME"] = tempfile.mkdtemp(prefix="hearth-bench-")
    tokens = args.tokens or (ANSWER_TOKENS if args.scenario == "baseline" else 600)
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from hearthlm.core.settings import Settings
    from hearthlm.core.starter import starter_model_path
    from hearthlm.gui.heap import freeze_long_lived
    from hearthlm.gui.main_window import MainWindow

    path = starter_model_path()
    if path is None:
        print('The starter model is not installed: pip install "hearthlm[starter]"', file=sys.stderr)
        return 2
    app = QApplication(sys.argv[:1])
    # Without a repeat penalty the starter model greedily runs on to max_tokens: a full-length answer.
    # The app's default llama.cpp thread count (Settings.n_threads = 0: one per physical core).
    settings = Settings(n_ctx=8192, max_tokens=tokens, temperature=0.0, repeat_penalty=1.0)
    window = MainWindow(settings, model=str(path))
    window.resize(900, 700)
    window.show()
    freeze_long_lived()  # as the app's start does (gui/app.py)

    # 50 earlier messages in the conversation store, rendered as the window renders them (Markdown,
    # a highlighted code block in every fifth answer); the whole history goes into the prompt.
    para = ("Here is an earlier message in this conversation, long enough to wrap over a few lines "
            "of the view, so that the document the answer streams into is a realistic size. ")
    code = "\n\n```python\ndef area(r):\n    return 3.14159 * r * r\n```\n"
    store = window.chat.store
    conv = store.create(title="Benchmark", model=str(path))
    parent = None
    for i in range(args.earlier):
        role = "user" if i % 2 == 0 else "assistant"
        text = para * 2 + (code if role == "assistant" and i % 10 == 1 else "")
        parent = store.add_message(conv.id, parent, role, text).id
    window.chat.conversations.refresh()
    window.chat.open_conversation(conv.id)
    scenario = Scenario(args.scenario, window, Path(os.environ["HEARTH_HOME"]) / "bench")
    scenario.work.mkdir()
    scenario.prepare()

    ticks: list[float] = []
    timer = QTimer(window)
    timer.setInterval(TICK_MS)
    timer.timeout.connect(lambda: ticks.append(time.perf_counter()))
    tracer = None
    if args.trace:
        sys.path.insert(0, str(Path(__file__).resolve().parent))
        from stall_trace import StallTracer

        tracer = StallTracer(threshold_ms=TARGET_MAX_MS / 2)
        timer.timeout.connect(tracer.tick)
        tracer.start()
    span: dict[str, float] = {}
    result: dict[str, object] = {}

    def on_tokens(_text: str) -> None:
        if "first" not in span:
            span["first"] = time.perf_counter()
            scenario.during()

    def on_answered(answer: object) -> None:
        span["last"] = time.perf_counter()
        result["answer"] = answer
        scenario.streaming = False
        QTimer.singleShot(300, app.quit)  # the answer's end is committed and rendered meanwhile

    def start() -> None:
        timer.start()
        window.chat.prompt.setPlainText("Tell me a very long story about a lighthouse keeper.")
        window.send()

    window.chat.events.tokens.connect(on_tokens)
    window.chat.events.answered.connect(on_answered)
    def on_failed(message: str, _crashed: bool) -> None:
        print(message, file=sys.stderr)
        app.quit()

    window.chat.events.answerFailed.connect(on_failed)
    window.chat.events.loaded.connect(lambda _info: QTimer.singleShot(200, start))
    watchdog = QTimer(window)  # give up after 30 minutes (a loaded 2-core machine can crawl)
    watchdog.setSingleShot(True)
    watchdog.timeout.connect(app.quit)
    watchdog.start(1_800_000)
    app.exec()
    timer.stop()
    done = scenario.check()
    window.close()  # stops the engine
    window.deleteLater()
    app.processEvents()

    answer = result.get("answer")
    if answer is None or "first" not in span:
        print("no answer streamed", file=sys.stderr)
        return 1
    # Up to the first tick after the answer ended: the end-of-answer rendering counts too.
    after = [t for t in ticks if t > span["last"]]
    inside = [t for t in ticks if span["first"] <= t <= span["last"]] + after[:1]
    timed = [((b - a) * 1000, a - span["first"]) for a, b in pairwise(inside)]
    worst_at = max(timed)[1] if timed else 0.0
    gaps = sorted(g for g, _at in timed)
    p50 = statistics.median(gaps)
    p99 = gaps[min(len(gaps) - 1, int(len(gaps) * 0.99))]
    worst = gaps[-1]
    stats = answer.stats
    print(f"Scenario: {args.scenario}" + (f" ({done})" if done else ""))
    print(f"Run: {time.strftime('%Y-%m-%d %H:%M')}; platform {app.platformName()}; {args.earlier} earlier "
          f"messages (stored, Markdown-rendered); answer written to the store while streaming; {stats.completion_tokens} tokens streamed in {span['last'] - span['first']:.1f} s "
          f"({stats.tokens_per_s:.1f} tokens/s, stop: {stats.stop_reason}, prompt {stats.prompt_tokens} tokens); "
          f"llama.cpp threads: app default ({settings.n_threads or 'one per physical core'}); {TICK_MS} ms ticks.\n")
    print("| event-loop gap | ms |")
    print("|---|---:|")
    print(f"| p50 | {p50:.1f} |")
    print(f"| p99 | {p99:.1f} |")
    print(f"| max | {worst:.1f} (at +{worst_at:.1f} s of {span['last'] - span['first']:.1f} s) |")
    print()
    print(f"- p99 ≤ {TARGET_P99_MS:.0f} ms: {'met' if p99 <= TARGET_P99_MS else 'NOT met'}; "
          f"max ≤ {TARGET_MAX_MS:.0f} ms: {'met' if worst <= TARGET_MAX_MS else 'NOT met'}.")
    if tracer is not None:
        tracer.stop()
        tracer.report(min_ms=TARGET_MAX_MS / 2, origin=span["first"])
    print(f"RESULT {args.scenario} p50={p50:.1f} p99={p99:.1f} max={worst:.1f}", flush=True)
    return 0


def run_all(args: argparse.Namespace) -> int:
    """Each scenario in its own process (a fresh window and HEARTH_HOME); a table at the end."""
    rows = []
    for name in SCENARIOS:
        cmd = [sys.executable, __file__, "--scenario", name, "--earlier", str(args.earlier)] + (
            ["--tokens", str(args.tokens)] if args.tokens else [])
        out = subprocess.run(cmd, capture_output=True, text=True)
        print(out.stdout, flush=True)
        line = next((ln for ln in out.stdout.splitlines() if ln.startswith("RESULT ")), None)
        if line is None:
            print(out.stderr[-2000:], file=sys.stderr)
            rows.append((name, None))
            continue
        rows.append((name, dict(kv.split("=") for kv in line.split()[2:])))
    print("| scenario | p50 ms | p99 ms | max ms | target met |")
    print("|---|---:|---:|---:|---|")
    for name, r in rows:
        if r is None:
            print(f"| {name} | – | – | – | did not run |")
            continue
        met = float(r["p99"]) <= TARGET_P99_MS and float(r["max"]) <= TARGET_MAX_MS
        print(f"| {name} | {r['p50']} | {r['p99']} | {r['max']} | {'yes' if met else 'no'} |")
    return 0 if all(r is not None for _n, r in rows) else 1


if __name__ == "__main__":
    code = main()
    sys.stdout.flush()
    sys.stderr.flush()
    # Leave without interpreter finalization. On PySide6 6.12.0 every Signal.emit() dropped a
    # reference to True and this run (thousands of signals) aborted in teardown with "bool_dealloc";
    # the pinned 6.11.3 does not (tests/test_qt_runtime.py), but a benchmark should not depend on it.
    os._exit(code)
