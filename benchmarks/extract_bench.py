"""Extraction benchmark: `auto` against the named profile, article and list pages, in process.

    python -m benchmarks.extract_bench [--articles 200] [--lists 20] [--repeat 5]
    python -m benchmarks.extract_bench --dump results.json   # every result, for before/after diffs

Page sets: each simulator template (rendered without HTTP), the real Hanoi Liferay pages in
tests/fixtures, and the CMS families world (WordPress, Joomla, Drupal, Liferay 7, VNPT: `auto`
only, no named profile exists). Each set is parsed `--repeat` times, caches emptied before each
run; the best run's CPU time per page is printed (ms). List pages by `auto` twice: `cold`, every
page read from scratch, and `walk`, as a crawl reads them (a site's first list page from
scratch, the following ones with the list found there, `ListPage.hint`), and `kept`, as the next
crawl reads them (the first page too with the list its last crawl kept); `×` columns are `auto`
divided by the named profile. `--dump` instead writes the extracted values for a wider corpus
(every profile on every template, truncated pages, switched templates, the Liferay fixtures).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

from crawler.extract.profiles import PROFILES, get_profile

BASE = "http://sim.test"
TEMPLATES = ("liferay", "tandan", "dnn", "plain")
FIXTURES = Path(__file__).resolve().parent.parent / "tests" / "fixtures"


def _fetch(sim, url: str) -> str | None:
    from simulator import render

    parts = urlsplit(url)
    page = render.respond(sim, parts.path, parts.query)
    return page.html if page.status == 200 else None


def _world(articles: int):
    from simulator import Simulator

    sim = Simulator(seed=11, articles_per_site=articles)
    sim.base_url = BASE
    return sim


def collect(sim, template: str, n_articles: int, n_lists: int) -> tuple[list, list]:
    """(article pages, list pages) of one template as (url, html) pairs."""
    sites = [s for s in sim.sites.values() if s.template == template]
    arts = []
    for site in sites:
        for r in sim.truth(site=site.id, include_body=False):
            if r["status"] == "live" and len(arts) < n_articles:
                html = _fetch(sim, r["url"])
                if html:
                    arts.append((r["url"], html))
    lists = []
    prof = get_profile(sites[0].profile)
    for site in sites:
        for cat in site.categories:
            url = BASE + cat.list_path
            while url and len(lists) < n_lists:
                html = _fetch(sim, url)
                if not html:
                    break
                lists.append((url, html))
                url = prof.parse_list(html, url).next_url
    return arts, lists


def _clear_caches() -> None:
    """Empty extraction's memo caches (not compiled selectors) so repeated runs do not flatter them."""
    for name, mod in list(sys.modules.items()):
        if name.startswith("crawler.extract"):
            for key, obj in vars(mod).items():
                if callable(getattr(obj, "cache_clear", None)) and not key.startswith("compile_"):
                    obj.cache_clear()


