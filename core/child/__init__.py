"""One way to run a Python child process speaking JSON lines (process.py: the parent's half;
side.py: the child's half; crash.py: how it ended, in words). The engine, the embed service, the
download worker, the quantize child and the ingest process all run on it."""
