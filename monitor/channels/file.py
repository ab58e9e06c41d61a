"""Write the digest to a folder: HTML (charts inlined), Markdown, JSON and/or text.

    { type = "file", path = "digests", formats = ["html", "md", "json"] }

A relative path is relative to the configuration file. Files are named
`<recipient>-<YYYYmmdd-HHMM of the window end, Vietnam time>.<ext>` and written atomically
(temporary file + rename), so a retry rewrites the same file instead of adding another.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from crawler import clock
from monitor.channels.base import Channel, ChannelError, Delivery

FORMATS = ("html", "md", "json", "txt")
DEFAULT_FORMATS = ["html", "md", "json"]


def stem(out: Delivery) -> str:
    """<recipient>[-alert|-weekly|-monthly]-<window end, Vietnam time>: one name per message."""
    kind = out.data.get("kind", "daily")
    return f"{out.recipient_id}{'' if kind == 'daily' else '-' + kind}-{clock.local(out.data['window']['until'], '%Y%m%d-%H%M')}"


class FileChannel(Channel):
    type = "file"
    aliases = ("files",)
    keys = ("path", "formats")
    required = ("path",)

    @classmethod
    def problem(cls, table: dict[str, Any]) -> str | None:
        formats = table.get("formats", DEFAULT_FORMATS)
        if not isinstance(formats, list) or not formats or any(f not in FORMATS for f in formats):
            return f"file channel: 'formats' must be a list drawn from {', '.join(FORMATS)}"
        return None

    def target(self) -> str:
        return "file:" + str(self.table.get("path", ""))

    def send(self, out: Delivery) -> str:
        folder = Path(self.table["path"])
        folder = folder if folder.is_absolute() else out.base_dir / folder
        r = out.rendered()
        content = {"html": r.html, "md": r.markdown, "txt": r.text,
                   "json": json.dumps(out.data, ensure_ascii=False, indent=2)}
        written = []
        out.going_out()
        try:
            folder.mkdir(parents=True, exist_ok=True)
            for fmt in self.table.get("formats", DEFAULT_FORMATS):
                target = folder / f"{stem(out)}.{fmt}"
                tmp = target.with_name(target.name + ".tmp")
                tmp.write_text(content[fmt], encoding="utf-8")
                os.replace(tmp, target)
                written.append(target.name)
            for name, blob in r.attachments.items():  # a report's .xlsx, beside them
                target = folder / name
                tmp = target.with_name(target.name + ".tmp")
                tmp.write_bytes(blob)
                os.replace(tmp, target)
                written.append(target.name)
        except OSError as e:
            raise ChannelError(f"file channel: {e}") from e
        return f"{folder}: {', '.join(written)}"
