"""``python -m hearthlm.core.hardware.probe``: print the llama.cpp build as JSON.

Run in a child process, so that a build that crashes on load cannot take the caller with it.
"""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

from ..child.crash import cause_of, last_lines


def probe_build(timeout: float = 60.0) -> dict[str, Any]:
    """The build description, or {"error": sentence} when llama.cpp cannot even be imported."""
    try:
        result = subprocess.run([sys.executable, "-m", "hearthlm.core.hardware.probe"],
                                capture_output=True, text=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        return {"error": f"llama.cpp did not answer within {timeout:.0f} s."}
    if result.returncode != 0:
        tail = last_lines(result.stderr.splitlines())
        return {"error": f"llama.cpp could not be loaded: {cause_of(result.returncode)}. {tail}".strip()}
    return json.loads(result.stdout)


def main() -> None:
    from .build_info import llama_build

    print(json.dumps(llama_build()))


if __name__ == "__main__":
    main()
