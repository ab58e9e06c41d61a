"""Full-text search over article titles and bodies, insensitive to Vietnamese diacritics.

`articles_fts` (migration 3) indexes title and body twice: as written, and with đ/Đ folded to
d/D (`*_ascii`); the tokenizer's `remove_diacritics 2` folds every other mark. Queries are folded
the same way and matched against the `*_ascii` columns, so "dong da", "Đống Đa" and "ĐỐNG ĐA" all
find "Đống Đa". Snippets come from the original text, diacritics intact.
"""

from __future__ import annotations

import re
import sqlite3
import unicodedata
from dataclasses import dataclass
from datetime import datetime

from crawler import clock
from monitor.when import duration

FOLD = str.maketrans({"đ": "d", "Đ": "D", "ð": "d", "Ð": "D"})
# The same folding as SQL (for Datasette canned queries and the triggers of migration 3).
FOLD_SQL = "replace(replace(replace(replace({x}, 'đ', 'd'), 'Đ', 'D'), 'ð', 'd'), 'Ð', 'D')"
MARK_START, MARK_END = "\x02", "\x03"  # highlight markers; callers turn them into markup
_TERM = re.compile(r'"([^"]*)"|(\S+)')
# Vietnamese function words. Folded, "da" also matches «đã», "co" «có», "cac" «các»: such a word
# is not highlighted on its own, only inside a marked run (a phrase) or when typed exactly.
STOPWORDS = frozenset("""
và của là có được các những cho với trong này đã để theo tại từ một không khi về đến ra vào thì mà
cũng như sẽ đang rằng nên hay hoặc bị do nếu vì lại còn đó các đây ấy trên dưới sau trước qua
""".split())


def fold(text: str) -> str:
    """đ/Đ → d/D (the tokenizer folds the other diacritics itself)."""
    return text.translate(FOLD)


def match_expression(text: str) -> str:
    """A user's words → an FTS5 query on the folded columns: every word (or "quoted phrase")
    must occur, and articles with the words in that order rank higher; a trailing * makes a word
    a prefix. FTS5 syntax in the input is neutralised."""
    return _expression(_terms(text))


def _expression(terms: list[str]) -> str:
    query = " AND ".join(terms)
    if len(terms) > 1:  # same matches; the words side by side score higher (bm25 sums phrases)
        query = f"({query}) OR ({' + '.join(terms)})"
    return "{title_ascii body_ascii} : (" + query + ")"


def _terms(text: str) -> list[str]:
    """The user's words (or "quoted phrases") as FTS5 strings, prefixes marked; ValueError if none."""
    terms = []
    for phrase, word in _TERM.findall(fold(text)):
        raw = phrase if phrase else word
        prefix = not phrase and raw.endswith("*") and len(raw) > 1
        raw = raw.rstrip("*") if prefix else raw
        if raw.strip():
            terms.append('"' + raw.replace('"', '""') + '"' + ("*" if prefix else ""))
    if not terms:
        raise ValueError("empty search")
    return terms


def plain(text: str) -> str:
    """Without tone and vowel marks, đ as d, case folded, spaces collapsed ("Thông báo" = "thong bao")."""
    bare = "".join(c for c in unicodedata.normalize("NFD", fold(text)) if not unicodedata.combining(c))
    return " ".join(bare.casefold().split())


def unmark_stopwords(text: str, query: str, start: str = MARK_START, end: str = MARK_END) -> str:
    """Drop the highlight around a marked stop-word unless it is part of the query's words side
    by side in the text (the phrase "Đống Đa" of "dong da") or was typed as written."""
    if start not in text:
        return text
    typed = {w.casefold() for w in re.findall(r"\w+", query)}
    terms = [plain(w) for w in re.findall(r"\w+", query)]
    spans = list(re.finditer(re.escape(start) + r"(.*?)" + re.escape(end), text, re.S))
    phrase: set[int] = set()  # spans inside an occurrence of the query's words, in order
    run: list[int] = []
    for i in range(len(spans) + 1):
        joined = 0 < i < len(spans) and not re.search(r"\w", text[spans[i - 1].end():spans[i].start()])
        if run and not joined:
            words = [plain(spans[k].group(1)) for k in run]
            for j in range(len(words) - len(terms) + 1):
                if len(terms) > 1 and words[j:j + len(terms)] == terms:
                    phrase.update(run[j:j + len(terms)])
            run = []
        if i < len(spans):
            run.append(i)
    out, last = [], 0
    for i, m in enumerate(spans):
        word = m.group(1).casefold()
        alone = word in STOPWORDS and word not in typed and i not in phrase
        out.append(text[last:m.start()] + (m.group(1) if alone else m.group(0)))
        last = m.end()
    return "".join(out) + text[last:]


