"""Secret files: the course secret behind per-learner inputs, and the signing key.

Both are named, never given: an option or an environment variable holds the
path of a file, so a secret never appears on a command line, in a shell's
history or in a process list. Neither this module nor its errors ever print
a secret's bytes; error messages name the file and the variable only.
"""
from __future__ import annotations

import os
from pathlib import Path

from grader import policy
from grader.errors import UsageError

# The environment variables that name the files (when no option does).
SECRET_ENV = "CNN_GRADER_SECRET_FILE"
SIGN_KEY_ENV = "CNN_GRADER_SIGN_KEY_FILE"
# Every key file this process has read: learner children must not open them
# either (isolation.protected_paths), or a submission could print a key into
# its own report. Keys are read before any child starts.
_read: dict[Path, str] = {}  # path -> what it holds ("course secret", "signing key")


def key_files_read() -> list[Path]:
    return sorted(_read)


def key_files_holding(what: str) -> list[Path]:
    return sorted(path for path, kind in _read.items() if kind == what)


def key_path(given: Path | None, env_var: str) -> Path | None:
    """The file an option names, else the one ``env_var`` names, else None."""
    if given is not None:
        return Path(given)
    named = os.environ.get(env_var, "").strip()
    return Path(named) if named else None


def read_key_file(path: Path, *, what: str, env_var: str) -> bytes:
    """The secret bytes in ``path`` (surrounding whitespace dropped), checked for length."""
    hint = (f"make one with: python -c \"import secrets; print(secrets.token_hex(32))\" > FILE, "
            f"then pass the file, or set {env_var}=FILE")
    try:
        data = Path(path).read_bytes().strip()
        _read[Path(path).resolve()] = what
    except FileNotFoundError:
        raise UsageError(f"the {what} file {path} does not exist", hint=hint) from None
    except IsADirectoryError:
        raise UsageError(f"the {what} file {path} is a folder, not a file", hint=hint) from None
    except OSError as exc:
        raise UsageError(f"the {what} file {path} cannot be read ({exc.strerror})",
                         hint=hint) from None
    if len(data) < policy.MIN_SECRET_BYTES:
        raise UsageError(f"the {what} file {path} holds {len(data)} bytes, fewer than the "
                         f"{policy.MIN_SECRET_BYTES} a secret needs", hint=hint)
    return data
