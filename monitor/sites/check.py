"""`portalwatch sites check`: one list page and one article, field by field, with provenance."""

from __future__ import annotations

import os
from dataclasses import asdict, dataclass, field
from typing import Any

from crawler.clock import local
from crawler.extract.dates import to_utc_iso
from crawler.extract.profiles import detect_profile, get_profile
from crawler.extract.profiles.css import select
from crawler.extract.text import element_text, parse_html
from crawler.extract.urls import article_key
from crawler.sites import Site
from crawler.walks import END, ListWalk
from monitor.config import Config
from monitor.sites.fetch import FetchError, fetch, robots_allows
from monitor.sites.problem import Problem

LIST_FIELDS = ("title", "published_text", "published_at", "views", "summary")
ARTICLE_FIELDS = ("title", "published_text", "published_at", "views", "category", "author", "body")
OPTIONAL_FIELDS = ("category", "author")  # many portals print neither
LIST_SELECTORS = ("list_item", "item_link", "item_date", "item_views", "item_summary", "next_page")
ARTICLE_SELECTORS = ("title", "date", "views", "body", "lead", "author", "category", "tags")


@dataclass
class FieldResult:
    name: str
    value: Any
    rule: str | None
    auto_value: Any = None  # what `auto` would extract instead, when the site uses another profile


@dataclass
class Usual:
    """What a site's crawls usually read, from the database (`sites check` compares the page with
    it): the share of its articles missing each field in its healthy crawls ("views", "date",
    "title"; None without history), and the share of its recent articles whose count a list carried."""

    missing: dict[str, float | None] = field(default_factory=dict)
    list_views: float | None = None


USUALLY_HAS = 0.5  # a field missing on fewer articles than this in healthy crawls is one the site has
LIST_USUALLY_SHOWS = 0.8  # the lists carried the count of at least this share of recent articles


@dataclass
class CheckReport:
    site: Site
    profile: str
    detected: str | None = None
    robots: str = ""
    robots_ok: bool | None = None
    list_url: str | None = None
    list_count: int = 0
    auto_list_count: int | None = None
    next_url: str | None = None
    list_missing: dict[str, int] = field(default_factory=dict)  # entries of the list page without views / date
    pager: dict[str, Any] = field(default_factory=dict)  # what the list page's pager prints (PagerFacts)
    list_rules: dict[str, str] = field(default_factory=dict)
    first_entries: list[dict] = field(default_factory=list)
    article_url: str | None = None
    article_key: str | None = None
    article_fields: list[FieldResult] = field(default_factory=list)
    selectors: list[dict] = field(default_factory=list)  # each selector's matches, see selector_results
    source: str = "live"  # "live", "saved HTML" or "html_samples #N"
    problems: list[str] = field(default_factory=list)
    pages: dict[str, tuple[str, str]] = field(default_factory=dict, repr=False)  # kind -> (url, html)

    @property
    def ok(self) -> bool:
        return not self.problems

    def as_dict(self) -> dict:
        return {
            "site": self.site.id, "profile": self.profile, "detected_profile": self.detected,
            "robots": self.robots, "robots_ok": self.robots_ok, "list_url": self.list_url,
            "list_count": self.list_count, "auto_list_count": self.auto_list_count,
            "next_url": self.next_url, "list_missing": self.list_missing, "pager": self.pager, "list_rules": self.list_rules, "first_entries": self.first_entries,
            "article_url": self.article_url, "article_key": self.article_key,
            "article": {f.name: {"value": f.value, "rule": f.rule, "auto": f.auto_value} for f in self.article_fields},
            "selectors": self.selectors, "source": self.source,
            "problems": self.problems, "ok": self.ok, "views_note": self.views_note(),
        }

    @property
    def views_from_list(self) -> bool:
        """The list page printed a view count for its entries (all that was checked)."""
        return bool(self.first_entries) and all(e["views"] is not None for e in self.first_entries)

    def views_note(self) -> str | None:
        """Where the view count comes from, when the article page prints none."""
        art = {f.name: f.value for f in self.article_fields}
        if not self.article_fields or art.get("views") is not None:
            return None
        if self.views_from_list:
            return Problem("the article page prints no view count; that is normal for this site: its list pages"
                           " carry the count, and every crawl reads it there", "views_on_list")
        return Problem("no view count on the article page nor on the list page: this site's views will not be"
                       " tracked (if the portal shows them, add a `views` or `item_views` selector)", "views_none")


