"""Output to a terminal or a pipe, for the command-line entry points."""

from __future__ import annotations

import os
import sys

EXIT_PIPE = 141  # as a shell reports a program stopped by SIGPIPE


def closed_pipe() -> int:
    """The reader of our output went away (`antq … | head`): stop quietly, as
    `cat` does, without Python's complaint when it flushes stdout at exit."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass
    return EXIT_PIPE
