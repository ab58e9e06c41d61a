"""Ground truth of the families world: what each article page shows, and what each list holds.

Computed from the model and the themes' print formats (:mod:`simulator.families.themes`),
never from rendered pages. The record keys are documented in TEMPLATES.md ("CMS families",
Ground truth) and kept stable for the end-to-end tests.
"""

from __future__ import annotations

import bisect
import math
from typing import Any

from ..model import Article, local, utc_iso
from .sites import FamilySite, list_url
from .themes import article_date, date_label, list_date, views_text


def truth_record(world: Any, a: Article, include_body: bool = True) -> dict:
    """What the article's page shows now."""
    site: FamilySite = a.site  # type: ignore[assignment]
    spec, th, now = site.spec, site.theme, world.now
    views = a.views_at(now) if world.shows_views(a, "article") else None
    list_views = a.views_at(now) if world.shows_views(a, "list") else None
    shown = not a.draft  # type: ignore[attr-defined]
    rec = {
        "site_id": site.id,
        "family": site.family,
        "theme": th,
        "key": a.key,
        "num_id": a.num_id,
        "url": world.base_url + a.path,
        "path": a.path,
        "alt_url": world.alt_url(a),
        "title": a.title,
        "created_at": utc_iso(a.published),
        "published_at": utc_iso(a.published) if shown else None,
        "published_local": local(a.published).isoformat() if shown else None,
        "published_precision": spec.precision if shown else None,
        "published_text": article_date(th, a.published) if shown else None,
        "date_label": date_label(th),
        "list_published_text": list_date(th, a.published) if shown and spec.list_date else None,
        "views": views,
        "views_text": views_text(th, views) if views is not None else None,
        "list_views": list_views,
        "category": a.category.name,
        "list_url": world.base_url + a.category.list_path,
        "draft": a.draft,  # type: ignore[attr-defined]
        "cites": a.cite or None,  # type: ignore[attr-defined]
        "status": "live" if a.removed is None else "removed",
        "http_status": 200 if a.removed is None else a.removed,
        "template": site.family,
        "flavour": th,
        "edited": a.edited_at is not None,
    }
    if include_body:
        rec["body"] = a.body
        rec["lead"] = a.lead
        rec["summary"] = a.summary
        rec["author"] = a.author or None
    return rec


def truth(
    world: Any, site: str | None = None, include_body: bool = True, include_removed: bool = True
) -> list[dict]:
    """Records of the published articles of one site (or all), newest first per site."""
    with world.lock:
        out = []
        sites = [world.sites[site]] if site else list(world.sites.values())
        for s in sites:
            n = bisect.bisect_right(s._pub, world.now)
            for a in reversed(s.articles[:n]):
                if a.removed is not None and not include_removed:
                    continue
                out.append(truth_record(world, a, include_body))
        return out


def lists(world: Any, site_id: str) -> list[dict]:
    """Each list of a site now: start URL, total, page size, and every page's URL and keys."""
    with world.lock:
        site: FamilySite = world.sites[site_id]
        out = []
        for cat in site.categories:
            items = site.visible(cat)
            size = site.page_size
            last = max(1, math.ceil(len(items) / size))
            pages = [
                {
                    "n": n,
                    "url": world.base_url + list_url(site, cat, n),  # type: ignore[arg-type]
                    "keys": [a.key for a in items[(n - 1) * size : n * size]],
                }
                for n in range(1, last + 1)
            ]
            out.append({
                "category": cat.slug, "name": cat.name, "start_url": world.base_url + cat.list_path,
                "total": len(items), "page_size": size, "pages": pages,
            })  # fmt: skip
        return out