def _css(spec) -> str:
    return " or ".join(_chain(spec)) or "no selector"


def _chain(spec) -> tuple[str, ...]:
    return (spec,) if isinstance(spec, str) else tuple(s for s in spec or () if s)


def selector_results(profile, overrides: dict | None, list_html: str | None, art_html: str | None) -> list[dict]:
    """Every CSS selector the profile would try (site overrides first), with its match count and
    the first match's text: on the list page (item_* inside the first list item) or the article."""
    sels = profile.selectors_for(overrides)
    roots = {"list": parse_html(list_html) if list_html else None,
             "article": parse_html(art_html) if art_html else None}
    first_item = None
    if roots["list"] is not None:
        for css in _chain(sels.get("list_item")):
            try:
                found = [e for e in select(roots["list"], css) if not isinstance(e, str)]
            except ValueError:
                continue
            if found:
                first_item = found[0]
                break
    out = []
    for key in LIST_SELECTORS + ARTICLE_SELECTORS:
        page = "list" if key in LIST_SELECTORS else "article"
        root = roots[page]
        if root is None or not sels.get(key):
            continue
        scope = first_item if key.startswith("item_") and first_item is not None else root
        for css in _chain(sels[key]):
            row = {"key": key, "css": css, "source": "site" if (overrides or {}).get(key) else "profile",
                   "page": page if scope is root else "first list item", "matches": 0, "value": None}
            try:
                found = select(scope, css)
            except ValueError as e:
                row["error"] = str(e)
                out.append(row)
                continue
            row["matches"] = len(found)
            if found:
                first = found[0]
                value = " ".join(str(first).split()) if isinstance(first, str) else (
                    element_text(first) or (first.get("href") or ""))
                row["value"] = value[:200]
            out.append(row)
    return out


def check_site(
    config: Config, site: Site, *, list_url: str | None = None, article_url: str | None = None,
    list_html: str | None = None, article_html: str | None = None, offline: bool = False,
    source: str | None = None, usual: Usual | None = None,
) -> CheckReport:
    """Check one list page and one article of a site. Saved HTML (list_html / article_html, e.g.
    from html_samples) replaces fetching that page; `offline` fetches nothing at all (an article
    sample alone checks just the article). With `usual` (what the site's crawls usually read), a
    field the site usually has and the pages lack is a problem."""
    offline = offline or (article_html is not None and list_html is None)
    report = CheckReport(site=site, profile=site.profile)
    if list_html is not None or article_html is not None:
        report.source = source or "saved HTML"
    profile = None if site.profile == "auto" else get_profile(site.profile)
    listing_html = None
    if list_html is not None or not offline:
        listing_html, profile = _check_list(config, site, report, profile, list_url, list_html, offline)
        if listing_html is None:
            return report
    art_url = article_url or (report.first_entries[0]["url"] if report.first_entries else None)
    art_html = article_html
    if art_html is None:
        if offline or art_url is None:
            report.selectors = selector_results(profile or get_profile("auto"), site.selectors, listing_html, None)
            _compare_usual(report, usual)
            return report
        try:
            art_html = fetch(art_url, user_agent=config.settings.ua, timeout=config.settings.timeout).text
        except FetchError as e:
            report.problems.append(Problem(f"site {site.id!r}: article could not be fetched: {e}",
                                           "article_fetch", error=str(e)))
            return report
    art_url = art_url or "about:blank"
    report.pages["article"] = (art_url, art_html)
    if profile is None:
        profile = detect_profile(art_html, art_url)
        report.detected = report.detected or profile.name
    _check_article(site, report, profile, art_url, art_html)
    report.selectors = selector_results(profile, site.selectors, listing_html, art_html)
    _compare_usual(report, usual)
    return report


