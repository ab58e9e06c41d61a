"""Full-text search over article titles and bodies, insensitive to Vietnamese diacritics.

`articles_fts` (migration 3) indexes title and body twice: as written, and with đ/Đ folded to
d/D (`*_ascii`); the tokenizer's `remove_diacritics 2` folds every other mark. Queries are folded
the same way and matched against the `*_ascii` columns, so "dong da", "Đống Đa" and "ĐỐNG ĐA" all
find "Đống Đa". Snippets come from the original text, diacritics intact. `site_key` (migration
23) lets a search within some sites read only their articles' entries.
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
    rank: float  # its group (`find`): 0 the words side by side in the title … 3 the rest


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


NEWEST = 5000  # a search ranks the newest this many matches (narrow it by site or date for older ones)


def site_scope(sites) -> str:
    """An FTS5 filter for the articles of these sites: `site_key` (migration 23) holds each
    article's site id in hex, one token that is never a word."""
    return "{site_key} : (" + " OR ".join(f'"{s.encode().hex()}"' for s in sites) + ")"


def _query(terms: list[str], sites) -> str:
    """The words, within `sites` when given. The sites come first: FTS5 then steps through their
    articles and seeks the words in them, not through the whole country's matches of each word."""
    expr = "{title_ascii body_ascii} : (" + " AND ".join(terms) + ")"
    return f"{site_scope(sites)} AND {expr}" if sites else expr


def count(conn: sqlite3.Connection, text: str, *, sites=(), since: str | None = None) -> int:
    """How many articles match (every one of them, however many `find` ranks)."""
    sql = "SELECT count(*) FROM articles_fts f"
    params = {"q": _query(_terms(text), sites), "since": since_iso(since)}
    if since:
        sql += " JOIN articles a ON a.id = f.rowid WHERE f.articles_fts MATCH :q AND a.published_at >= :since"
    else:
        sql += " WHERE f.articles_fts MATCH :q"
    return conn.execute(sql, params).fetchone()[0]


@dataclass
class Found:
    hits: list[Hit]
    total: int  # matches ranked: all of them, or the newest `newest` when `more`
    more: bool  # more matched than were ranked (the older ones were not)


def search(
    conn: sqlite3.Connection, text: str, *, sites: list[str] | tuple[str, ...] = (),
    since: str | None = None, limit: int = 20, snippet_tokens: int = 24,
) -> list[Hit]:
    """The best `limit` hits for `text` (see `find`)."""
    return find(conn, text, sites=sites, since=since, limit=limit, snippet_tokens=snippet_tokens).hits


def find(
    conn: sqlite3.Connection, text: str, *, sites: list[str] | tuple[str, ...] = (), since: str | None = None,
    newest: int = NEWEST, limit: int = 20, snippet_tokens: int = 24,
) -> Found:
    """Search titles and bodies, optionally only some sites and published since a time.

    The newest `newest` matches (by when they were collected) are ranked in four groups - the
    words side by side in the title, all the words in the title, the words side by side
    anywhere, the rest - the newest published first within each (undated ones last). Not BM25:
    FTS5 weighs each word by walking every match of it in the whole index, 0.3-0.5 s for "hoi
    nghi dai bieu" on a year of the country however few rows are ranked. One FTS5 query finds the
    matches with their titles; the title groups are told by matching the words in the titles
    (`_Words`), the phrase in a body only while the groups do not fill `limit`
    (`_phrase_in_bodies`)."""
    terms = _terms(text)
    params = {"q": _query(terms, sites), "n": newest + 1, "since": since_iso(since)}
    rows = conn.execute(
        "SELECT f.rowid, a.title, a.published_at FROM articles_fts f JOIN articles a ON a.id = f.rowid"
        " WHERE f.articles_fts MATCH :q"
        + (" AND a.published_at >= :since" if since else "") + " ORDER BY f.rowid DESC LIMIT :n", params).fetchall()
    more, rows = len(rows) > newest, rows[:newest]
    if not rows:
        return Found([], 0, more)
    # the page's order within a group: newest published first, undated last (newest collected first)
    order = [r[0] for r in sorted(rows, key=lambda r: r[2] or "", reverse=True)]
    words = _Words(terms)
    group = {rowid: 0 if words.side_by_side(title) else 1 if words.all_in(title) else 3 for rowid, title, _ in rows}
    if len(terms) == 1:  # one word: side by side wherever it occurs
        group = {r: min(g, 2) for r, g in group.items()}
    elif sum(1 for g in group.values() if g < 2) < limit:
        _phrase_in_bodies(conn, terms, sites, words, order, rows[-1][0], group, limit)
    ranked = sorted(order, key=lambda r: group[r])[:limit]  # stable: that order within a group
    hits = _hits(conn, [(r, float(group[r])) for r in ranked], text, _expression(terms), snippet_tokens)
    return Found(hits, len(rows), more)