@dataclass
class Hit:
    article_id: int
    site_id: str
    title: str  # with MARK_START/MARK_END around matches
    snippet: str
    url: str
    published_at: str | None
    views: int | None
    rank: float  # BM25 (lower is better); search_newest: its group, 0–3 (lower is better)


def since_iso(value: str | None) -> str | None:
    """'7d' / '2w' / '12h' (ago) or a Vietnam-local date 'YYYY-MM-DD' → UTC ISO."""
    if not value:
        return None
    age = duration(value.strip(), "hdw")
    if age is not None:
        return clock.iso(clock.now() - age)
    try:
        dt = datetime.fromisoformat(value)
    except ValueError:
        raise ValueError(f"{value!r}: expected a date YYYY-MM-DD or an age like 7d, 2w, 12h") from None
    return clock.iso(dt if dt.tzinfo else dt.replace(tzinfo=clock.VN_TZ))


def _filters(text: str, sites, since) -> tuple[list[str], dict, str]:
    where = ["f.articles_fts MATCH :q"]
    params: dict[str, str | None] = {"q": match_expression(text)}
    if sites:
        names = [f":s{i}" for i in range(len(sites))]
        where.append(f"a.site_id IN ({', '.join(names)})")
        params.update({n[1:]: s for n, s in zip(names, sites, strict=True)})
    if since:
        where.append("a.published_at >= :since")
        params["since"] = since_iso(since)
    join = " JOIN articles a ON a.id = f.rowid" if len(where) > 1 else ""  # no filter: no lookups
    return where, params, join


def count(conn: sqlite3.Connection, text: str, *, sites=(), since: str | None = None) -> int:
    """How many articles match (what `search` would return without a limit)."""
    where, params, join = _filters(text, sites, since)
    return conn.execute(f"SELECT count(*) FROM articles_fts f{join} WHERE {' AND '.join(where)}", params).fetchone()[0]


def search(
    conn: sqlite3.Connection, text: str, *, sites: list[str] | tuple[str, ...] = (),
    since: str | None = None, limit: int = 20, snippet_tokens: int = 24,
) -> list[Hit]:
    """Ranked hits (best first) for `text`, optionally only some sites and published since."""
    return search_total(conn, text, sites=sites, since=since, limit=limit, snippet_tokens=snippet_tokens)[0]


def search_total(
    conn: sqlite3.Connection, text: str, *, sites: list[str] | tuple[str, ...] = (),
    since: str | None = None, limit: int = 20, snippet_tokens: int = 24,
) -> tuple[list[Hit], int | None]:
    """`search`'s hits and, when it came for free, how many articles match (None: ask `count`).
    Within some sites, the rank (bm25 over the whole index) is computed only for the matches in
    those sites — a set read from the articles' (site_id, …) index — not for every match in the
    country, and the matches are counted in the same pass."""
    where, params, join = _filters(text, sites, since)
    total: int | None = None
    if sites:
        scoped = "a.site_id IN ({})".format(", ".join(f":s{i}" for i in range(len(sites))))
        if since:
            scoped += " AND a.published_at >= :since"
        rows = conn.execute(
            "WITH m AS MATERIALIZED (SELECT f.rowid AS id, f.rank AS r FROM articles_fts f"
            " WHERE f.articles_fts MATCH :q AND +f.rowid IN (SELECT a.id FROM articles a WHERE " + scoped + "))"
            " SELECT id, r FROM m", params).fetchall()
        total = len(rows)
        ids = sorted(rows, key=lambda r: (r[1], r[0]))[:limit]
    else:
        params["limit"] = limit
        ids = conn.execute(
            f"SELECT f.rowid, f.rank FROM articles_fts f{join} WHERE {' AND '.join(where)}"
            " ORDER BY f.rank LIMIT :limit",
            params,
        ).fetchall()
    return _hits(conn, ids, text, params["q"], snippet_tokens), total


