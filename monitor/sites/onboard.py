"""`portalwatch sites add`: from one URL (a home page or a news list) to a proposed `[[site]]`.

Fetches the page, recognises the platform, finds the news list(s) when given a home page, checks
the first article, previews entries with dates and view counts, and explains what it found when
the URL is not a news site. No writing here: monitor/sites/tomlfile.py appends the accepted entry.
"""

from __future__ import annotations

import threading
from collections import Counter
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from crawler.clock import local
from crawler.extract import discover as d
from crawler.extract.dates import to_utc_iso
from crawler.extract.profiles import PROFILES, detect_profile, get_profile
from crawler.extract.profiles.rules_article import document_title
from crawler.extract.text import parse_html
from crawler.extract.urls import canonical_url
from monitor.config import ID_RE, Config
from monitor.sites.fetch import FetchError, Page, fetch, robots_allows
from monitor.sites.problem import Problem


class Web:
    """Fetches for onboarding: one User-Agent, a page and robots.txt cache, at most `per_host`
    requests at a time to one host (bulk imports hit one provincial host for many sites)."""

    def __init__(self, user_agent: str, timeout: float = 20, per_host: int = 2):
        self.user_agent, self.timeout, self.per_host = user_agent, timeout, per_host
        self._pages: dict[str, Page | FetchError] = {}
        self._robots: dict[str, tuple[bool | None, str]] = {}
        self._slots: dict[str, threading.Semaphore] = {}
        self._lock = threading.Lock()

    def _slot(self, url: str) -> threading.Semaphore:
        host = urlsplit(url).netloc.lower()
        with self._lock:
            return self._slots.setdefault(host, threading.Semaphore(self.per_host))

    def get(self, url: str) -> Page:
        hit = self._pages.get(url)
        if hit is None:
            with self._slot(url):
                try:
                    hit = fetch(url, user_agent=self.user_agent, timeout=self.timeout)
                except FetchError as e:
                    hit = e
            self._pages[url] = hit
        if isinstance(hit, FetchError):
            raise hit
        return hit

    def robots(self, url: str) -> tuple[bool | None, str]:
        parts = urlsplit(url)
        key = f"{parts.scheme}://{parts.netloc}{parts.path}"
        if key not in self._robots:
            with self._slot(url):
                self._robots[key] = robots_allows(url, user_agent=self.user_agent, timeout=self.timeout)
        return self._robots[key]


@dataclass
class FoundList:
    url: str
    label: str  # the link text that led here ("" for the URL given)
    profile: str
    assessment: d.ListAssessment
    entries: list = field(default_factory=list, repr=False)


@dataclass
class Proposal:
    """What `sites add` found at a URL and would configure."""

    url: str
    final_url: str | None = None
    kind: str = "unknown"  # list, home, article, directory, unknown, unreachable
    title: str | None = None
    profile: str | None = None
    fingerprints: dict[str, float] = field(default_factory=dict)
    home_url: str | None = None
    unit: tuple[str, str] | None = None  # (name, level) the page calls itself
    lists: list[FoundList] = field(default_factory=list)
    rejected: list[tuple[str, str, str]] = field(default_factory=list)  # (url, link text, why)
    directories: list[d.LinkCandidate] = field(default_factory=list)
    subsites: int = 0
    pattern: str = "—"
    preview: list[dict] = field(default_factory=list)
    article: dict | None = None
    robots: list[tuple[str, bool | None, str]] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # any problem: do not add without a human
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems and bool(self.lists)

    @property
    def start_urls(self) -> list[str]:
        return [f.url for f in self.lists]

    def site_table(self, site_id: str, name: str | None = None, level: str | None = None,
                   parent: str | None = None) -> dict:
        """The `[[site]]` table to append (only keys with a value)."""
        table: dict = {"id": site_id, "name": name or (self.unit[0] if self.unit else site_id)}
        lvl = level or (self.unit[1] if self.unit else None)
        if lvl:
            table["level"] = lvl
        if parent:
            table["parent"] = parent
        table["start_urls"] = self.start_urls
        table["profile"] = self.profile or "auto"
        if self.home_url:
            table["home_url"] = self.home_url
        return table

    def as_dict(self) -> dict:
        return {
            "url": self.url, "final_url": self.final_url, "kind": self.kind, "title": self.title,
            "profile": self.profile, "fingerprints": self.fingerprints, "home_url": self.home_url,
            "unit": {"name": self.unit[0], "level": self.unit[1]} if self.unit else None,
            "lists": [{"url": f.url, "label": f.label, "profile": f.profile, "verdict": f.assessment.reason,
                       "entries": f.assessment.entries, "dated": f.assessment.dated,
                       "with_views": f.assessment.with_views, "next_page": f.assessment.has_next}
                      for f in self.lists],
            "rejected": [{"url": u, "label": t, "why": w} for u, t, w in self.rejected],
            "directories": [{"url": c.url, "label": c.text} for c in self.directories],
            "article_pattern": self.pattern, "preview": self.preview, "article": self.article,
            "robots": [{"url": u, "allowed": ok, "detail": t} for u, ok, t in self.robots],
            "problems": self.problems, "notes": self.notes, "ok": self.ok, "start_urls": self.start_urls,
        }


