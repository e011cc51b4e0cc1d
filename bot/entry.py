"""The process entry point of the `rcodebot` command and of `python -m bot`.

It exists so that warnings raised inside dependencies stay off the user's terminal. A dependency's new release
(cryptography deprecating DSA, say, printed through dnspython at import time) must not put four lines above every
answer, nor change what `rcodebot` prints on stderr. The filter is installed before anything else is imported,
and only here, in the real process: tests that import `bot.cli` keep Python's and pytest's own warning rules.

The project's own warnings still show (a filter only silences warnings attributed to modules outside `bot`), and
so does everything when the user asks for warnings with `python -W …` or `PYTHONWARNINGS`.
"""

from __future__ import annotations

import sys
import warnings
from typing import NoReturn

# Matches every module name that is not `bot` or inside it (warnings' `module` field is the warned-from module).
FOREIGN_MODULES = r"(?!bot(?:\.|$))"


def quiet_dependency_warnings(warnoptions: list[str] | None = None) -> bool:
    """Ignore warnings attributed to modules outside `bot`, unless the user asked for warnings; True if installed."""
    if sys.warnoptions if warnoptions is None else warnoptions:
        return False
    warnings.filterwarnings("ignore", module=FOREIGN_MODULES)
    return True


def run() -> NoReturn:
    """`rcodebot …`: quiet dependencies' warnings, then run the CLI and exit with its status."""
    quiet_dependency_warnings()
    from bot.cli import main

    sys.exit(main())