def search_newest(
    conn: sqlite3.Connection, text: str, *, newest: int = 5000, limit: int = 20, snippet_tokens: int = 24,
) -> tuple[list[Hit], int, bool]:
    """Search over every site among the `newest` matching articles only (the most recently
    collected): the hits, how many match, and whether there were more (then the count is `newest`
    and the older matches are not ranked). Ranked in four groups, newest first in each: the words
    side by side in the title, all the words in the title, the words side by side anywhere, the
    rest — `search`'s preferences (titles first, the phrase first) without BM25, whose weight of
    each word FTS5 computes by walking every match in the index (0.3 s for "hoi nghi dai bieu"
    on a year of the country, however few rows are ranked). Each group is one rowid-only query over
    the newest matches' rowid range."""
    terms = _terms(text)
    every, title = "{title_ascii body_ascii} : ", "{title_ascii} : "
    words, phrase = "(" + " AND ".join(terms) + ")", "(" + " + ".join(terms) + ")"
    rows = [r[0] for r in conn.execute(
        "SELECT rowid FROM articles_fts WHERE articles_fts MATCH :q ORDER BY rowid DESC LIMIT :n",
        {"q": every + words, "n": newest + 1})]
    more, rows = len(rows) > newest, rows[:newest]
    if not rows:
        return [], 0, more

    def among(q: str) -> set[int]:
        return {r[0] for r in conn.execute(
            "SELECT rowid FROM articles_fts WHERE articles_fts MATCH :q AND rowid >= :lo", {"q": q, "lo": rows[-1]})}

    in_title = among(title + words)
    side_by_side = among(every + phrase) if len(terms) > 1 else set(rows)
    title_phrase = in_title & among(title + phrase) if len(terms) > 1 else in_title
    group = {r: 0 if r in title_phrase else 1 if r in in_title else 2 if r in side_by_side else 3 for r in rows}
    ranked = sorted(rows, key=lambda r: group[r])[:limit]  # stable: newest first within a group
    return _hits(conn, [(r, float(group[r])) for r in ranked], text, _expression(terms), snippet_tokens), len(rows), more


def _hits(conn: sqlite3.Connection, ids, text: str, q: str, snippet_tokens: int) -> list[Hit]:
    """The Hit of each (rowid, rank), with its highlighted title and snippet."""
    hits = []
    for rowid, rank in ids:  # snippets only for the hits shown, not every match
        row = conn.execute(
            "SELECT a.id, a.site_id, highlight(articles_fts, 2, :a, :b),"
            " snippet(articles_fts, 3, :a, :b, '…', :n), a.url, a.published_at, a.views"
            " FROM articles_fts JOIN articles a ON a.id = articles_fts.rowid"
            " WHERE articles_fts MATCH :q AND articles_fts.rowid = :id",
            {"a": MARK_START, "b": MARK_END, "n": snippet_tokens, "q": q, "id": rowid},
        ).fetchone()
        if row:
            title, snippet = (unmark_stopwords(x or "", text) for x in (row[2], row[3]))
            hits.append(Hit(row[0], row[1], title, snippet, row[4], row[5], row[6], rank))
    return hits


def rebuild(conn: sqlite3.Connection) -> int:
    """Re-feed articles_fts from articles (folded); returns the number of articles indexed."""
    fold_t, fold_b = FOLD_SQL.format(x="title"), FOLD_SQL.format(x="body")
    conn.execute("BEGIN IMMEDIATE")
    try:
        conn.execute("INSERT INTO articles_fts (articles_fts) VALUES ('delete-all')")
        cur = conn.execute(
            "INSERT INTO articles_fts (rowid, title, body, title_ascii, body_ascii)"
            f" SELECT id, title, body, {fold_t}, {fold_b} FROM articles"
        )
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    return cur.rowcount