def _as_list(html: str, url: str, label: str = "") -> FoundList:
    prof = detect_profile(html, url)
    listing = prof.parse_list(html, url)
    if prof.name != "auto":  # a named profile must do at least as well as the generic rules
        auto = PROFILES["auto"].parse_list(html, url)
        if len(auto.entries) > len(listing.entries):
            prof, listing = PROFILES["auto"], auto
    return FoundList(url, label, prof.name, d.assess_list(listing, url), listing.entries)


def inspect_url(url: str, web: Web, *, max_candidates: int = 8, preview: int = 5) -> Proposal:
    """Everything `sites add` shows before asking; never raises for what a page contains."""
    p = Proposal(url=url)
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        p.kind = "unreachable"
        p.problems.append(Problem(f"{url!r} is not an http(s) URL", "not_http", url=url))
        return p
    try:
        page = web.get(url)
    except FetchError as e:
        p.kind = "unreachable"
        p.problems.append(Problem(f"could not fetch: {e}", "page_fetch", error=str(e)))
        return p
    p.final_url = page.url
    html = page.text
    p.title = document_title(parse_html(html)) or None
    p.unit = d.guess_unit(html)
    p.fingerprints = {n: round(pr.fingerprint(html, page.url), 2) for n, pr in PROFILES.items() if n != "auto"}
    here = _as_list(html, page.url)
    if here.assessment.is_list:
        p.kind = "list"
        p.lists.append(here)
    else:
        _from_home(p, html, page.url, web, max_candidates)
        art = _article(html, page.url)
        if art is not None:  # its site's lists were found through its menu: say so, add nothing
            p.kind = "article"
            lists = ", ".join(f.url for f in p.lists) or "none found from its menu"
            p.problems.append(Problem(
                f"{page.url} is an article page ({art.title!r}, published {local(art.published_at)}), not a"
                f" news list; give the site's home page or one of its lists ({lists})",
                "is_article", url=page.url, lists=", ".join(f.url for f in p.lists) or "—"))
    if not p.lists:
        _explain(p, html, page.url, here)
        return p
    p.home_url = page.url if p.kind == "home" else None
    profiles = Counter(f.profile for f in p.lists)
    p.profile = profiles.most_common(1)[0][0]
    if len(profiles) > 1:
        p.notes.append("the lists look like different platforms (" + ", ".join(
            f"{f.url}: {f.profile}" for f in p.lists) + f"); using {p.profile!r} for all")
    entries = [e for f in p.lists for e in f.entries]
    p.pattern = d.article_pattern([e.url for e in entries])
    for f in p.lists:
        ok, text = web.robots(f.url)
        p.robots.append((f.url, ok, text))
        if ok is False:
            p.problems.append(Problem(f"robots.txt disallows {f.url} for our User-Agent: the crawler will not fetch"
                                      " it", "robots_disallows", url=f.url))
    _preview(p, entries[:preview], web)
    return p


def _from_home(p: Proposal, html: str, url: str, web: Web, max_candidates: int) -> None:
    cands = d.list_candidates(html, url, limit=max_candidates)
    p.directories = [c for c in cands if c.kind == "directory"]
    if len(d.subsite_links(html, url)[0]) >= 2:  # a directory of sub-sites: only lists of its own
        inside = d.path_dir(url)
        cands = [c for c in cands if urlsplit(c.url).path.lower().startswith(inside)]
    seen: set[str] = set()
    for c in (c for c in cands if c.kind == "list"):
        try:
            page = web.get(c.url)
        except FetchError as e:
            p.rejected.append((c.url, c.text, f"not fetched: {e}"))
            continue
        found = _as_list(page.text, page.url, c.text)
        if not found.assessment.is_list:
            p.rejected.append((c.url, c.text, found.assessment.reason))
            continue
        keys = {canonical_url(e.url) for e in found.entries}
        if keys <= seen:
            p.rejected.append((c.url, c.text, "same articles as a list already chosen"))
            continue
        seen |= keys
        p.lists.append(found)
    if p.lists:
        p.kind = "home"


def _explain(p: Proposal, html: str, url: str, here: FoundList) -> None:
    """No news list: say what the page is instead."""
    subs, dirs = d.subsite_links(html, url)
    p.subsites = len(subs)
    if p.kind == "article":
        pass
    elif len(subs) >= 2:
        p.kind = "directory"
        names = ", ".join(s.name for s in subs[:4]) + (" …" if len(subs) > 4 else "")
        p.problems.append(Problem(f"{url} links {len(subs)} sub-sites ({names}) but no news list: "
                                  f"run `portalwatch sites discover {url}` to add them",
                                  "directory", url=url, n=len(subs), names=names))
    else:
        tried = f"; tried {len(p.rejected)} linked page(s): " + "; ".join(
            f"{t or u} → {why}" for u, t, why in p.rejected[:4]) if p.rejected else ""
        p.problems.append(Problem(
            f"{url} is not a news list ({here.assessment.reason}) and links no page that is{tried}."
            " Expected a page of dated article links (e.g. 'Tin tức') or a home page linking one",
            "not_a_list", url=url, reason=here.assessment.reason, tried=len(p.rejected)))
    if p.directories and p.kind != "directory":
        p.notes.append("it links sub-site directories: " + ", ".join(c.text or c.url for c in p.directories)
                       + " (see `portalwatch sites discover`)")


