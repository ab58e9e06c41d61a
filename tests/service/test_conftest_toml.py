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
        set_service_settings(p, crawl_timeout=6)  # a second call replaces, never duplicates
        cfg = p.load_config()
        assert cfg.settings.backup_dir == odd
        assert cfg.settings.crawl_timeout == 6 and cfg.settings.jitter == 0
        after = p.config.read_text(encoding="utf-8")
        tail = before[before.index("[[site]]"):]
        assert after.endswith(tail)  # sites, recipients and their comments untouched
    finally:
        p.server.stop()
