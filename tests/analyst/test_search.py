"""Diacritic-insensitive search, including đ/Đ, kept current as articles change."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from monitor.analyst.query import connect
from monitor.analyst.search import MARK_END, MARK_START, fold, match_expression, search
from monitor.cli import cli
from tests.analyst.conftest import item


def found(store, text, **kw):
    conn = connect(store.path)
    try:
        return [h.article_id for h in search(conn, text, **kw)]
    finally:
        conn.close()


@pytest.fixture
def corpus(store):
    store.apply([
        item("vinh-hung", "1", "2026-11-20T01:00:00Z", title="Đại hội phường Vĩnh Hưng", body="Khai mạc hội nghị."),
        item("dinh-cong", "2", "2026-11-20T01:00:00Z", title="Đoàn công tác quận Đống Đa", body="Trao đổi kinh nghiệm.",
             published="2026-11-01T01:00:00Z"),
        item("ea-kao", "3", "2026-11-20T01:00:00Z", title="ĐỐNG ĐA ĐƯỢC KHEN", body="in hoa", published="2026-11-19T01:00:00Z"),
        item("ea-kao", "4", "2026-11-20T01:00:00Z", title="Dòng sông Hồng", body="không liên quan"),
    ])
    return store


@pytest.mark.parametrize("query, ids", [
    ("vinh hung", [1]), ("Vĩnh Hưng", [1]), ("VINH HUNG", [1]),
    ("hoi nghi", [1]), ("hội nghị", [1]),
    ("dong da", [2, 3]), ("Đống Đa", [2, 3]), ("đống đa", [2, 3]), ("ĐỐNG ĐA", [2, 3]), ("DONG DA", [2, 3]),
    ("dai hoi", [1]), ("doan", [2]), ("duoc", [3]),
    ('"dong da"', [2, 3]), ('"da dong"', []), ("dong*", [2, 3, 4]),
])
def test_folding(corpus, query, ids):
    assert sorted(found(corpus, query)) == ids


def test_fold_only_touches_d_with_stroke():
    assert fold("Đường đi Ðà Nẵng ð") == "Dường di Dà Nẵng d"


def test_fts_syntax_in_user_text_is_harmless(corpus):
    for text in ['dong" OR "', "NEAR(a b)", "title_ascii: x", "-dong", "(", "*", "AND", "a:b"]:
        found(corpus, text)  # no FTS5 syntax error escapes
    assert match_expression('x"y') == '{title_ascii body_ascii} : ("x""y")'
    assert match_expression("Đống đa*") == '{title_ascii body_ascii} : (("Dống" AND "da"*) OR ("Dống" + "da"*))'
    with pytest.raises(ValueError):
        match_expression("   ")


def test_index_follows_edits_and_deletes(corpus):
    assert found(corpus, "kinh nghiem") == [2]
    corpus.apply([item("dinh-cong", "2", "2026-11-21T01:00:00Z", title="Đoàn công tác quận Đống Đa",
                       body="Nội dung đã sửa: đường giao thông.")])
    assert found(corpus, "kinh nghiem") == []
    assert found(corpus, "duong giao thong") == [2]
    corpus.conn.execute("UPDATE articles SET title = 'Tiêu đề mới' WHERE id = 3")
    assert found(corpus, "dong da") == [2]
    assert found(corpus, "tieu de moi") == [3]
    corpus.conn.execute("DELETE FROM articles WHERE id = 4")
    assert found(corpus, "song hong") == []
    corpus.conn.execute("INSERT INTO articles_fts (articles_fts) VALUES ('integrity-check')")


def test_highlights_keep_the_original_diacritics(corpus):
    conn = connect(corpus.path)
    (hit,) = search(conn, "dong da", sites=["dinh-cong"])
    assert hit.title == f"Đoàn công tác quận {MARK_START}Đống Đa{MARK_END}"  # the phrase, as one mark
    (hit,) = search(conn, "nghi", sites=["vinh-hung"])
    assert f"{MARK_START}nghị{MARK_END}" in hit.snippet
    conn.close()


def test_site_and_since_filters(corpus):
    assert found(corpus, "dong da", sites=["ea-kao"]) == [3]
    assert found(corpus, "dong da", since="2026-11-10") == [3]
    assert sorted(found(corpus, "dong da", since="2026-11-01")) == [2, 3]  # 00:00 VN = 31/10 17:00Z
    assert found(corpus, "dong da", since="2026-11-01T09:00") == [3]


def test_rank_prefers_title_matches(store):
    store.apply([
        item("ea-kao", "b", "2026-11-20T01:00:00Z", title="Tin khác", body="Có nhắc tới Đống Đa một lần."),
        item("ea-kao", "t", "2026-11-20T01:00:00Z", title="Tin Đống Đa", body="Không nhắc lại."),
    ])
    assert found(store, "dong da") == [2, 1]


def test_cli_search_and_rebuild(corpus):
    r = CliRunner().invoke(cli, ["--db", str(corpus.path), "search", "dong da"])
    assert r.exit_code == 0, r.output
    assert "Đoàn công tác quận Đống Đa" in r.output and "2 of 2 matches, best first" in r.output
    r = CliRunner().invoke(cli, ["--db", str(corpus.path), "search", "dong da", "--limit", "1"])
    assert r.exit_code == 0 and "1 of 2 matches, best first; --limit 2 shows all" in r.output, r.output
    corpus.conn.execute("INSERT INTO articles_fts (articles_fts) VALUES ('delete-all')")
    assert found(corpus, "dong da") == []
    r = CliRunner().invoke(cli, ["--db", str(corpus.path), "search", "--rebuild"])
    assert "4 articles" in r.output
    assert sorted(found(corpus, "dong da")) == [2, 3]
    assert found(corpus, "dong da", sites=["ea-kao"]) == [3]  # each article's site indexed again
    r = CliRunner().invoke(cli, ["--db", str(corpus.path), "search", "dong da", "--json", "--since", "2026-11-10"])
    assert '"title": "«ĐỐNG ĐA» ĐƯỢC KHEN"' in r.output


def test_words_side_by_side_rank_first(store):
    # "dong da" also matches "đồng … đà" (both syllables fold the same): the place name ranks first
    store.apply([
        item("ea-kao", "w", "2026-11-20T01:00:00Z", title="Tin", body="Đồng chí nhấn mạnh đà phát triển của xã."),
        item("ea-kao", "p", "2026-11-20T01:00:00Z", title="Tin", body="Đoàn công tác của quận Đống Đa đến thăm xã."),
    ])
    assert found(store, "dong da") == [2, 1]


def test_search_across_every_site_ranks_the_newest_matches(store):
    """`find` ranks the newest `newest` matches, with the count and whether there were more;
    older matches are not ranked."""
    from monitor.analyst.search import find

    store.apply([
        item("ea-kao", "old", "2026-11-20T01:00:00Z", title="Hội nghị Đống Đa", body="Đống Đa Đống Đa Đống Đa"),
        item("ea-kao", "mid", "2026-11-20T01:00:00Z", title="Tin", body="Đồng chí nhấn mạnh đà phát triển."),
        item("ea-kao", "new", "2026-11-20T01:00:00Z", title="Tin", body="Đoàn công tác của quận Đống Đa."),
    ])
    conn = connect(store.path)
    try:
        every = find(conn, "dong da", newest=10)
        two = find(conn, "dong da", newest=2)
    finally:
        conn.close()
    assert [h.article_id for h in every.hits] == found(store, "dong da") == [1, 3, 2]
    assert (every.total, every.more) == (3, False)
    assert [h.article_id for h in two.hits] == [3, 2] and (two.total, two.more) == (2, True)  # the oldest left out
    assert two.hits[0].title == "Tin" and "\x02Đống Đa\x03" in two.hits[0].snippet  # highlighted


def test_search_across_every_site_groups_title_phrase_title_words_phrase_then_the_rest(store):
    """The order: the words side by side in the title, all of them in the title, side by side
    anywhere, the rest; newest first within each group; the same within some sites."""
    from monitor.analyst.search import find

    store.apply([
        item("ea-kao", "phrase-title", "2026-11-20T01:00:00Z", title="Hội nghị Đống Đa", body="Tin"),
        item("ea-kao", "words-title", "2026-11-20T01:00:00Z", title="Đà Nẵng và Đồng Nai", body="Tin"),
        item("ea-kao", "phrase-body", "2026-11-20T01:00:00Z", title="Tin", body="Quận Đống Đa"),
        item("ea-kao", "words-body", "2026-11-20T01:00:00Z", title="Tin", body="Đồng chí nhấn mạnh đà phát triển"),
        item("ea-kao", "phrase-title-2", "2026-11-20T01:00:00Z", title="Đống Đa đón Tết", body="Tin"),
    ])
    conn = connect(store.path)
    try:
        every = find(conn, "dong da", newest=100)
        one_site = find(conn, "dong da", sites=["ea-kao"], newest=100)
        other_site = find(conn, "dong da", sites=["vinh-hung"])
    finally:
        conn.close()
    keys = dict(store.conn.execute("SELECT id, key FROM articles"))
    expected = [("phrase-title-2", 0), ("phrase-title", 0), ("words-title", 1), ("phrase-body", 2), ("words-body", 3)]
    assert [(keys[h.article_id], h.rank) for h in every.hits] == expected
    assert [(keys[h.article_id], h.rank) for h in one_site.hits] == expected
    assert (every.total, every.more) == (5, False)
    assert (other_site.hits, other_site.total, other_site.more) == ([], 0, False)


@pytest.mark.parametrize("query", [
    "dong da", "dong", "da*", "dong d*", '"dong da" tet', "tet dong", "ho chi minh", "2020", "01 08", "Đà", "dan*",
    "UBND phuong", '"ubnd phuong vinh"',
])
def test_groups_agree_with_the_index(store, query):
    """`find` tells the groups by matching the words in the titles and bodies (not by one FTS5
    query per group): the same words and phrases as FTS5's own tokenizer finds in them — across
    every site and within some (whose bodies are read), on text where the words occur as written,
    in capitals, with punctuation between them, decomposed, or only apart."""
    import unicodedata

    from monitor.analyst.search import _terms, find

    texts = ["Hội nghị Đống Đa", "Đà Nẵng và Đồng Nai", "Đống Đa đón Tết", "TẾT Ở ĐỐNG-ĐA!", "Tết, Đống Đa",
             "Hồ Chí Minh: 01/08/2020", "Ngày 01.08 đặc biệt", "Dân vận khéo", "UBND phường Vĩnh Hưng",
             "Phường (UBND) Vĩnh", "đa_dạng dong_da", unicodedata.normalize("NFD", "Ủy ban Đống Đa"), "Tin"]
    apart = " x ".join("vinh phuong ubnd 08 01 2020 minh chi ho tet da dong dan".split())  # every word, never in order
    n = len(texts)
    store.apply([item("ea-kao" if i % 2 else "dinh-cong", str(i), "2026-11-20T01:00:00Z", title=t,
                      body=f"{texts[(i + 4) % n]}. {apart}") for i, t in enumerate(texts)])
    conn = connect(store.path)
    try:
        terms = _terms(query)

        def fts(columns: str, joint: str) -> set[int]:
            q = "{" + columns + "} : (" + joint.join(terms) + ")"
            return {r[0] for r in conn.execute("SELECT rowid FROM articles_fts WHERE articles_fts MATCH ?", (q,))}

        matches, title_phrase, title_words = (fts("title_ascii body_ascii", " AND "), fts("title_ascii", " + "),
                                              fts("title_ascii", " AND "))
        anywhere = fts("title_ascii body_ascii", " + ")
        for sites in ((), ("ea-kao", "dinh-cong")):
            hits = find(conn, query, sites=sites, limit=100).hits
            assert {h.article_id for h in hits} == matches and len(matches) >= 2
            assert {h.article_id for h in hits if h.rank == 0} == title_phrase
            assert {h.article_id for h in hits if h.rank <= 1} == title_words
            assert {h.article_id for h in hits if h.rank == 2} == anywhere - title_words
    finally:
        conn.close()


def test_search_within_sites_follows_an_article_moved_to_another_site(corpus):
    """The index keeps each article's site (migration 23): a search within sites reads only
    theirs, and an article moved to another site moves with it."""
    assert found(corpus, "dong da", sites=["dinh-cong"]) == [2] and found(corpus, "dong da", sites=["ea-kao"]) == [3]
    assert sorted(found(corpus, "dong da", sites=["ea-kao", "dinh-cong", "nowhere"])) == [2, 3]
    corpus.conn.execute("UPDATE articles SET site_id = 'ea-kao' WHERE id = 2")
    assert found(corpus, "dong da", sites=["dinh-cong"]) == []
    assert sorted(found(corpus, "dong da", sites=["ea-kao"])) == [2, 3]
    corpus.conn.execute("INSERT INTO articles_fts (articles_fts) VALUES ('integrity-check')")
    conn = connect(corpus.path)
    try:
        from monitor.analyst.search import count

        assert count(conn, "dong da", sites=["ea-kao"]) == 2 and count(conn, "dong da", sites=["dinh-cong"]) == 0
    finally:
        conn.close()


def test_within_a_group_the_newest_published_come_first_undated_last(store):
    """Collection order (ids) only cuts the newest matches and breaks ties: within a group the
    page lists the newest publication first, as a person reading it expects, undated posts last."""
    from monitor.analyst.search import find

    store.apply([
        item("ea-kao", "sep", "2026-11-20T01:00:00Z", title="Hội nghị tháng 9", body="x", published="2026-09-01T01:00:00Z"),
        item("ea-kao", "undated", "2026-11-20T01:00:00Z", title="Hội nghị không ngày", body="x"),
        item("ea-kao", "nov", "2026-11-20T01:00:00Z", title="Hội nghị tháng 11", body="x", published="2026-11-01T01:00:00Z"),
        item("ea-kao", "aug", "2026-11-20T01:00:00Z", title="Hội nghị tháng 8", body="x", published="2026-08-01T01:00:00Z"),
        item("ea-kao", "body", "2026-11-20T01:00:00Z", title="Tin", body="Hội nghị", published="2026-11-19T01:00:00Z"),
    ])
    keys = dict(store.conn.execute("SELECT id, key FROM articles"))
    conn = connect(store.path)
    try:
        for sites in ((), ("ea-kao",)):
            hits = find(conn, "hoi nghi", sites=sites).hits
            assert [(keys[h.article_id], h.rank) for h in hits] == [
                ("nov", 0), ("sep", 0), ("aug", 0), ("undated", 0), ("body", 2)]
    finally:
        conn.close()


def test_search_within_sites_on_a_database_not_upgraded_yet_says_so(tmp_path):
    """`search` reads through a connection that never migrates: on a database written by the
    portalwatch before migration 23 (no site in the index) a search within sites says, in one
    line naming the file, how to upgrade it; a search of every site still works."""
    import sqlite3

    from monitor.channels.masking import rekey
    from monitor.store.schema import MIGRATIONS, _statements

    path = tmp_path / "old.db"
    conn = sqlite3.connect(path, isolation_level=None)
    conn.create_function("portalwatch_rekey_channel", 1, rekey, deterministic=True)
    for version, script in enumerate(MIGRATIONS[:22], 1):
        for st in _statements(script):
            conn.execute(st)
        conn.execute(f"PRAGMA user_version = {version}")
    conn.execute("INSERT INTO sites (id, name, added_at, updated_at) VALUES ('x', 'X', 't', 't')")
    conn.execute("INSERT INTO articles (id, site_id, key, url, title, body, first_seen_at, last_seen_at)"
                 " VALUES (7, 'x', 'k', 'u', 'Đống Đa', 'đường', 't', 't')")
    conn.close()
    r = CliRunner().invoke(cli, ["--db", str(path), "search", "dong da", "--site", "x"])
    assert r.exit_code == 1 and r.output.count("\n") == 1, r.output
    assert f"{path}: searching within sites needs the database upgraded (it is at schema 22" in r.output
    assert "run `portalwatch crawl`, or any command that writes, once" in r.output
    r = CliRunner().invoke(cli, ["--db", str(path), "search", "dong da"])
    assert r.exit_code == 0 and "Đống Đa" in r.output, r.output
