"""Other HEARTH_HOMEs than the autouse one (a second installation, a CLI child's own home).

The derived MiniLM graph (core/docs/minilm_graph.py) costs ~3.5 s of CPU to build; every home made
here shares the run's one copy, as the autouse ``hearth_home`` does (tests/conftest.py).
"""

from __future__ import annotations

import os
from pathlib import Path

from hearthlm.core.docs import glossary
from hearthlm.core.docs.minilm_graph import CACHE_FOLDER


def shared_graphs() -> Path:
    """The run's folder of derived graphs (the autouse home's ``cache/embedders`` link)."""
    return (Path(os.environ["HEARTH_HOME"]) / "cache" / CACHE_FOLDER).resolve()


# Cache folders every test home shares with the whole run (conftest.py's homes and these):
# (the folder in a home's cache, the run's folder it links to)
SHARED_CACHES = ((CACHE_FOLDER, "derived-embedders"), (glossary.CACHE_FOLDER, "glossary"))


def other_home(home: Path) -> Path:
    """``home`` made ready to be a HEARTH_HOME that shares the run's derived graphs and dictionary
    index (core/docs/glossary.py) with the autouse one."""
    for folder, _run_folder in SHARED_CACHES:
        link = home / "cache" / folder
        if not link.exists():
            link.parent.mkdir(parents=True, exist_ok=True)
            link.symlink_to((Path(os.environ["HEARTH_HOME"]) / "cache" / folder).resolve(), target_is_directory=True)
    return home
