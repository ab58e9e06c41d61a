"""`portalwatch sites check`: one list page and one article, field by field, with provenance."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from crawler.extract.dates import to_utc_iso
from crawler.extract.profiles import detect_profile, get_profile
from crawler.extract.urls import article_key
from monitor.clock import local
from monitor.config import Config, Site
from monitor.fetch import FetchError, fetch, robots_allows

LIST_FIELDS = ("title", "published_text", "published_at", "views", "summary")
ARTICLE_FIELDS = ("title", "published_text", "published_at", "views", "category", "author", "body")


@dataclass
class FieldResult:
    name: str
    value: Any
    rule: str | None
    auto_value: Any = None  # what `auto` would extract instead, when the site uses another profile


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
    list_rules: dict[str, str] = field(default_factory=dict)
    first_entries: list[dict] = field(default_factory=list)
    article_url: str | None = None
    article_key: str | None = None
    article_fields: list[FieldResult] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def as_dict(self) -> dict:
        return {
            "site": self.site.id, "profile": self.profile, "detected_profile": self.detected,
            "robots": self.robots, "robots_ok": self.robots_ok, "list_url": self.list_url,
            "list_count": self.list_count, "auto_list_count": self.auto_list_count,
            "next_url": self.next_url, "list_rules": self.list_rules, "first_entries": self.first_entries,
            "article_url": self.article_url, "article_key": self.article_key,
            "article": {f.name: {"value": f.value, "rule": f.rule, "auto": f.auto_value} for f in self.article_fields},
            "problems": self.problems, "ok": self.ok,
        }

    def print(self, console) -> None:
        from rich.table import Table

        console.print(f"[bold]{self.site.id}[/] — {self.site.name}  (profile [cyan]{self.profile}[/]"
                      + (f", page looks like [cyan]{self.detected}[/]" if self.detected else "") + ")")
        console.print(f"robots.txt: {self.robots}")
        console.print(f"list page: {self.list_url}\n  {self.list_count} articles found"
                      + (f" (auto would find {self.auto_list_count})" if self.auto_list_count is not None else "")
                      + f"; next page: {self.next_url or '—'}")
        for k, v in self.list_rules.items():
            console.print(f"  [dim]{k}[/] ← {v}")
        if self.first_entries:
            t = Table(title="First entries on the list page")
            for c in ("title", "published (VN time)", "views", "key"):
                t.add_column(c)
            for e in self.first_entries:
                t.add_row(_short(e["title"], 60), e["published_local"] or "—",
                          "—" if e["views"] is None else str(e["views"]), e["key"])
            console.print(t)
        if self.article_url:
            t = Table(title=f"Article {self.article_url}")
            t.add_column("field")
            t.add_column("value")
            t.add_column("selector / rule")
            t.add_column("auto would give")
            for f in self.article_fields:
                t.add_row(f.name, _short(f.value, 70) if f.value is not None else "[red]missing[/]",
                          f.rule or "", "" if f.auto_value is None else _short(f.auto_value, 40))
            console.print(t)
        for p in self.problems:
            console.print(f"[red]problem:[/] {p}")
        if self.ok:
            console.print("[green]OK[/]: list and article extract cleanly.")


def _short(v: Any, n: int) -> str:
    s = str(v).replace("\n", " ")
    return s if len(s) <= n else s[: n - 1] + "…"


def check_site(
    config: Config, site: Site, *, list_url: str | None = None, article_url: str | None = None,
    list_html: str | None = None,
) -> CheckReport:
    ua = config.settings.ua
    report = CheckReport(site=site, profile=site.profile)
    url = list_url or site.start_urls[0]
    report.list_url = url
    report.robots_ok, report.robots = robots_allows(url, user_agent=ua) if list_html is None else (None, "not checked (offline HTML)")
    if report.robots_ok is False:
        report.problems.append(f"robots.txt disallows {url} for our User-Agent")
    try:
        html = list_html if list_html is not None else fetch(url, user_agent=ua, timeout=config.settings.timeout).text
    except FetchError as e:
        report.problems.append(f"site {site.id!r}: list page could not be fetched: {e}")
        return report
    detected = detect_profile(html, url)
    report.detected = detected.name
    profile = detected if site.profile == "auto" else get_profile(site.profile)
    auto = get_profile("auto")
    listing = profile.parse_list(html, url, site.selectors or None)
    report.list_count = len(listing.entries)
    report.next_url = listing.next_url
    report.list_rules = dict(listing.provenance)
    if profile.name != "auto":
        try:
            report.auto_list_count = len(auto.parse_list(html, url).entries)
        except Exception:  # noqa: BLE001 - auto is a hint here, never a failure
            report.auto_list_count = None
    for e in listing.entries[:5]:
        report.first_entries.append({
            "title": e.title, "url": e.url, "key": article_key(e.url), "published_text": e.published_text,
            "published_at": to_utc_iso(e.published_at) if e.published_at else None,
            "published_local": local(e.published_at) if e.published_at else None, "views": e.views,
        })
    if not listing.entries:
        report.problems.append(
            f"site {site.id!r}: no articles found on {url} with profile {profile.name!r}"
            + (f"; selectors {site.selectors}" if site.selectors else "")
        )
        return report
    missing_dates = sum(1 for e in listing.entries if e.published_at is None)
    if missing_dates == len(listing.entries):
        report.problems.append(f"no dates found on the list page {url} (the article pages may still carry them)")
    art_url = article_url or listing.entries[0].url
    report.article_url = art_url
    report.article_key = article_key(art_url)
    try:
        art_html = fetch(art_url, user_agent=ua, timeout=config.settings.timeout).text
    except FetchError as e:
        report.problems.append(f"site {site.id!r}: article could not be fetched: {e}")
        return report
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
    used = " ".join(list(listing.provenance.values()) + list(art.provenance.values()))
    for key, css in (site.selectors or {}).items():
        if css not in used:
            report.problems.append(
                f"site {site.id!r}: selector {key} = {css!r} matched nothing on {url if key.startswith(('list', 'item', 'next')) else art_url}"
                " (values came from the fallback rules instead; fix or remove the selector)"
            )
    for name in ("title", "published_at"):
        if getattr(art, name) is None:
            report.problems.append(f"site {site.id!r}: article {art_url}: no {name} extracted (expected via {profile.name!r})")
    return report
