"""Pages from Jinja2 templates: autoescaped HTML (every value from a portal is text, never
markup), the digest's filters (monitor/digest/render.py: times, numbers, problems in words) and
words (labels.py), the person's language, the CSRF token every form carries and a one-shot
message carried across a redirect."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote, urlencode

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup, escape
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse

from crawler import clock
from monitor.analyst.search import MARK_END, MARK_START
from monitor.digest.render import filters, number
from monitor.web.labels import LABELS, LANGS, say_problem
from monitor.web.security import csrf_token

TEMPLATES = Path(__file__).parent / "templates"
STATIC = Path(__file__).parent / "static"


def marks(text: str | None) -> Markup:
    """Search hits: the text escaped, then its match markers turned into <mark>."""
    safe = str(escape(" ".join((text or "").split())))
    return Markup(safe.replace(MARK_START, "<mark>").replace(MARK_END, "</mark>"))


def pct(share: float | None) -> str:
    return "—" if share is None else f"{round(share * 100)}%"


def _env(lang: str) -> Environment:
    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["j2", "html"]),
                      undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    env.filters.update(filters(lang))
    env.filters.update(marks=marks, pct=pct, q=lambda s: quote(str(s), safe=""),
                       day=lambda d: clock.local(d + "T00:00:00+07:00", "%d/%m/%Y") if d else "",
                       vnl=lambda t: clock.local(t, "%d/%m/%Y %H:%M:%S") if t else "",
                       signed=lambda n: "±0" if not n else ("+" if n > 0 else "−") + number(abs(n), lang),
                       said=lambda p: say_problem(p, lang))
    env.globals.update(urlencode=urlencode)
    return env


_ENVS = {lang: _env(lang) for lang in LANGS}


def lang_of(request: Request) -> str:
    lang = request.session.get("lang")
    return lang if lang in LANGS else "vi"


def flash(request: Request, text: str, kind: str = "ok") -> None:
    """A message for the next page this person sees (after a redirect)."""
    request.session["flash"] = {"text": text, "kind": kind}


def render(request: Request, template: str, status: int = 200, **ctx) -> HTMLResponse:
    lang = lang_of(request)
    ctx.setdefault("user", getattr(request.state, "user", None))
    ctx.update(t=LABELS[lang], lang=lang, csrf=csrf_token(request), path=request.url.path,
               here=request.url.path + (f"?{request.url.query}" if request.url.query else ""),
               flash=request.session.pop("flash", None))
    return HTMLResponse(_ENVS[lang].get_template(template).render(ctx), status_code=status)


def redirect(path: str) -> RedirectResponse:
    return RedirectResponse(path, status_code=303)


def local_path(target: str | None, default: str = "/") -> str:
    """A path on this site (never //host or a scheme: no open redirect)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return default
    return target
