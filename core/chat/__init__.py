"""Conversations, prompt building and chat templates."""
