"""`portalwatch sites discover URL`: the ward/commune sub-sites a district or province portal links
to (menus, "Các phường" pages one click away), marked when already configured."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from urllib.parse import urlsplit

from crawler.extract import discover as d
from crawler.extract.urls import canonical_url
from monitor.config import Config
from monitor.sites.fetch import FetchError
from monitor.sites.onboard import Web


@dataclass
class SubSite:
    name: str
    url: str
    level: str | None
    suggested_id: str
    configured_as: str | None = None  # id of the configured site covering this URL
    same_name_as: str | None = None  # a configured site with the same name but another URL
    found_on: str = ""


@dataclass
class Discovery:
    url: str
    parent: str | None  # configured site this portal belongs to, if any
    subsites: list[SubSite] = field(default_factory=list)
    pages: list[str] = field(default_factory=list)  # pages read (the portal + directory pages)
    problems: list[str] = field(default_factory=list)

    @property
    def new(self) -> list[SubSite]:
        return [s for s in self.subsites if not s.configured_as]

    def as_dict(self) -> dict:
        return {"url": self.url, "parent": self.parent, "pages": self.pages, "problems": self.problems,
                "subsites": [asdict(s) for s in self.subsites]}

    def csv_rows(self) -> list[dict]:
        """Rows for `portalwatch sites import` (id,name,level,parent,url) of the new sub-sites."""
        return [{"id": s.suggested_id, "name": s.name, "level": s.level or "", "parent": self.parent or "",
                 "url": s.url} for s in self.new]

    def write_csv(self, path: str) -> None:
        """The new sub-sites as id,name,level,parent,url: a file for `portalwatch sites import`."""
        import csv

        with open(path, "w", encoding="utf-8", newline="") as f:
            w = csv.DictWriter(f, fieldnames=["id", "name", "level", "parent", "url"])
            w.writeheader()
            w.writerows(self.csv_rows())


def _prefix(url: str) -> tuple[str, str]:
    p = urlsplit(canonical_url(url))
    return p.netloc, p.path if p.path.endswith("/") else p.path + "/"


def _covers(site, url: str) -> bool:
    host, path = _prefix(url)
    for u in [site.home_url, *site.start_urls]:
        if not u:
            continue
        h, p = _prefix(u)
        if h == host and p.startswith(path):
            return True
    return False


def discover(url: str, config: Config, web: Web, *, parent: str | None = None, max_directories: int = 5) -> Discovery:
    """Read the portal page and the directory pages it links; never raises for page content."""
    out = Discovery(url=url, parent=parent)
    try:
        page = web.get(url)
    except FetchError as e:
        out.problems.append(f"could not fetch: {e}")
        return out
    out.pages.append(page.url)
    links, dirs = d.subsite_links(page.text, page.url)
    for c in dirs[:max_directories]:
        try:
            dir_page = web.get(c.url)
        except FetchError as e:
            out.problems.append(f"directory page {c.url} ({c.text}) could not be fetched: {e}")
            continue
        out.pages.append(dir_page.url)
        more, _ = d.subsite_links(dir_page.text, dir_page.url)
        links.extend(more)
    seen: set[str] = set()
    taken = {s.id for s in config.sites} | {a for s in config.sites for a in s.aliases}
    by_name = {d.slug_id(s.name): s.id for s in config.sites}
    for link in links:
        key = canonical_url(link.url).rstrip("/")
        if key in seen:
            continue
        seen.add(key)
        covering = [s for s in config.sites if _covers(s, link.url)]
        sid = d.slug_id(link.name)
        sub = SubSite(link.name, link.url, link.level, sid, found_on=link.source)
        if covering:
            sub.configured_as = covering[0].id
        elif by_name.get(sid):
            sub.same_name_as = by_name[sid]
        if sub.suggested_id in taken and not sub.configured_as:
            sub.suggested_id = f"{sid}-{d.slug_id(out.parent or urlsplit(url).netloc.split('.')[0])}"[:64]
        out.subsites.append(sub)
    if out.parent is None:
        out.parent = _parent_of(url, config, out.subsites)
    if not out.subsites:
        out.problems.append(f"{url} links no ward/commune sub-sites (looked for links named 'Phường …',"
                            " 'Xã …', 'Thị trấn …' and pages such as 'Các phường')")
    return out


def _parent_of(url: str, config: Config, subs: list[SubSite]) -> str | None:
    """The configured site whose pages live at this portal (but not under a sub-site)."""
    host, path = _prefix(url)
    hits = []
    for s in config.sites:
        for u in [s.home_url, *s.start_urls]:
            if not u:
                continue
            h, p = _prefix(u)
            if h == host and p.startswith(path) and not any(_covers(s, x.url) for x in subs):
                hits.append(s.id)
                break
    return hits[0] if len(set(hits)) == 1 else None
