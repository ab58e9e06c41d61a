"""Ground truth: what each article page shows (title, dates as printed, view counts, body).

The world owns its truth: records are computed from the model and the shared print formats
(:mod:`simulator.formats`), never by parsing rendered pages. Used by the control API
(``/_sim/truth``), the national world and tests.
"""

from __future__ import annotations

import bisect
from typing import Any

from .formats import (
    current_template,
    detail_date,
    detail_label,
    flavour,
    list_date,
    print_path,
    views_text,
)
from .model import Article, local, utc_iso


def truth_record(sim: Any, a: Article, include_body: bool = True) -> dict:
    """What the article's page shows now (``sim`` is a world.Simulator or a national.NationalWorld)."""
    site = a.site
    base_tpl = current_template(sim, site)
    tpl = flavour(site, base_tpl)
    now = sim.now
    views = a.views_at(now) if sim.shows_views(a, "article") else None
    list_views = a.views_at(now) if sim.shows_views(a, "list") else None
    label = detail_label(site, tpl)
    printed = detail_date(site, tpl, a.published)
    line = (label + " " + printed).strip()
    # published_text: the date/time span only (a DNN weekday prefix counts as a label)
    ptext = printed.split(", ", 1)[1] if tpl == "dnn" else printed
    if views is not None:
        sep = " | " if tpl in ("liferay", "dnn", "dnn2") else " "
        line = f"{line}{sep}{views_text(tpl, views)}"
    rec = {
        "site_id": site.id,
        "key": a.key,
        "url": sim.base_url + a.path,
        "path": a.path,
        "title": a.title,
        "published_at": utc_iso(a.published),
        "published_local": local(a.published).isoformat(),
        "published_text": ptext,
        "date_line": line,
        "list_published_text": list_date(tpl, a.published),
        "views": views,
        "list_views": list_views,
        "category": a.category.name,
        "status": "live" if a.removed is None else "removed",
        "http_status": 200 if a.removed is None else a.removed,
        "template": base_tpl,
        "flavour": tpl,
        "edited": a.edited_at is not None,
    }
    if include_body:
        rec["body"] = a.body
        rec["lead"] = a.lead
        rec["summary"] = a.summary
        rec["author"] = a.author or None
    if site.template == "liferay" and a.has_en:
        rec["en_url"] = sim.base_url + "/en" + a.path
        hidden = sim.effective_faults(site.id).hide_views
        rec["en_views"] = None if hidden else a.en_views_at(now)
        rec["print_url"] = sim.base_url + print_path(a)
    return rec


def truth(
    sim: Any, site: str | None = None, include_body: bool = True, include_removed: bool = True
) -> list[dict]:
    """Records of the published articles of one site (or all), newest first per site."""
    with sim.lock:
        out = []
        sites = [sim.sites[site]] if site else list(sim.sites.values())
        for s in sites:
            n = bisect.bisect_right(s._pub, sim.now)
            for a in reversed(s.articles[:n]):
                if a.removed is not None and not include_removed:
                    continue
                out.append(truth_record(sim, a, include_body))
        return out
