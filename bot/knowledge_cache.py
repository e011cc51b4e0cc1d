"""The knowledge file, read through a cache of its parsed form.

Parsing the YAML is most of what a short `rcodebot explain` or `rcodebot rcode` spends before it can answer
(about 35 ms, and 25 ms more to import the YAML library). The parsed document is plain data, so it is kept as
JSON in the cache directory (`Settings.cache_dir`), named by a hash of the file's text: an edited file has another
name, so a stale copy is never read. The document is validated on every load, cached or not. A cache that cannot
be read or written is ignored: the file is then parsed as before.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from pathlib import Path
from typing import Any

from bot.core.codes import knowledge
from bot.core.errors import KnowledgeError

FORMAT = 1
"""Bumped whenever what is stored changes, so that an older rcodebot's cache files are not read."""


def load(path: Path, cache_dir: Path | None) -> knowledge.Knowledge:
    """The validated knowledge in `path`, parsed once per version of its text when `cache_dir` is set."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as err:
        raise KnowledgeError(path=path, where="file", problem=f"cannot be read ({err.strerror or err})") from None
    if cache_dir is None:
        return knowledge.from_text(text, str(path))
    digest = hashlib.sha256(f"{FORMAT}\0{text}".encode()).hexdigest()[:32]
    cached = cache_dir / f"knowledge-{digest}.json"
    doc = _read(cached)
    if doc is None:
        doc = knowledge.parse(text, str(path))
        _write(cached, doc)
    return knowledge.from_document(doc, str(path))


def _read(cached: Path) -> Any:
    try:
        return json.loads(cached.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def _write(cached: Path, doc: Any) -> None:
    """Keep `doc` when JSON gives back exactly the same data (YAML can hold dates or non-string keys, which it
    would not), written to a temporary name and renamed, so a reader never sees half a file."""
    tmp: str | None = None
    try:
        text = json.dumps(doc, ensure_ascii=False)
        if json.loads(text) != doc:
            return
        cached.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=cached.parent, prefix=".knowledge-", suffix=".tmp")
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.replace(tmp, cached)
        tmp = None
    except (OSError, TypeError, ValueError):
        return
    finally:
        if tmp is not None:
            Path(tmp).unlink(missing_ok=True)
