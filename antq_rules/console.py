"""Output to a terminal or a pipe, for the command-line entry points."""

from __future__ import annotations

import os
import sys

EXIT_PIPE = 141  # as a shell reports a program stopped by SIGPIPE


def silence_stdout() -> None:
    """Send what is left of stdout nowhere, so that Python's flush at exit
    does not complain again about a pipe or disk that refused it."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):
        pass


def closed_pipe() -> int:
    """The reader of our output went away (`antq … | head`): stop quietly, as
    `cat` does, without Python's complaint when it flushes stdout at exit."""
    silence_stdout()
    return EXIT_PIPE
