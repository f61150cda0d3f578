"""The one writer for files the user owns: stack files, ``--out-dir`` exports, anything later.

The new content goes to a temporary file in the same folder, is flushed and fsynced, gets
the original's mode (and owner, where allowed), and replaces the original with
``os.replace``: a reader, a crash, a full disk or Ctrl-C at any moment sees the old file
byte for byte or the new one complete, never an empty or half file. A symlink is followed,
so the file it points to is replaced, not the link.

Permission bits are honoured even where the kernel would not enforce them (root): a file or
folder nobody may write is one the user marked read-only, and is refused before anything
is written.
"""

from __future__ import annotations

import contextlib
import errno
import os
import secrets
import stat
from pathlib import Path

_WRITE_BITS = stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH
#: What to do about the errors a user can fix.
_FIXES = {
    errno.ENAMETOOLONG: " (the name is longer than the file system allows)",
    errno.EISDIR: "; remove or rename the folder, or choose another name",
    errno.ENOSPC: "; free some space and run again",
    errno.EDQUOT: "; free some space and run again",
    errno.EACCES: "; make it writable, or choose another folder",
    errno.EPERM: "; make it writable, or choose another folder",
    errno.EROFS: "; the file system is read-only, choose another folder",
}


class UserFileError(OSError):
    """A user's file cannot be written; the message names the file (as the user gave it) and the fix."""


def _failed(shown: Path, exc: OSError) -> UserFileError:
    return UserFileError(f"cannot write {shown}: {exc.strerror or exc}{_FIXES.get(exc.errno or 0, '')}")


def _stat(path: Path, shown: Path) -> os.stat_result | None:
    try:
        return os.stat(path)
    except FileNotFoundError:
        return None
    except OSError as exc:  # a name too long, a file where a folder should be, ...
        raise _failed(shown, exc) from None


def check_replaceable(path: Path) -> None:
    """Refuse, before any slow work, a file that :func:`replace_file` could not replace.

    :raises UserFileError: the file or its folder is read-only, the folder is missing, a
        folder sits at the file's name, or the name is not usable.
    """
    target = Path(os.path.realpath(path))  # a symlink's target is what gets replaced
    folder = _stat(target.parent, path.parent)
    if folder is None or not stat.S_ISDIR(folder.st_mode):
        raise UserFileError(f"{path.parent} is not a folder; create it, or choose another")
    if not folder.st_mode & _WRITE_BITS or not os.access(target.parent, os.W_OK | os.X_OK):
        raise UserFileError(f"{path.parent} is read-only; make it writable (chmod u+w), or choose another folder")
    old = _stat(target, path)
    if old is None:
        return
    if stat.S_ISDIR(old.st_mode):
        raise UserFileError(f"{path} is a folder; remove or rename it, or choose another name")
    if not old.st_mode & _WRITE_BITS or not os.access(target, os.W_OK):
        raise UserFileError(f"{path} is read-only (mode {stat.S_IMODE(old.st_mode):04o}); make it writable "
                            f"(chmod u+w {path.name})")


def replace_file(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` atomically (to a symlink's target, when ``path`` is one).

    On any error, ``KeyboardInterrupt`` included, the original is untouched and the
    temporary file is gone.

    :raises UserFileError: read-only file or folder, or a folder at the name (see :func:`check_replaceable`);
        anything the file system refuses (no space, name too long), naming the file.
    """
    check_replaceable(path)
    target = Path(os.path.realpath(path))
    old = _stat(target, path)
    # A short name of our own: the target's name may already be as long as the file system allows.
    temp = target.parent / f".mxsplit-{secrets.token_hex(6)}.tmp"
    try:
        # 0o666 minus the umask for a new file, as open(..., "w") would create it.
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0), 0o666)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        if old is not None:
            os.chmod(temp, stat.S_IMODE(old.st_mode))
            with contextlib.suppress(PermissionError):  # only root may give a file away
                os.chown(temp, old.st_uid, old.st_gid)
        os.replace(temp, target)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        if isinstance(exc, OSError) and not isinstance(exc, UserFileError):
            raise _failed(path, exc) from None
        raise
    _sync_folder(target.parent)


def _sync_folder(folder: Path) -> None:
    """Make the rename itself durable (POSIX); some systems cannot open a folder, which is fine."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
