"""`[portalwatch] hosts`: validated in sites.toml, passed to Scrapy as a DNS resolver."""

import pytest

from crawler.resolver import match
from crawler.run_settings import crawl_settings
from monitor.config import ConfigError, parse_config

SITE = {"id": "a", "name": "A", "start_urls": ["http://xa-ea-kao.daklak.sim.test:8765/tin-tuc"]}


def config(hosts):
    return parse_config({"portalwatch": {"hosts": hosts}, "site": [dict(SITE)]}, "sites.toml")


def test_hosts_table_reaches_scrapy_as_resolver_settings():
    cfg = config({"sim.test": "127.0.0.1"})
    s = crawl_settings(cfg, cfg.sites)
    assert s.getdict("PORTALWATCH_HOSTS") == {"sim.test": "127.0.0.1"}
    assert s.get("TWISTED_DNS_RESOLVER") == "crawler.resolver.HostsResolver"
    plain = parse_config({"site": [dict(SITE)]}, "sites.toml")
    assert plain.settings.hosts == {}
    assert crawl_settings(plain, plain.sites).get("TWISTED_DNS_RESOLVER") != "crawler.resolver.HostsResolver"
    assert crawl_settings(plain, plain.sites).getfloat("DOWNLOAD_DELAY_JITTER") == 0  # delay is a floor


@pytest.mark.parametrize("hosts,needle", [
    ({"sim.test": "localhost"}, "expected an IP address"),
    ({"sim.test": 127}, "expected an IP address"),
    ({"bad host!": "127.0.0.1"}, "is not a host name or suffix"),
    ("sim.test", "key 'hosts': expected a table"),
])
def test_bad_hosts_tables_are_named_in_the_error(hosts, needle):
    with pytest.raises(ConfigError) as e:
        config(hosts)
    assert needle in str(e.value) and "[portalwatch]" in str(e.value)


def test_suffix_matching():
    hosts = {"sim.test": "127.0.0.1", "daklak.sim.test": "127.0.0.2"}
    assert match(hosts, "sim.test") == "127.0.0.1"
    assert match(hosts, "Xa-Ea-Kao.DakLak.sim.test.") == "127.0.0.2"  # longest suffix, any case
    assert match(hosts, "hoangmai.hanoi.sim.test") == "127.0.0.1"
    assert match(hosts, "notsim.test") is None and match(hosts, "example.org") is None
