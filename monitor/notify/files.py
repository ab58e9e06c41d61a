"""Write the digest to a folder: HTML (charts inlined), Markdown and/or JSON.

    { type = "file", path = "digests", formats = ["html", "md", "json"] }

A relative path is relative to the configuration file. Files are named
`<recipient>-<YYYYmmdd-HHMM of the window end, Vietnam time>.<ext>` and written atomically
(temporary file + rename), so a retry rewrites the same file instead of adding another.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from crawler import clock
from monitor.config.channels import DEFAULT_FILE_FORMATS
from monitor.notify.outgoing import ChannelError, Outgoing


def stem(out: Outgoing) -> str:
    return f"{out.recipient_id}-{clock.local(out.data['window']['until'], '%Y%m%d-%H%M')}"


def send(ch: dict, out: Outgoing) -> str:
    folder = Path(ch["path"])
    folder = folder if folder.is_absolute() else out.base_dir / folder
    r = out.rendered()
    content = {"html": r.html, "md": r.markdown, "txt": r.text,
               "json": json.dumps(out.data, ensure_ascii=False, indent=2)}
    written = []
    out.going_out()
    try:
        folder.mkdir(parents=True, exist_ok=True)
        for fmt in ch.get("formats", DEFAULT_FILE_FORMATS):
            target = folder / f"{stem(out)}.{fmt}"
            tmp = target.with_name(target.name + ".tmp")
            tmp.write_text(content[fmt], encoding="utf-8")
            os.replace(tmp, target)
            written.append(target.name)
    except OSError as e:
        raise ChannelError(f"file channel: {e}") from e
    return f"{folder}: {', '.join(written)}"
