"""A national site's articles: generated from (seed, site, index) and the index read back from a path."""

from __future__ import annotations

import random
from typing import Any

from .. import text as T
from ..model import (
    Article,
    _h,
    article_path,
    local,
)

_B32 = "abcdefghijkmnpqrstuvwxyz23456789"  # Tân Dân short codes: 4 random + 4 encoding the index


class LazyArticles:
    """The visible articles of one site (or category), newest first, generated as sliced."""

    __slots__ = ("site", "n")

    def __init__(self, site: Any, n: int):
        self.site, self.n = site, n

    def __len__(self) -> int:
        return self.n

    def __getitem__(self, key):
        if isinstance(key, slice):
            return [self.site.article(self.n - 1 - p) for p in range(*key.indices(self.n))]
        if key < 0:
            key += self.n
        if not 0 <= key < self.n:
            raise IndexError(key)
        return self.site.article(self.n - 1 - key)

    def __iter__(self):
        return (self.site.article(i) for i in range(self.n - 1, -1, -1))


class NationalArticle(Article):
    """An Article whose lead (all a list page needs) is generated without the body."""

    __slots__ = ()

    @property
    def lead(self) -> str:
        if self._lead is None:  # the first draw of Article._gen_text's generator: same text
            rng = random.Random(_h(self.site.sim.seed, self.site.id, self.idx, "body"))
            d = local(self.published)
            self._lead = T.make_lead(rng, self.site.unit, d.day, d.month, d.year)
        return self._lead


def _make_article(seed: int, site: Any, idx: int, published: int) -> Article:
    rng = random.Random(_h(seed, site.id, idx))
    a = NationalArticle(site, idx, published, site.categories[0])  # type: ignore[arg-type]
    title = T.make_title(rng, site.unit, local(published).year)
    a.title = f"“{title}”" if rng.random() < 0.05 else title
    if site.template == "liferay":
        a.num_id = 4_000_000 + site.index * 200_000 + idx * 13 + rng.randint(0, 9)
    else:
        a.num_id = 1000 + site.index * 50_000 + idx * 3 + rng.randint(0, 2)
    a.code = "".join(rng.choice(_B32) for _ in range(4)) + _b32(idx)
    a.V = rng.lognormvariate(5.0, 0.8)
    a.tau = rng.uniform(12.0, 72.0)
    a.r = rng.uniform(0.05, 2.0)
    a.detail_views = site.template != "liferay" or rng.random() < 0.6
    a.has_en = False
    a.author = rng.choice(T.AUTHORS)
    a.image = rng.random() < 0.6
    slug = T.slugify(a.title.strip("“”"))
    if site.template == "liferay" and a.title.startswith("“"):
        slug = "-" + slug
    a.slug = slug
    a.key = f"{site.id}:{a.num_id}"
    a.path = article_path(site, a)  # type: ignore[arg-type]
    return a


def _b32(n: int) -> str:
    return "".join(_B32[(n >> s) & 31] for s in (15, 10, 5, 0))


def _index_from_path(site: Any, path: str) -> int | None:
    """Article index encoded in a canonical article path (None if it is not one)."""
    rest = path[len(site.path):]
    try:
        if site.template == "liferay":
            tail = rest.split("/-/view_content/", 1)[1]
            return (int(tail.split("-", 1)[0]) - 4_000_000 - site.index * 200_000) // 13
        if site.template == "tandan":
            code = rest.rsplit("-", 1)[1].removesuffix(".aspx")
            return sum(_B32.index(c) << s for c, s in zip(code[-4:], (15, 10, 5, 0), strict=True))
        if site.template == "dnn":
            return (int(rest.split("/post/", 1)[1].split("/", 1)[0]) - 1000 - site.index * 50_000) // 3
        return (int(rest.rsplit("-", 1)[1].removesuffix(".html")) - 1000 - site.index * 50_000) // 3
    except (IndexError, ValueError):
        return None
