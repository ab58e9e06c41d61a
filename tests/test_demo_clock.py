"""The demo's simulated day ends shortly before the real now (views that count back from "now" then
find its readings), starts at 08:00 Vietnam time, and crawls often enough for a chart to mean something."""

import sys
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from crawler import clock
from monitor.demo import DAY_OF_CRAWLS, days_to_today
from simulator import Simulator


@pytest.mark.parametrize("now", ["2026-12-01T21:30:00Z", "2027-03-10T01:00:00Z", "2027-03-10T16:59:00Z"])
def test_the_demo_ends_within_two_days_before_now(monkeypatch, now):
    monkeypatch.setenv("PORTALWATCH_NOW", now)
    sim = Simulator(seed=1, articles_per_site=2)
    sim.advance(days=days_to_today(sim))
    start = datetime.fromisoformat(sim.clock()["now"])
    end = start + timedelta(hours=sum(DAY_OF_CRAWLS))
    assert (start.hour, start.minute) == (8, 0)  # date-aligned: the same shape of day every run
    assert timedelta(0) < clock.parse_iso(now) - end < timedelta(days=2)
    at = [sum(DAY_OF_CRAWLS[:i + 1]) for i in range(len(DAY_OF_CRAWLS))]  # hours after the baseline
    assert len([h for h in at if h > at[-1] - 24]) >= 5  # the digest's 24 hours hold five crawls


def test_the_simulator_never_goes_back(monkeypatch):
    monkeypatch.setenv("PORTALWATCH_NOW", "2026-01-01T00:00:00Z")  # before the simulator's own start
    assert days_to_today(Simulator(seed=1, articles_per_site=2)) == 0


def test_the_demos_digest_hint_shows_its_day_after_a_digest_was_recorded(demo_run, tmp_path):
    """The demo's "Next:" digest line names its window: it shows the demo's day on the real clock,
    also once a digest was recorded (the old hint, PORTALWATCH_NOW=… digest --preview, then gave
    a window from the recorded digest's end to the same moment: zero length)."""
    import os
    import shutil
    import subprocess

    folder, printed = demo_run
    work = tmp_path / "demo"
    shutil.copytree(folder, work)
    hint = next(line.strip() for line in printed.splitlines() if "digest --preview" in line)
    assert hint.startswith('portalwatch digest --preview digest.html --since "30/11/2026 15:00" --until '
                           '"01/12/2026 15:00"'), hint
    assert "`portalwatch digest` runs on the real clock: its first digest covers the 24 hours before now" in " ".join(
        printed.split())
    env = {k: v for k, v in os.environ.items() if not k.startswith("PORTALWATCH_")}
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env['PATH']}"
    recorded = subprocess.run("portalwatch digest --force", shell=True, cwd=work, capture_output=True, text=True,
                              env={**env, "PORTALWATCH_NOW": "2026-12-01T08:00:00Z"})
    assert recorded.returncode == 0 and "delivered" in recorded.stdout, recorded.stdout + recorded.stderr
    shown = subprocess.run(hint.split("   #")[0], shell=True, cwd=work, capture_output=True, text=True, env=env)
    assert shown.returncode == 0, shown.stderr
    demo_digest = printed.split("4. The district office's digest (text version)")[1]
    assert "Từ 30/11/2026 15:00 đến 01/12/2026 15:00 (giờ Việt Nam)" in shown.stdout
    totals = next(line for line in shown.stdout.splitlines() if "bài mới ·" in line)
    assert not totals.startswith("0 bài mới") and totals.split(" · ")[0] in demo_digest
