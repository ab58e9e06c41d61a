"""A district without a crawled portal, declared as a [[unit]]: its wards are crawled for real, the
unit is mirrored into the `sites` table by the crawl, and the district's digest names it."""

import tomllib

import pytest
import tomlkit

from monitor.detect.events import detect
from monitor.digest import build, render
from tests.conftest import make_portal

pytestmark = pytest.mark.slow


def test_a_unit_parent_is_mirrored_and_named_in_its_district_digest(tmp_path, monkeypatch):
    portal = make_portal(tmp_path, recipients=False)
    try:
        data = tomllib.loads(portal.config.read_text(encoding="utf-8"))
        district = next(s for s in data["site"] if s["id"] == "hoang-mai")
        data["site"] = [s for s in data["site"] if s["id"] != "hoang-mai"]  # its portal is not crawled
        data["unit"] = [{"id": "hoang-mai", "name": district["name"], "level": "district", "parent": "ha-noi"},
                        {"id": "ha-noi", "name": "Thành phố <Hà Nội>", "level": "city"}]
        data["recipient"] = [{"id": "ubnd-hoang-mai", "name": "UBND quận Hoàng Mai", "parents": ["hoang-mai"]},
                             {"id": "ubnd-ha-noi", "name": "UBND thành phố Hà Nội", "parents": ["ha-noi"],
                              "language": "en"}]
        portal.config.write_text(tomlkit.dumps(data), encoding="utf-8")
        config = portal.load_config()
        wards = [s.id for s in config.sites_for(config.recipient("ubnd-hoang-mai"))]
        assert wards == ["vinh-hung", "hoang-liet", "tuong-mai", "dinh-cong"]

        monkeypatch.setenv("PORTALWATCH_NOW", portal.sim.clock()["now_utc"])
        portal.crawl(["vinh-hung", "tuong-mai"])  # a real child crawl; the plan carries the units
        db = portal.db()
        try:
            rows = {r["id"]: r for r in db["sites"].rows}
            assert rows["hoang-mai"]["name"] == "Quận Hoàng Mai" and rows["hoang-mai"]["parent"] == "ha-noi"
            assert rows["hoang-mai"]["enabled"] == 0 and rows["hoang-mai"]["host"] is None
            assert rows["hoang-mai"]["start_urls"] == "[]" and rows["ha-noi"]["level"] == "city"
            assert rows["vinh-hung"]["parent"] == "hoang-mai"
            detect(db, config)
            now = portal.sim.clock()["now_utc"]
            digest = build(db, config, config.recipient("ubnd-hoang-mai"), "2000-01-01T00:00:00Z", now)
            city = build(db, config, config.recipient("ubnd-ha-noi"), "2000-01-01T00:00:00Z", now)
        finally:
            db.conn.close()
        assert digest["units"] == [{"id": "hoang-mai", "name": "Quận Hoàng Mai", "level": "district", "sites": 4,
                                   "unnamed": False}]
        assert [s["id"] for s in digest["sites"]] == wards  # the unit is no row of its own
        out = render(digest)
        assert "\nPhạm vi: Quận Hoàng Mai (4 đơn vị)\n" in out.text
        assert "Phạm vi: Quận Hoàng Mai (4 đơn vị)" in out.html
        # two units down (city > district unit > wards), in English, the name escaped in HTML
        assert [s["id"] for s in city["sites"]] == wards
        city_out = render(city)
        assert "\nCovers: Thành phố <Hà Nội> (4 sites)\n" in city_out.text
        assert "Covers: Thành phố &lt;Hà Nội&gt; (4 sites)" in city_out.html and "<Hà Nội>" not in city_out.html
    finally:
        portal.server.stop()


def test_a_parent_with_a_portal_of_its_own_counts_itself_in_the_scope_line(tmp_path):
    """"Phạm vi: Quận Hoàng Mai (3 đơn vị)" counts the district's own portal with its wards when
    the recipient reads it too (as the digest's unit count does); otherwise only the sites under it."""
    from monitor.config import load_config
    from monitor.digest.build import _units

    path = tmp_path / "sites.toml"
    path.write_text(
        '[[site]]\nid = "hoang-mai"\nname = "Quận Hoàng Mai"\nlevel = "district"\nparent = "ha-noi"\n'
        'start_urls = ["http://hoangmai.example.vn/"]\n'
        '[[site]]\nid = "vinh-hung"\nname = "Phường Vĩnh Hưng"\nparent = "hoang-mai"\n'
        'start_urls = ["http://vinhhung.example.vn/"]\n'
        '[[site]]\nid = "tuong-mai"\nname = "Phường Tương Mai"\nparent = "hoang-mai"\n'
        'start_urls = ["http://tuongmai.example.vn/"]\n'
        '[[unit]]\nid = "ha-noi"\nname = "Thành phố Hà Nội"\nlevel = "city"\n'
        '[[recipient]]\nid = "q"\nname = "UBND quận Hoàng Mai"\nsites = ["hoang-mai"]\nparents = ["hoang-mai"]\n'
        '[[recipient]]\nid = "wards"\nname = "Các phường"\nparents = ["hoang-mai"]\n'
        '[[recipient]]\nid = "tp"\nname = "UBND thành phố Hà Nội"\nparents = ["ha-noi"]\n',
        encoding="utf-8")
    config = load_config(path)
    for rid, n in (("q", 3), ("wards", 2), ("tp", 3)):
        recipient = config.recipient(rid)
        assert [u["sites"] for u in _units(config, recipient)] == [n] == [len(config.sites_for(recipient))]
