"""monitor/config/tree.py: one unit tree for the configuration (recipients, the digest) and for the
database's `sites` mirror (export and report by --parent), former ids resolved in both."""

from __future__ import annotations

import io
import json
import tomllib

from monitor.analyst.export import export
from monitor.analyst.report import _scope
from monitor.config import parse_config
from monitor.config.tree import StoredNode, UnitTree, stored_tree
from tests.world import World, article, at

TREE = """
[[site]]
id = "hoang-mai"
name = "Quận Hoàng Mai"
level = "district"
parent = "q-hoang-mai"
start_urls = ["https://hoangmai.example.vn/"]

[[site]]
id = "vinh-hung"
name = "Phường Vĩnh Hưng"
parent = "hoang-mai"
aliases = ["vinh-hung-cu"]
start_urls = ["https://vinhhung.example.vn/"]

[[site]]
id = "tuong-mai"
name = "Phường Tương Mai"
parent = "hoang-mai-cu"   # the district unit, by its former id
start_urls = ["https://tuongmai.example.vn/"]

[[site]]
id = "dinh-cong"
name = "Phường Định Công"
parent = "hoang-mai"
start_urls = ["https://dinhcong.example.vn/"]

[[site]]
id = "ea-kao"
name = "Xã Ea Kao"
start_urls = ["https://eakao.example.vn/"]

[[unit]]
id = "ha-noi"
name = "Thành phố Hà Nội"
level = "city"

[[unit]]
id = "q-hoang-mai"
name = "Quận Hoàng Mai (đơn vị)"
level = "district"
parent = "ha-noi"
aliases = ["hoang-mai-cu"]

[[recipient]]
id = "office"
name = "Văn phòng"
parents = ["q-hoang-mai"]
sites = ["vinh-hung-cu", "ea-kao"]
"""


def config(tmp_path):
    path = tmp_path / "sites.toml"
    path.write_text(TREE, encoding="utf-8")
    return parse_config(tomllib.loads(TREE), path)


def test_children_descendants_and_ancestors_with_former_ids_resolved(tmp_path):
    tree = config(tmp_path).tree
    assert tree.children("q-hoang-mai") == tree.children("hoang-mai-cu") == ["hoang-mai", "tuong-mai"]
    assert tree.descendants("ha-noi") == ["q-hoang-mai", "hoang-mai", "vinh-hung", "dinh-cong", "tuong-mai"]
    assert tree.ancestors("vinh-hung") == tree.ancestors("vinh-hung-cu") == ["hoang-mai", "q-hoang-mai", "ha-noi"]
    assert tree.resolve("vinh-hung-cu") == "vinh-hung" and tree.resolve("nope") is None
    assert "hoang-mai-cu" in tree and tree.is_site("vinh-hung-cu") and not tree.is_site("ha-noi")


def test_a_recipient_covers_its_sites_then_the_sites_below_its_parents_once(tmp_path):
    """Before the tree, a ward whose parent named the district by its former id was left out of
    the district's digest, and a ward listed by its former id came twice."""
    cfg = config(tmp_path)
    office = cfg.recipient("office")
    assert [s.id for s in cfg.sites_for(office)] == ["vinh-hung", "ea-kao", "hoang-mai", "dinh-cong", "tuong-mai"]
    assert cfg.site("vinh-hung-cu").id == "vinh-hung" and cfg.unit("hoang-mai-cu").id == "q-hoang-mai"


def test_the_database_side_is_the_same_tree(tmp_path, monkeypatch):
    cfg = config(tmp_path)
    w = World(tmp_path, cfg, monkeypatch)
    try:
        w.store.sync_sites([*cfg.sites, *cfg.units])
        stored = stored_tree(w.db.conn)
        for node in [*cfg.sites, *cfg.units]:
            assert sorted(stored.below([node.id])) == sorted(cfg.tree.descendants(node.id)), node.id
        for sid in ("tuong-mai", "vinh-hung", "ea-kao"):
            with w.crawl(sid, at(0)) as items:
                items += [article(sid, "a1", views=1, published=at(-1))]
        out = io.StringIO()
        assert export(w.db.conn, "articles", out, "jsonl", parents=["q-hoang-mai"]) == 2
        assert sorted(json.loads(line)["site_id"] for line in out.getvalue().splitlines()) == ["tuong-mai", "vinh-hung"]
        scope = _scope(w.db.conn, [], ["hoang-mai-cu"], 2)
        assert [sid for sid, _ in scope.sites] == ["dinh-cong", "hoang-mai", "tuong-mai", "vinh-hung"]
    finally:
        w.store.close()


def test_a_stored_loop_ends():
    tree = UnitTree([StoredNode("a", "A", "b"), StoredNode("b", "B", "a"), StoredNode("c", "C", "b")])
    assert tree.descendants("a") == ["b", "c"] and tree.ancestors("c") == ["b", "a"]
    assert tree.below(["a", "b"]) == ["b", "c", "a"]