def _phrase_in_bodies(conn, terms, sites, words: _Words, order: list[int], lo: int, group: dict[int, int],
                      limit: int) -> None:
    """Move to group 2 the matches of group 3 with the words side by side in the body. Across
    every site one FTS5 phrase query over the matches' rowid range (from `lo`: a short, recent
    range); within some sites, where that range can be the whole index, the bodies are read in
    the page's `order` until the groups fill `limit`."""
    if not sites:
        q = "{title_ascii body_ascii} : (" + " + ".join(terms) + ")"
        for (rowid,) in conn.execute("SELECT rowid FROM articles_fts WHERE articles_fts MATCH :q AND rowid >= :lo",
                                     {"q": q, "lo": lo}):
            if group.get(rowid) == 3:
                group[rowid] = 2
        return
    rest = [r for r in order if group[r] == 3]
    wanted = limit - sum(1 for g in group.values() if g < 2)
    for i in range(0, len(rest), 200):
        if wanted <= 0:
            break
        chunk = rest[i:i + 200]
        bodies = dict(conn.execute(f"SELECT id, body FROM articles WHERE id IN ({', '.join('?' * len(chunk))})", chunk))
        for rowid in chunk:  # newest first, as ranked
            if words.side_by_side(bodies.get(rowid) or ""):
                group[rowid] = 2
                wanted -= 1


def _bare_letters() -> dict[str, str]:
    """Each folded letter → a regex class of every Latin letter that folds to it ("d" → [dDđĐ…])."""
    classes: dict[str, set[str]] = {}
    for cp in [*range(0x41, 0x5B), *range(0x61, 0x7B), *range(0xC0, 0x250), *range(0x1E00, 0x1F00)]:
        base = plain(chr(cp))
        if len(base) == 1 and base.isalpha():
            classes.setdefault(base, {base, base.upper()}).add(chr(cp))
    return {base: "[" + "".join(sorted(chars)) + "]" for base, chars in classes.items()}


_LETTERS = _bare_letters()
_SEP, _EDGE_BEFORE, _EDGE_AFTER = r"[\W_]+", r"(?<![^\W_])", r"(?![^\W_])"


class _Words:
    """A query's words matched in original text as the index matches them (unicode61,
    remove_diacritics 2: words are runs of letters and digits, marks and case ignored, đ as d):
    each term anywhere, and all of them side by side in order."""

    def __init__(self, terms: list[str]) -> None:
        tokens = [_term_tokens(t) for t in terms]
        self.each = [re.compile(self._pattern(t)) for t in tokens if t]
        self.phrase = re.compile(self._pattern([x for t in tokens for x in t])) if any(tokens) else None

    @staticmethod
    def _pattern(seq: list[tuple[str, bool]]) -> str:
        words = ["".join(_LETTERS.get(c, re.escape(c)) for c in tok) + (r"[^\W_]*" if prefix else "")
                 for tok, prefix in seq]
        return _EDGE_BEFORE + _SEP.join(words) + _EDGE_AFTER

    @staticmethod
    def _nfc(text: str) -> str:
        return text if unicodedata.is_normalized("NFC", text) else unicodedata.normalize("NFC", text)

    def side_by_side(self, text: str) -> bool:
        return self.phrase is not None and self.phrase.search(self._nfc(text)) is not None

    def all_in(self, text: str) -> bool:
        text = self._nfc(text)
        return bool(self.each) and all(p.search(text) for p in self.each)


def _term_tokens(term: str) -> list[tuple[str, bool]]:
    """A query term ('"Dống"*') as its folded tokens, each with whether it is a prefix (only the
    last can be)."""
    prefix = term.endswith("*")
    tokens = re.findall(r"[^\W_]+", plain(term.rstrip("*")[1:-1].replace('""', '"')))
    return [(t, prefix and i == len(tokens) - 1) for i, t in enumerate(tokens)]


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
            "INSERT INTO articles_fts (rowid, title, body, title_ascii, body_ascii, site_key)"
            f" SELECT id, title, body, {fold_t}, {fold_b}, hex(site_id) FROM articles"
        )
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    return cur.rowcount