def _compare_usual(report: CheckReport, usual: Usual | None) -> None:
    """A view count the site usually has, missing from the pages checked, is a problem: on a list
    page whose lists usually carry it, or on both the list and the article page (an article page
    alone, when the count is not usually the list's)."""
    if usual is None:
        return
    entries, lacking = report.list_count, report.list_missing.get("views", 0)
    art = {f.name: f.value for f in report.article_fields}
    share = usual.missing.get("views")
    if entries and lacking * 2 >= entries and (usual.list_views or 0) >= LIST_USUALLY_SHOWS:
        report.problems.append(Problem(
            f"view count missing on {lacking} of {entries} list entries, but this site's lists usually carry it"
            f" ({usual.list_views:.0%} of its recent articles had one there): the template may have changed",
            "views_list_missing", lacking=lacking, entries=entries, share=f"{usual.list_views:.0%}"))
    elif (report.article_fields and art.get("views") is None and share is not None and share < USUALLY_HAS
          and (lacking == entries if entries else (usual.list_views or 0) < LIST_USUALLY_SHOWS)):
        report.problems.append(Problem(
            "no view count on the list page nor on the article page, but this site usually has one"
            f" (missing on {share:.0%} of the articles of its healthy crawls): the template may have changed",
            "views_missing", share=f"{share:.0%}"))


def _check_list(config, site, report, profile, list_url, list_html, offline):
    ua = config.settings.ua
    url = list_url or site.start_urls[0]
    report.list_url = url
    if list_html is not None or offline:
        report.robots_ok, report.robots = None, Problem("not checked (offline HTML)", "robots_offline")
    else:
        report.robots_ok, report.robots = robots_allows(url, user_agent=ua)
    if report.robots_ok is False:
        report.problems.append(Problem(f"robots.txt disallows {url} for our User-Agent", "robots_disallows", url=url))
    try:
        html = list_html if list_html is not None else fetch(url, user_agent=ua, timeout=config.settings.timeout).text
    except FetchError as e:
        report.problems.append(Problem(f"site {site.id!r}: list page could not be fetched: {e}",
                                       "list_fetch", error=str(e)))
        return None, profile
    report.pages["list"] = (url, html)
    detected = detect_profile(html, url)
    report.detected = detected.name
    profile = profile or detected
    auto = get_profile("auto")
    listing = profile.parse_list(html, url, site.selectors or None)
    report.list_count = len(listing.entries)
    report.next_url = listing.next_url
    report.pager = asdict(listing.pager)
    if listing.next_url is None:  # a crawl would stop here: does the page say there is more?
        walk = ListWalk(url)
        walk.saw(url, listing)
        report.problems += [Problem(f"site {site.id!r}: {url}: {why}; a crawl would miss the rest of the list",
                                    "walk_missed", url=url, why=why)
                            for why in walk.missed(END, max_pages=site.max_pages)]
    report.list_rules = dict(listing.provenance)
    if profile.name != "auto":
        try:
            report.auto_list_count = len(auto.parse_list(html, url).entries)
        except Exception:  # noqa: BLE001 - auto is a hint here, never a failure
            report.auto_list_count = None
    for entry in listing.entries[:5]:
        when = entry.published_at
        report.first_entries.append({
            "title": entry.title, "url": entry.url, "key": article_key(entry.url),
            "published_text": entry.published_text, "published_at": to_utc_iso(when) if when else None,
            "published_local": local(when) if when else None, "views": entry.views,
        })
    if not listing.entries:
        report.problems.append(Problem(
            f"site {site.id!r}: no articles found on {url} with profile {profile.name!r}"
            + (f"; selectors {site.selectors}" if site.selectors else ""),
            "no_articles", url=url, profile=profile.name))
        return None, profile
    if profile.name != "auto" and listing.provenance.get("list_item", "").startswith("auto"):
        items = _css(profile.selectors_for(site.selectors).get("list_item"))
        report.problems.append(Problem(
            f"site {site.id!r}: profile {profile.name!r} does not fit {url}: its list items"
            f" ({items}) matched nothing, the generic rules"
            f" read the page instead; the page looks like {detected.name!r} (template changed?)",
            "profile_misfit", profile=profile.name, url=url, items=items, detected=detected.name))
    missing_dates = sum(1 for e in listing.entries if e.published_at is None)
    report.list_missing = {"views": sum(1 for e in listing.entries if e.views is None), "date": missing_dates}
    if missing_dates == len(listing.entries):
        report.problems.append(Problem(f"no dates found on the list page {url} (the article pages may still carry"
                                       " them)", "no_list_dates", url=url))
    return html, profile


