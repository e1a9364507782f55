"""Prompt rendering: chat templates (sandboxed) and fitting messages into a context. Used by the
engine and by chat alike, so it imports neither."""
