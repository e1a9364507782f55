"""Argument types shared by the ``hearth`` subcommands: a bad value is argparse's usage error
(exit 2, one line), the same for every command."""

from __future__ import annotations

import argparse


def positive_int(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a whole number") from None
    if number < 1:
        raise argparse.ArgumentTypeError(f"{number} is not a positive number")
    return number


def port_number(value: str) -> int:
    try:
        port = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a port number") from None
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"{port} is not a port: ports are 0 to 65535")
    return port


def number_text(x: float) -> str:
    """A bound as the command line says it: 1,048,576 for a whole number, 0.5 otherwise."""
    return f"{int(x):,}" if float(x).is_integer() else f"{x:g}"
