"""Keeping Python's full garbage collections short while the window runs.

A full collection walks every tracked object (~50,000 once the window is up: Qt wrappers, jinja2,
markdown-it, pygments; many more once chromadb is imported): ~40 ms here, more on a busy machine,
and it strikes at random while an answer streams. What lives as long as the app is moved out of
its reach with ``gc.freeze()``: once at the app's start (after collecting the garbage of starting
up, so that it is not kept forever), and again after each part made later that brings many
long-lived objects (a page made when first shown, the document store's chromadb). Only a process
that started the app does the later freezes: a test process making many windows keeps nobody's
garbage. UI thread only.
"""

from __future__ import annotations

import gc

_app_started = False


def freeze_long_lived() -> None:
    """At the app's start, once the window is shown."""
    global _app_started
    _app_started = True
    gc.collect()
    gc.freeze()


def freeze_new_long_lived() -> None:
    """After a long-lived part was made (a page, the document store), in the app only. No collection
    first: it would pause the window itself; the little garbage of making one part is kept."""
    if _app_started:
        gc.freeze()
