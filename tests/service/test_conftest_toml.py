"""The service tests' sites.toml helper writes TOML with tomlkit: values are quoted, the rest of
the file stays as it was."""

from __future__ import annotations

from tests.conftest import make_portal
from tests.service.conftest import set_service_settings


def test_set_service_settings_quotes_values_and_keeps_the_file(tmp_path):
    p = make_portal(tmp_path, articles_per_site=2)
    try:
        before = p.config.read_text(encoding="utf-8")
        odd = 'C:\\sao lưu\\"pw" # not a comment'
        set_service_settings(p, backup_dir=odd, crawl_timeout=60, jitter=0)
        first = p.config.read_text(encoding="utf-8")
        added = first[first.index("[portalwatch]\n") + 14:].split("contact_url", 1)[0]
        assert first.replace(added, "", 1) == before  # three lines added, nothing else moved
        set_service_settings(p, crawl_timeout=6)  # a second call replaces, never duplicates
        cfg = p.load_config()
        assert cfg.service.backup_dir == odd
        assert cfg.service.crawl_timeout == 6 and cfg.service.jitter == 0
        assert p.config.read_text(encoding="utf-8") == first.replace("crawl_timeout = 60", "crawl_timeout = 6")
    finally:
        p.server.stop()