def _cpu_ms_per_page(fn, pages, repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        _clear_caches()
        t0 = time.process_time()
        for url, html in pages:
            fn(html, url)
        best = min(best, time.process_time() - t0)
    return 1000 * best / max(1, len(pages))


def _walk_ms(prof, lists: list, repeat: int, own_hint: bool = False, kept: bool = False) -> float:
    """CPU ms per list page read as a crawl reads them: per site (the first two path segments),
    the first page from scratch, the next ones with the hint it gave. `own_hint`: every page is
    read with the hint of its own first reading (one sample page per site: the site's later pages).
    `kept`: the first page too with the site's hint of an earlier crawl (the store's list_hints)."""
    def site_of(url):
        return url if own_hint else "/".join(urlsplit(url).path.split("/")[1:3])

    known: dict = {}
    if own_hint or kept:
        for url, html in lists:
            if site_of(url) not in known:
                known[site_of(url)] = prof.parse_list(html, url).hint

    def run(pages):
        hints: dict = dict(known) if kept else {}
        for url, html in pages:
            site = site_of(url)
            page = prof.parse_list(html, url, hint=known.get(site) if own_hint else hints.get(site))
            hints[site] = page.hint or hints.get(site)
    best = float("inf")
    for _ in range(repeat):
        _clear_caches()
        t0 = time.process_time()
        run(lists)
        best = min(best, time.process_time() - t0)
    return 1000 * best / max(1, len(lists))


def _fixture_pages() -> tuple[list, list]:
    """(article pages, list pages) of the real Hanoi Liferay samples in tests/fixtures."""
    arts, lists = [], []
    for f in sorted(FIXTURES.glob("liferay-*.html")):
        url = f"https://sotttt.hanoi.gov.vn/{f.stem}"
        (lists if "-list-" in f.name else arts).append((url, f.read_text(encoding="utf-8")))
    return arts, lists


def _families_pages(n_articles: int, n_lists: int) -> tuple[list, list]:
    from simulator.families import FamiliesWorld

    world = FamiliesWorld(seed=11)
    world.base_url = BASE

    def fetch(url):
        parts = urlsplit(url)
        page = world.respond(parts.path, parts.query)
        return page.html if page.status == 200 else None

    arts, lists = [], []
    per_site = max(1, n_articles // len(world.sites))
    for site in world.sites:
        for r in world.truth(site, include_body=False)[:per_site]:
            if r["status"] == "live" and (html := fetch(r["url"])):
                arts.append((r["url"], html))
        for lst in world.lists(site)[:1]:
            for pg in lst["pages"][: max(2, n_lists // len(world.sites))]:
                if html := fetch(pg["url"]):
                    lists.append((pg["url"], html))
    return arts, lists


def bench(args) -> None:
    sim = _world(args.articles)
    sets = [(t, "auto" if t == "plain" else t, *collect(sim, t, args.articles, args.lists)) for t in TEMPLATES]
    sets.append(("fixtures", "liferay", *_fixture_pages()))
    sets.append(("families", None, *_families_pages(args.articles, args.lists)))
    auto = get_profile("auto")
    head = (f"{'pages':9} {'named':8} {'article':>8} {'auto':>7} {'×':>5}   {'list':>7} {'auto cold':>9} {'×':>5}"
            f" {'auto walk':>9} {'×':>5} {'auto kept':>9} {'×':>5}   {'n art/list':>10}")
    print(head)
    for name, named, arts, lists in sets:
        a_auto = _cpu_ms_per_page(auto.parse_article, arts, args.repeat)
        l_cold = _cpu_ms_per_page(auto.parse_list, lists, args.repeat)
        l_walk = _walk_ms(auto, lists, args.repeat, own_hint=name == "fixtures")
        l_kept = _walk_ms(auto, lists, args.repeat, own_hint=name == "fixtures", kept=True)
        if named and named != "auto":
            prof = get_profile(named)
            a_named = _cpu_ms_per_page(prof.parse_article, arts, args.repeat)
            l_named = _cpu_ms_per_page(prof.parse_list, lists, args.repeat)
            ratios = (f"{a_named:8.3f} {a_auto:7.3f} {a_auto / a_named:5.2f}   {l_named:7.3f} {l_cold:9.3f}"
                      f" {l_cold / l_named:5.2f} {l_walk:9.3f} {l_walk / l_named:5.2f} {l_kept:9.3f}"
                      f" {l_kept / l_named:5.2f}")
        else:
            ratios = (f"{'—':>8} {a_auto:7.3f} {'—':>5}   {'—':>7} {l_cold:9.3f} {'—':>5} {l_walk:9.3f} {'—':>5}"
                      f" {l_kept:9.3f} {'—':>5}")
        print(f"{name:9} {named or '—':8} {ratios}   {len(arts):>4}/{len(lists):<5}")


def _plain(obj):
    """A JSON-ready, deterministic view of an extraction result."""
    if dataclasses.is_dataclass(obj):
        return {k: _plain(v) for k, v in dataclasses.asdict(obj).items()}
    if isinstance(obj, dict):
        return {k: _plain(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [_plain(v) for v in obj]
    if hasattr(obj, "isoformat"):
        return obj.isoformat()
    return obj


def _variants(url: str, html: str):
    yield "", url, html
    cut = html[: int(len(html) * 0.7)].replace("</p>", "").replace("</li>", "")
    yield "truncated", url, cut


def dump(args) -> None:
    """Every profile on every page (plus variants) -> JSON at args.dump."""
    sim = _world(args.articles)
    corpus = []
    for template in TEMPLATES:
        arts, lists = collect(sim, template, args.articles, args.lists)
        corpus += [("article", template, u, h) for u, h in arts]
        corpus += [("list", template, u, h) for u, h in lists]
    # template switches: the same URLs rendered with another template's markup
    for site_tpl, new_tpl in (("liferay", "tandan"), ("liferay", "plain"), ("tandan", "dnn"), ("dnn", "plain")):
        site = next(s for s in sim.sites.values() if s.template == site_tpl)
        sim.switch_template(site.id, new_tpl)
        for r in sim.truth(site=site.id, include_body=False)[:15]:
            html = _fetch(sim, r["url"])
            if html:
                corpus.append(("article", f"{site_tpl}->{new_tpl}", r["url"], html))
        url = BASE + site.categories[0].list_path
        html = _fetch(sim, url)
        if html:
            corpus.append(("list", f"{site_tpl}->{new_tpl}", url, html))
        sim.switch_template(site.id, None)
    for f in sorted(FIXTURES.glob("liferay-*.html")):
        kind = "list" if "-list-" in f.name else "article"
        corpus.append((kind, "fixture", f"https://sotttt.hanoi.gov.vn/{f.stem}", f.read_text(encoding="utf-8")))
    out = []
    for kind, template, url, html in corpus:
        for variant, u, h in _variants(url, html):
            for name, prof in PROFILES.items():
                fn = prof.parse_article if kind == "article" else prof.parse_list
                try:
                    res = _plain(fn(h, u))
                except Exception as e:  # an exception is a result too
                    res = {"error": repr(e)}
                out.append({"kind": kind, "template": template, "variant": variant,
                            "url": u, "profile": name, "result": res})
    Path(args.dump).write_text(json.dumps(out, ensure_ascii=False, indent=1, sort_keys=True), encoding="utf-8")
    print(f"{len(out)} results -> {args.dump}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--articles", type=int, default=200, help="article pages per template")
    ap.add_argument("--lists", type=int, default=20, help="list pages per template")
    ap.add_argument("--repeat", type=int, default=5, help="runs per page set (best is kept)")
    ap.add_argument("--dump", metavar="PATH", help="write all extraction results as JSON instead")
    args = ap.parse_args()
    if args.dump:
        dump(args)
    else:
        bench(args)


if __name__ == "__main__":
    main()
