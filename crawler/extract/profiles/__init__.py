"""Site profiles: how to read list and article pages of each platform family."""

from __future__ import annotations

from .auto import AutoProfile
from .base import Profile
from .dnn import DnnProfile
from .liferay import LiferayProfile
from .tandan import TanDanProfile

_PLATFORMS: tuple[Profile, ...] = (LiferayProfile(), TanDanProfile(), DnnProfile())
PROFILES: dict[str, Profile] = {p.name: p for p in (*_PLATFORMS, AutoProfile(_PLATFORMS))}


class UnknownProfileError(ValueError, KeyError):
    """Raised by get_profile for an unknown name (both a ValueError and a KeyError)."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ""


def get_profile(name: str) -> Profile:
    """The built-in profile called `name`; UnknownProfileError lists the valid names."""
    try:
        return PROFILES[(name or "").strip().lower()]
    except KeyError:
        valid = ", ".join(sorted(PROFILES))
        raise UnknownProfileError(f"unknown profile {name!r}; valid profiles: {valid}") from None


def detect_profile(html: str, url: str) -> Profile:
    """The profile whose fingerprint is highest and ≥ 0.5, else `auto`."""
    best, best_score = PROFILES["auto"], 0.0
    for prof in PROFILES.values():
        if prof.name == "auto":
            continue
        score = prof.fingerprint(html, url)
        if score > best_score:
            best, best_score = prof, score
    return best if best_score >= 0.5 else PROFILES["auto"]


__all__ = ["PROFILES", "Profile", "UnknownProfileError", "detect_profile", "get_profile"]
