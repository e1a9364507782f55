"""The tokenizer child: ``python -m hearthlm.core.tokens.worker``. Loads vocabularies only
(``vocab_only``), so that the window never runs llama.cpp itself (a damaged file costs this
process, not the window).

    {"cmd": "tokenize", "id": n, "path": "...", "text": "..."} -> {"ev": "tokens", "id": n, "result": {...}}
"""

from __future__ import annotations

import traceback
from collections import OrderedDict

from .. import messages as CM
from ..child.side import protect_stdout, read_messages
from ..errors import HearthError
from ..messages import msg

KEEP_VOCABS = 4  # a few models compared side by side stay loaded


def main() -> None:
    channel = protect_stdout()
    channel.ready()
    vocabs: OrderedDict = OrderedDict()
    for message in read_messages():
        cmd, req = message.get("cmd"), message.get("id", 0)
        if cmd == "quit":
            break
        if cmd != "tokenize":
            continue
        try:
            from .vocab import Vocab

            path = str(message["path"])
            if path not in vocabs:
                vocabs[path] = Vocab(path)
                while len(vocabs) > KEEP_VOCABS:
                    vocabs.popitem(last=False)[1].close()
            vocabs.move_to_end(path)
            result = vocabs[path].tokenize(str(message.get("text", "")))
            channel.send(ev="tokens", id=req, result=result.to_dict())
        except HearthError as exc:
            channel.send(ev="error", id=req, message=str(exc.msg), msg=exc.msg.to_json())
        except Exception as exc:  # report and keep serving
            traceback.print_exc()
            error = msg(CM.ENGINE_FAILED, error=str(exc))
            channel.send(ev="error", id=req, message=str(error), msg=error.to_json())


if __name__ == "__main__":
    main()
