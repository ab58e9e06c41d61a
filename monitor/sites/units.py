"""Parents named by new sites (`sites add --parent`, `sites import`) that are not configured:
a `[[unit]]` table for each (a unit without a portal), unless the id looks like a typo."""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field

from monitor.config import ID_RE, LEVELS, Config

TYPO_CUTOFF = 0.85  # stricter than the config's did-you-mean: a national sheet names many close provinces


@dataclass
class NewUnits:
    """`tables`: the [[unit]] tables to append; `unnamed`: their ids whose name is only the id
    (the operator should edit it); `problems`: parent id -> why no unit is made for it."""

    tables: list[dict] = field(default_factory=list)
    unnamed: list[str] = field(default_factory=list)
    problems: dict[str, str] = field(default_factory=dict)


def known_ids(config: Config) -> set[str]:
    """Ids a parent may name: sites (and their former ids) and [[unit]]s."""
    return ({s.id for s in config.sites} | {a for s in config.sites for a in s.aliases}
            | {u.id for u in config.units} | {a for u in config.units for a in u.aliases})


def new_units(parents: dict[str, tuple[str, str]], config: Config, also: set[str] | None = None) -> NewUnits:
    """For each parent id -> (name, level) (either may be ""): nothing when it is configured or in
    `also` (ids being added at the same time), a problem when it is no valid id or is close to a
    known id (a typo), else a [[unit]] table named `name` (or its id) with `level` if valid."""
    known = known_ids(config) | (also or set())
    out = NewUnits()
    for pid, (name, level) in parents.items():
        if pid in known:
            continue
        if not ID_RE.match(pid):
            out.problems[pid] = (f"parent {pid!r} is not a valid id (lowercase letters, digits, '-' or '_',"
                                 " at most 64)")
            continue
        close = difflib.get_close_matches(pid, sorted(known), n=1, cutoff=TYPO_CUTOFF)
        if close:
            out.problems[pid] = f"parent {pid!r} is not configured (did you mean {close[0]!r}?)"
            continue
        table = {"id": pid, "name": name.strip() or pid}
        if level in LEVELS:
            table["level"] = level
        if not name.strip():
            out.unnamed.append(pid)
        out.tables.append(table)
    return out


def name_unit(units: NewUnits, unit_id: str, name: str, level: str = "") -> None:
    """Give the new [[unit]] `unit_id` its name (and level, if valid): an empty name keeps the id."""
    for table in units.tables:
        if table["id"] == unit_id and name.strip():
            table["name"] = name.strip()
            if level in LEVELS:
                table["level"] = level
            if unit_id in units.unnamed:
                units.unnamed.remove(unit_id)


def summary(units: NewUnits) -> str:
    """The import/add line about the units to be made, '' when none."""
    if not units.tables:
        return ""
    ids = ", ".join(t["id"] for t in units.tables[:8]) + (" …" if len(units.tables) > 8 else "")
    line = f"{len(units.tables)} parent(s) not configured become [[unit]] tables (no portal): {ids}"
    if units.unnamed:
        line += (f"; named after their id, so digests would print the id: {', '.join(units.unnamed)}: give"
                 " each its name (and level) in the configuration, or the sheet a parent_name column")
    return line
