"""Extraction benchmark: `parse_article` / `parse_list` per simulator template, in process.

    python -m benchmarks.extract_bench [--articles 200] [--lists 20] [--repeat 5]
    python -m benchmarks.extract_bench --dump results.json   # every result, for before/after diffs

Pages are rendered by the simulator without HTTP. Each (template, profile) page set is parsed
`--repeat` times; the best run's CPU time per page is printed (ms), with the lxml parse alone
for reference. `--dump` instead writes the extracted values for a wider corpus (every profile on
every template, truncated pages, switched templates, the Liferay fixtures) as JSON.
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
from crawler.extract.text import parse_html

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


def bench(args) -> None:
    sim = _world(args.articles)
    print(f"{'template':9} {'profile':8} {'article ms':>10} {'list ms':>8} {'parse a/l':>10}")
    for template in TEMPLATES:
        arts, lists = collect(sim, template, args.articles, args.lists)
        parse_a = _cpu_ms_per_page(lambda h, u: parse_html(h), arts, args.repeat)
        parse_l = _cpu_ms_per_page(lambda h, u: parse_html(h), lists, args.repeat)
        native = "auto" if template == "plain" else template
        for name in dict.fromkeys((native, "auto")):
            prof = get_profile(name)
            a = _cpu_ms_per_page(prof.parse_article, arts, args.repeat)
            li = _cpu_ms_per_page(prof.parse_list, lists, args.repeat)
            print(f"{template:9} {name:8} {a:10.3f} {li:8.3f} {parse_a:5.3f}/{parse_l:.3f}")


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