def _article(html: str, url: str):
    """The article this page is (title and date found on an article-like URL), else None."""
    if not d.is_article_like(url):
        return None
    art = detect_profile(html, url).parse_article(html, url)
    return art if art.title and art.published_at else None


def _preview(p: Proposal, entries: list, web: Web) -> None:
    """First entries as listed; the first article page (and those of entries whose list row lacks
    a view count) fill in what the list does not print. The article page is authoritative."""
    prof = get_profile(p.profile or "auto")
    for i, e in enumerate(entries):
        row = {"title": e.title, "url": e.url, "published_at": None, "published_local": None,
               "views": e.views, "views_from": "list" if e.views is not None else None}
        if e.published_at:
            row.update(published_at=to_utc_iso(e.published_at), published_local=local(e.published_at))
        p.preview.append(row)
        if i and e.views is not None:
            continue
        try:
            page = web.get(e.url)
        except FetchError as err:
            p.problems.append(Problem(f"article could not be fetched: {err}", "article_fetch", error=str(err)))
            continue
        art = prof.parse_article(page.text, page.url)
        if art.views is not None:
            row.update(views=art.views, views_from="article page")
        if art.published_at is not None:
            row.update(published_at=to_utc_iso(art.published_at), published_local=local(art.published_at))
        if i == 0:
            _check_article(p, prof.name, e, art)


def _check_article(p: Proposal, profile: str, entry, art) -> None:
    p.article = {"url": entry.url, "title": art.title, "views": art.views,
                 "published_at": to_utc_iso(art.published_at) if art.published_at else None,
                 "published_local": local(art.published_at) if art.published_at else None,
                 "body_chars": len(art.body or ""), "provenance": dict(art.provenance)}
    if not art.title:
        p.problems.append(Problem(f"article {entry.url}: no title extracted with profile {profile!r}",
                                  "field_missing", url=entry.url, field="title", profile=profile))
    if art.published_at is None and entry.published_at is None:
        p.problems.append(Problem(f"article {entry.url}: no publication date on the list or the article page",
                                  "no_date", url=entry.url))
    if not art.body:
        p.notes.append(f"article {entry.url}: no body text found")
    if art.views is None and entry.views is None:
        p.notes.append(f"no view count on the list or on article {entry.url}: views will not be tracked")


def obvious_id(p: Proposal) -> str:
    """The id from the unit name or the URL path."""
    name = p.unit[0] if p.unit else (urlsplit(p.final_url or p.url).path.strip("/").split("/") or [""])[-1]
    return d.slug_id(name or urlsplit(p.url).netloc.split(".")[0])


def suggest_id(p: Proposal, taken: set[str]) -> str | None:
    """The obvious id when it is free, else None."""
    base = obvious_id(p)
    return None if base in taken else base


def taken_ids(config: Config) -> set[str]:
    """Ids a new site may not have: every site's id and former ids."""
    return {s.id for s in config.sites} | {a for s in config.sites for a in s.aliases}


def id_problem(site_id: str | None, config: Config, option: str = "the id", obvious: str = "") -> str | None:
    """Why `site_id` cannot be the id of a new site, or None; `obvious`: the id suggested from
    the page, when it was taken (the message names the site holding it)."""
    if not site_id:
        owner = next((s for s in config.sites if s.id == obvious or obvious in s.aliases), None)
        by = f" by site {owner.id!r} ({owner.name}, {owner.start_urls[0]})" if owner else ""
        return f"the obvious id {obvious!r} is already taken{by}: choose another with {option}"
    if not ID_RE.match(site_id):
        return f"id {site_id!r} is not valid: lowercase letters, digits, '-' or '_' (at most 64)"
    if site_id in taken_ids(config):
        return f"{config.path}: id {site_id!r} is already used (by a site or as a former id); choose another with {option}"
    return None


def overlap(urls: list[str], config: Config) -> str | None:
    """The configured site that already crawls one of these lists (or has this home page): it
    would store every article twice."""
    wanted = {canonical_url(u) for u in urls}
    for s in config.sites:
        common = {canonical_url(u) for u in [*s.start_urls, *([s.home_url] if s.home_url else [])]} & wanted
        if common:
            return (f"{sorted(common)[0]} is already crawled for site {s.id!r} ({s.name}): not added twice"
                    f" (`portalwatch sites list` shows it)")
    return None