def _check_article(site, report, profile, art_url, art_html) -> None:
    report.article_url = art_url
    report.article_key = article_key(art_url)
    auto = get_profile("auto")
    art = profile.parse_article(art_html, art_url, site.selectors or None)
    auto_art = auto.parse_article(art_html, art_url) if profile.name != "auto" else None
    for name in ARTICLE_FIELDS:
        value = getattr(art, name)
        if name == "published_at" and value is not None:
            value = f"{to_utc_iso(value)} (VN {local(value)})"
        auto_value = getattr(auto_art, name) if auto_art else None
        if name == "published_at" and auto_value is not None:
            auto_value = to_utc_iso(auto_value)
        rule = art.provenance.get(name) or art.provenance.get({"published_text": "published_at"}.get(name, name))
        report.article_fields.append(FieldResult(name, value, rule, auto_value))
    used = " ".join(list(report.list_rules.values()) + list(art.provenance.values()))
    for key, css in (site.selectors or {}).items():
        on_list = key.startswith(("list", "item", "next"))
        if css not in used and not (on_list and report.list_url is None):
            where = report.list_url if key.startswith(("list", "item", "next")) else art_url
            report.problems.append(Problem(
                f"site {site.id!r}: selector {key} = {css!r} matched nothing on {where}"
                " (values came from the fallback rules instead; fix or remove the selector)",
                "selector_unused", key=key, css=css, where=where))
    for name in ("title", "published_at"):
        if getattr(art, name) is None:
            report.problems.append(Problem(
                f"site {site.id!r}: article {art_url}: no {name} extracted (expected via {profile.name!r})",
                "field_missing", url=art_url, field=name, profile=profile.name))


def load_sample(conn, sample_id: int, site: Site) -> dict:
    """An html_samples row of this site (or of one of its former ids); ValueError otherwise."""
    row = conn.execute("SELECT id, site_id, url, kind, reason, html, saved_at FROM html_samples WHERE id = ?",
                       (sample_id,)).fetchone()
    if row is None:
        raise ValueError(f"no html_samples row #{sample_id} (kept pages: `portalwatch sites health`; old ones"
                         " are deleted after sample_retention_days)")
    sample = dict(zip(("id", "site_id", "url", "kind", "reason", "html", "saved_at"), row, strict=True))
    if sample["site_id"] not in (site.id, *site.aliases):
        raise ValueError(f"html_samples #{sample_id} is a page of site {sample['site_id']!r}, not of {site.id!r}")
    return sample


def keep_pages(db, site_id: str, report: CheckReport) -> list[int]:
    """Store the pages this check fetched in html_samples (reason 'kept by sites check'), through
    the store (its per-site cap holds). `db`: the database's path, or a connection to it."""
    from crawler import clock
    from crawler.items import SampleItem
    from monitor.store.db import Store

    if not isinstance(db, str | os.PathLike):  # a connection: the store opens its own
        db = next(row[2] for row in db.execute("PRAGMA database_list") if row[1] == "main")
    reason = "kept by sites check" + (f": {report.problems[0]}" if report.problems else "")
    now = clock.now_iso()
    store = Store(db)
    try:
        return store.save_samples([SampleItem(site_id, url, kind, reason, html, now)
                                   for kind, (url, html) in report.pages.items()])
    finally:
        store.close()
