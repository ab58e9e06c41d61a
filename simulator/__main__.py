"""Run the simulator standalone: ``python -m simulator --port 8765 --seed 1``
(``--national``: the 3,355-site national world on *.sim.test host names; ``--world families``:
the sites on WordPress, Joomla, Drupal, Liferay 7 and VNPT ePortal)."""

from __future__ import annotations

import argparse
import sys

from .server import make_server
from .world import Simulator


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m simulator", description=__doc__)
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=8765, help="0 = any free port")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--articles-per-site", type=int, default=40)
    ap.add_argument("--extra-sites", type=int, default=0, help="add N bulk sites")
    ap.add_argument("--extra-template", default="tandan", choices=["liferay", "tandan", "dnn", "plain"])
    ap.add_argument("--toml-out", help="also write the sites.toml to this file")
    ap.add_argument("--quiet", action="store_true", help="print only the base URL")
    ap.add_argument("--national", action="store_true",
                    help="serve the national world (3,355 sites on *.sim.test hosts; see docs/simulator.md)")
    ap.add_argument("--world", default="core", choices=["core", "families"],
                    help="core: the 12 core sites (default); families: the CMS families (profile auto)")
    args = ap.parse_args(argv)
    if args.national:
        from .hosts import main_national

        return main_national(args.seed, args.host, args.port, args.toml_out, args.quiet)

    if args.world == "families":
        from .families import FamiliesWorld

        sim: Simulator = FamiliesWorld(seed=args.seed)
    else:
        sim = Simulator(
            seed=args.seed,
            articles_per_site=args.articles_per_site,
            extra_sites=args.extra_sites,
            extra_template=args.extra_template,
        )
    server = make_server(sim, args.host, args.port)
    toml = sim.sites_toml()
    if args.toml_out:
        with open(args.toml_out, "w", encoding="utf-8") as f:
            f.write(toml)
    print(sim.base_url, flush=True)
    if not args.quiet:
        print(f"# {len(sim.sites)} sites, {sim.total_articles()} articles visible; Ctrl-C to stop", flush=True)
        print(toml, flush=True)
    try:
        server.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
