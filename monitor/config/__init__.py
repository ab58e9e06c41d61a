"""The configuration: sites.toml read into typed records, with errors that name the file, the
table and the key.

load.py (Config, Recipient, Cluster; load_config / parse_config) over keys.py (each table's
allowed keys and checks), settings.py (`[portalwatch]` split into the crawl's settings and the
monitor's ServiceSettings), parents.py (every `parent` names a site or unit, no cycles), tree.py
(sites and units as one tree), schedules.py ("every 2h", cron) and web.py (the `[web]` table of
`portalwatch web`). A recipient's channel tables are checked by their classes in
monitor/channels/.
"""

from monitor.config.keys import ConfigError
from monitor.config.load import (
    DEFAULT_CONFIG,
    DEFAULT_DB,
    ID_RE,
    LEVELS,
    Cluster,
    Config,
    Recipient,
    load_config,
    parse_config,
)
from monitor.config.settings import ServiceSettings
from monitor.config.web import Web

__all__ = [
    "DEFAULT_CONFIG", "DEFAULT_DB", "ID_RE", "LEVELS", "Cluster", "Config", "ConfigError", "Recipient",
    "ServiceSettings", "Web", "load_config", "parse_config",
]
