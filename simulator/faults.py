"""Faults a site can be told to show (errors, slowness, malformed pages, hidden counts, a
template switch, downtime) and the simulator's bookkeeping of them.

:class:`FaultState` is mixed into :class:`simulator.world.Simulator`; it expects ``lock``,
``seed``, ``now``, ``sites``, ``fault_ver`` and the dicts set up by :meth:`FaultState._init_faults`.
"""

from __future__ import annotations

import threading
from dataclasses import asdict, dataclass, fields

from .model import TEMPLATES, Article, _unit


@dataclass
class Faults:
    error_rate: float = 0.0
    slow_ms: int = 0
    malformed: bool = False
    hide_views: bool = False
    down: bool = False
    template: str | None = None

    @classmethod
    def names(cls) -> tuple[str, ...]:
        return tuple(f.name for f in fields(cls))


class FaultState:
    """Fault settings, global and per site, and what they change on a page."""

    lock: threading.RLock
    seed: int
    now: int
    sites: dict
    fault_ver: int

    def _init_faults(self) -> None:
        self.global_faults = Faults()
        self.site_faults: dict[str, dict] = {}
        self.faults_changed_at: dict[str, int] = {}
        self._attempts: dict[str, int] = {}
        self.fault_ver = 0

    def set_faults(self, site: str | None = None, **kw) -> dict:
        """Set faults globally (site=None) or for one site. Unknown names raise."""
        with self.lock:
            bad = set(kw) - set(Faults.names())
            if bad:
                raise ValueError(f"unknown fault(s): {sorted(bad)}")
            if "template" in kw and kw["template"] not in (None, *TEMPLATES):
                raise ValueError(f"unknown template {kw['template']!r}")
            if site is None:
                for k, v in kw.items():
                    setattr(self.global_faults, k, v)
                for sid in self.sites:
                    self.faults_changed_at[sid] = self.now
            else:
                if site not in self.sites:
                    raise KeyError(site)
                self.site_faults.setdefault(site, {}).update(kw)
                self.faults_changed_at[site] = self.now
            self.fault_ver += 1
            return self.faults()

    def clear_faults(self, site: str | None = None) -> dict:
        with self.lock:
            if site is None:
                self.global_faults = Faults()
                self.site_faults.clear()
            else:
                self.site_faults.pop(site, None)
            for sid in self.sites:
                self.faults_changed_at[sid] = self.now
            self.fault_ver += 1
            return self.faults()

    def switch_template(self, site: str, template: str | None) -> None:
        """The site starts rendering with another template (URLs stay the same)."""
        self.set_faults(site=site, template=template)

    def effective_faults(self, site_id: str | None) -> Faults:
        f = Faults(**asdict(self.global_faults))
        if site_id is not None:
            for k, v in self.site_faults.get(site_id, {}).items():
                setattr(f, k, v)
        return f

    def faults(self) -> dict:
        return {"global": asdict(self.global_faults), "sites": dict(self.site_faults)}

    def should_fail(self, url: str, rate: float) -> bool:
        """Deterministic from seed + url + attempt number."""
        with self.lock:
            attempt = self._attempts.get(url, 0) + 1
            self._attempts[url] = attempt
        return _unit(self.seed, url, attempt, "err") < rate

    # ------------------------------------------------------------------ views/text as shown
    def shows_views(self, a: Article, where: str) -> bool:
        """Does the page (where='list' or 'article') print a view count for ``a`` now?"""
        f = self.effective_faults(a.site.id)
        if f.hide_views:
            return False
        tpl = f.template or a.site.template
        if where == "list":
            return tpl != "plain"
        if tpl == "liferay":
            return a.detail_views
        return True

    def last_modified(self, a: Article) -> int:
        key = (self.clock_ver, self.mut_ver, self.fault_ver)
        if a._lm_cache is not None and a._lm_cache[0] == key:
            return a._lm_cache[1]
        lm = max(a.published, a.edited_at or 0, self.faults_changed_at.get(a.site.id, 0))
        if self.shows_views(a, "article"):
            lm = max(lm, a.views_changed_at(self.now))
        if a.has_en:
            pass  # the English page has its own counter; Last-Modified follows the vi page
        a._lm_cache = (key, lm)
        return lm
