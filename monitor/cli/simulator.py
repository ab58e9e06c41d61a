"""`portalwatch simulate` and `portalwatch demo`: the built-in portal simulator, served alone or
driven through the whole job (monitor/demo.py)."""

from __future__ import annotations

from pathlib import Path

import click

from monitor.cli.context import console, err_console
from monitor.cli.params import OutputFile


@click.command(short_help="Serve the built-in portal simulator.")
@click.option("--port", type=int, default=8765, show_default=True, help="Port on 127.0.0.1 (0: any free one).")
@click.option("--seed", type=int, default=1, show_default=True,
              help="Seed of the simulated world: the same seed gives the same sites, articles and views.")
@click.option("--articles-per-site", type=int, default=40, show_default=True, help="Articles each site starts with.")
@click.option("--write-config", type=OutputFile(), default=None,
              help="Also write the sites.toml for the simulator to this file.")
@click.option("--world", type=click.Choice(["core", "families"]), default="core", show_default=True,
              help="core: the 12 core sites; families: sites on WordPress, Joomla, Drupal, Liferay 7 "
                   "and VNPT ePortal, all with profile = \"auto\".")
def simulate(port: int, seed: int, articles_per_site: int, write_config: str | None, world: str) -> None:
    """Serve the built-in portal simulator on 127.0.0.1 until Ctrl-C and print a sites.toml for it.

    Its clock starts at the latest 08:00 (Vietnam time) before now, so its pages show the posts
    of today and yesterday; POST /_sim/advance?hours=N moves it on.

    \b
    Example:
      portalwatch simulate --port 8765 --write-config sim.toml
      portalwatch --config sim.toml crawl
      portalwatch simulate --world families --write-config families.toml
    """
    from monitor.demo import days_to_now, simulator_config
    from simulator import Simulator, serve

    if world == "families":
        from simulator.families import FamiliesWorld

        sim: Simulator = FamiliesWorld(seed=seed)
    else:
        sim = Simulator(seed=seed, articles_per_site=articles_per_site)
    sim.advance(days=days_to_now(sim))
    with serve(sim, port=port) as handle:
        text = simulator_config(sim, handle.base_url, recipients=world == "core", generator="portalwatch simulate")
        if write_config:
            Path(write_config).write_text(text, encoding="utf-8")
            err_console.print(f"wrote {write_config}")
        click.echo(text)
        err_console.print(f"Simulator serving {handle.base_url} (control API under /_sim/), simulated time "
                          f"{sim.clock()['now']} (08:00 today or yesterday: new posts appear as it advances). "
                          "Ctrl-C stops it.")
        try:
            import os
            import signal
            import threading
            import time

            def _stop(signum, frame):
                # Ctrl-C or SIGTERM: stop cleanly, and never hang on the way out (a watchdog ends
                # the process 5 s later if the server's shutdown has not)
                dog = threading.Timer(5.0, os._exit, args=(0,))
                dog.daemon = True
                dog.start()
                raise KeyboardInterrupt

            signal.signal(signal.SIGINT, _stop)
            signal.signal(signal.SIGTERM, _stop)
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            err_console.print("stopped")


@click.command(short_help="Try everything on the simulated portal.")
@click.option("--dir", "workdir", type=click.Path(file_okay=False), default=".", show_default=True,
              help="Where to leave sites.toml, portalwatch.db and the digest.")
@click.option("--seed", type=int, default=1, show_default=True,
              help="Seed of the simulated world: the same seed gives the same demo.")
@click.option("--articles-per-site", type=int, default=40, show_default=True, help="Articles each site starts with.")
def demo(workdir: str, seed: int, articles_per_site: int) -> None:
    """Run the whole job on the built-in simulated portal: crawl, advance time, crawl again,
    show what changed, and produce a digest.

    \b
    Example:
      portalwatch demo
    """
    from monitor.cli.render import crawl as crawl_display
    from monitor.demo import run_demo
    from monitor.web.users import demo_user

    run_demo(Path(workdir), crawl_display, seed=seed, articles_per_site=articles_per_site, console=console,
             web_user=demo_user)
