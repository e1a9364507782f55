"""The bundled program's entry point (packaging/hearth.spec).

``hearth`` as the CLI does (no argument: the window). Hearth starts its child processes (the engine,
the hardware probe, document indexing, downloads) as ``sys.executable -m <module> ...``; in a bundle
``sys.executable`` is this program, so ``-m <module>`` runs that module here, as Python would.
"""

from __future__ import annotations

import sys


def main() -> int:
    if len(sys.argv) >= 3 and sys.argv[1] == "-m":
        import runpy

        module = sys.argv[2]
        sys.argv = [sys.argv[0], *sys.argv[3:]]
        runpy.run_module(module, run_name="__main__", alter_sys=True)
        return 0
    from hearthlm.core.cli import main as cli_main

    return int(cli_main() or 0)


if __name__ == "__main__":
    if getattr(sys, "frozen", False):
        import multiprocessing

        multiprocessing.freeze_support()
    sys.exit(main())
