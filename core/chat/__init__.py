"""Conversations (SQLite), presets and reasoning; prompt rendering lives in core/prompt."""
