"""Reading a file a user was sent: only a regular file, and never more than a limit.

A FIFO given as a scenario would block forever, /dev/zero would be read until memory runs out, and a
huge file would be read whole before its size is checked. The file is opened without blocking, refused
unless it is a regular file, and read in chunks that stop one byte past the limit.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from simulator.errors import CallsimError

_CHUNK = 1 << 16


class FileRefused(CallsimError):
    """Why a file was not read, without the file's name (the caller's error names it)."""


def read_bounded(path: Path, limit: int, what: str) -> bytes:
    """The file's bytes, at most limit of them; raises FileRefused saying why (what names the kind of file)."""
    try:
        descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0))
    except FileNotFoundError:
        raise FileRefused("no such file") from None
    except IsADirectoryError:
        raise FileRefused(f"is a folder, not a {what}") from None
    except OSError as error:
        raise FileRefused(f"cannot read: {error.strerror or error}") from None
    try:
        mode = os.fstat(descriptor).st_mode
        if stat.S_ISDIR(mode):
            raise FileRefused(f"is a folder, not a {what}")
        if not stat.S_ISREG(mode):
            raise FileRefused(f"is not a regular file (a pipe, device or socket); a {what} must be a file")
        chunks: list[bytes] = []
        size = 0
        while size <= limit:
            chunk = os.read(descriptor, min(_CHUNK, limit + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        if size > limit:
            raise FileRefused(f"too large for a {what} (the limit is {size_words(limit)})")
        return b"".join(chunks)
    except OSError as error:
        raise FileRefused(f"cannot read: {error.strerror or error}") from None
    finally:
        os.close(descriptor)


def size_words(size: int) -> str:
    if size >= 1_000_000:
        return f"{size / 1_000_000:g} MB"
    return f"{size / 1000:g} KB"


def regular_file_size(path: Path, what: str) -> int:
    """The size of a regular file, without opening it for reading; raises FileRefused like read_bounded."""
    try:
        info = path.stat()
    except FileNotFoundError:
        raise FileRefused("no such file") from None
    except OSError as error:
        raise FileRefused(f"cannot read: {error.strerror or error}") from None
    if stat.S_ISDIR(info.st_mode):
        raise FileRefused(f"is a folder, not a {what}")
    if not stat.S_ISREG(info.st_mode):
        raise FileRefused(f"is not a regular file (a pipe, device or socket); a {what} must be a file")
    return info.st_size
