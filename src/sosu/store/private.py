"""Files that hold data about students are written for their owner only (0600).

Whatever the umask (a service may run with 000): the file is created under a
temporary name with mode 0600 and moved into place, so no one else can read it
at any moment and a crash never leaves half a file under the real name.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def write_private(path: Path, data: bytes) -> None:
    """Write `data` to `path` atomically with mode 0600 (an existing file is replaced)."""
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}-")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(temporary, 0o600)  # mkstemp gives 0600 already; said here for the reader
        os.replace(temporary, path)
    finally:
        Path(temporary).unlink(missing_ok=True)
