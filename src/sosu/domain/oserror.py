"""Why the system refused to read or write a file, in Danish.

An `OSError`'s own text is English ("No such file or directory"); the messages users
read are Danish from end to end, so every message that quotes such an error says why
with `reason`. An error without a Danish wording keeps its symbolic name (`ENOTSUP`),
which the operator can look up, rather than the English sentence.
"""

from __future__ import annotations

import errno

_REASONS = {
    errno.ENOENT: "findes ikke",
    errno.EACCES: "ingen adgang",
    errno.EPERM: "ingen adgang",
    errno.EROFS: "skrivebeskyttet",
    errno.ENOSPC: "fuld disk",
    errno.EDQUOT: "fuld disk (kvoten er brugt)",
    errno.EISDIR: "er en mappe",
    errno.ENOTDIR: "en del af stien er ikke en mappe",
    errno.EEXIST: "findes allerede",
    errno.ENAMETOOLONG: "navnet er for langt",
    errno.EMFILE: "for mange åbne filer",
    errno.ENFILE: "for mange åbne filer",
    errno.EIO: "læse- eller skrivefejl på disken",
    errno.EBUSY: "er i brug",
    errno.EXDEV: "kan ikke flyttes til en anden disk",
    errno.ELOOP: "for mange symbolske links",
}


def reason(error: OSError) -> str:
    """`error`'s cause in Danish, e.g. "findes ikke" or "fuld disk"."""
    if error.errno in _REASONS:
        return _REASONS[error.errno]
    if error.errno is not None and error.errno in errno.errorcode:
        return f"systemfejl {errno.errorcode[error.errno]}"
    return f"systemfejl ({type(error).__name__})"
