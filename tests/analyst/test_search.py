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
    """search_newest (the web's search across every site): the same ranking among the newest
    `newest` matches, with the count and whether there were more; older matches are not ranked."""
    from monitor.analyst.search import search_newest

    store.apply([
        item("ea-kao", "old", "2026-11-20T01:00:00Z", title="Hội nghị Đống Đa", body="Đống Đa Đống Đa Đống Đa"),
        item("ea-kao", "mid", "2026-11-20T01:00:00Z", title="Tin", body="Đồng chí nhấn mạnh đà phát triển."),
        item("ea-kao", "new", "2026-11-20T01:00:00Z", title="Tin", body="Đoàn công tác của quận Đống Đa."),
    ])
    conn = connect(store.path)
    try:
        every = search_newest(conn, "dong da", newest=10)
        two = search_newest(conn, "dong da", newest=2)
    finally:
        conn.close()
    assert [h.article_id for h in every[0]] == found(store, "dong da") == [1, 3, 2]
    assert every[1:] == (3, False)
    assert [h.article_id for h in two[0]] == [3, 2] and two[1:] == (2, True)  # the oldest one is left out
    assert two[0][0].title == "Tin" and "\x02Đống Đa\x03" in two[0][0].snippet  # highlighted as search does


def test_search_across_every_site_groups_title_phrase_title_words_phrase_then_the_rest(store):
    """search_newest's order: the words side by side in the title, all of them in the title, side
    by side anywhere, the rest; newest first within each group."""
    from monitor.analyst.search import search_newest

    store.apply([
        item("ea-kao", "phrase-title", "2026-11-20T01:00:00Z", title="Hội nghị Đống Đa", body="Tin"),
        item("ea-kao", "words-title", "2026-11-20T01:00:00Z", title="Đà Nẵng và Đồng Nai", body="Tin"),
        item("ea-kao", "phrase-body", "2026-11-20T01:00:00Z", title="Tin", body="Quận Đống Đa"),
        item("ea-kao", "words-body", "2026-11-20T01:00:00Z", title="Tin", body="Đồng chí nhấn mạnh đà phát triển"),
        item("ea-kao", "phrase-title-2", "2026-11-20T01:00:00Z", title="Đống Đa đón Tết", body="Tin"),
    ])
    conn = connect(store.path)
    try:
        hits, total, more = search_newest(conn, "dong da", newest=100)
    finally:
        conn.close()
    keys = dict(store.conn.execute("SELECT id, key FROM articles"))
    assert [(keys[h.article_id], h.rank) for h in hits] == [
        ("phrase-title-2", 0), ("phrase-title", 0), ("words-title", 1), ("phrase-body", 2), ("words-body", 3)]
    assert (total, more) == (5, False)
