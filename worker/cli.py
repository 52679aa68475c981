"""``stridewise``: the one command-line entry point (see docs/DESIGN.md for the contract)."""

from __future__ import annotations

import argparse
import atexit
import gc
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING

from worker.config import Settings, load_dotenv_file
from worker.i18n import LANGUAGES
from worker.ratelimits import ConfigError

if TYPE_CHECKING:
    from worker.runtime import Runtime


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if not getattr(args, "command", None):
        parser.print_help()
        return 2
    load_dotenv_file()
    try:
        return int(args.run(args) or 0)
    except ConfigError as error:
        print(f"stridewise: configuration: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="stridewise", description=__doc__)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    analyze = sub.add_parser("analyze", help="classify activity files and print the feedback")
    analyze.add_argument("files", nargs="+", metavar="FILE")
    analyze.add_argument("--json", action="store_true", help="one JSON object per line")
    analyze.add_argument("--history", metavar="DIR", help="the athlete's past activities")
    analyze.add_argument("--imperial", action="store_true", help="miles and feet")
    analyze.add_argument("--language", default="en", choices=sorted(LANGUAGES),
                         help="language of the evidence and the block (default: en)")
    analyze.set_defaults(run=_analyze)

    web = sub.add_parser("web", help="the web process (webhook, OAuth, health, metrics)")
    web.add_argument("--host", default="127.0.0.1")
    web.add_argument("--port", type=int, default=8000)
    web.set_defaults(run=_web)

    worker = sub.add_parser("worker", help="the dramatiq workers")
    worker.add_argument("--processes", type=int, default=2)
    worker.add_argument("--threads", type=int, default=4)
    worker.set_defaults(run=_worker)

    sandbox = sub.add_parser("sandbox", help="the local fake Strava")
    sandbox.add_argument("--host", default="127.0.0.1")
    sandbox.add_argument("--port", type=int, default=8001)
    sandbox.set_defaults(run=_sandbox)

    for name, helptext in (("subscribe", "create the app's push subscription"),
                           ("unsubscribe", "delete the app's push subscription"),
                           ("subscription", "show the app's push subscription")):
        sub.add_parser(name, help=helptext).set_defaults(run=_subscription_command(name))

    sub.add_parser("status", help="queues, Strava budget, athletes, dead letters").set_defaults(
        run=_status)
    backfill = sub.add_parser("backfill", help="pull an athlete's recent history")
    backfill.add_argument("athlete_id", type=int, metavar="ATHLETE_ID")
    backfill.set_defaults(run=_backfill)
    sub.add_parser("migrate", help="apply database migrations").set_defaults(run=_migrate)

    dlq = sub.add_parser("dlq", help="dead letters")
    dlq_sub = dlq.add_subparsers(dest="dlq_command", metavar="ACTION", required=True)
    dlq_sub.add_parser("list", help="show dead letters with their reasons").set_defaults(
        run=_dlq_list)
    requeue = dlq_sub.add_parser("requeue", help="put dead letters back on their queues")
    requeue.add_argument("ids", nargs="*", metavar="ID",
                         help="an event id, or job-ID for a backfill job (see dlq list)")
    requeue.set_defaults(run=_dlq_requeue)

    forget = sub.add_parser("forget", help="delete an athlete's data and revoke our access")
    forget.add_argument("athlete_id", type=int, metavar="ATHLETE_ID")
    forget.set_defaults(run=_forget)

    rotate = sub.add_parser("rotate-keys", help="re-encrypt stored tokens under the newest key")
    rotate.set_defaults(run=_rotate_keys)
    dev = sub.add_parser("dev", help="run sandbox, web and worker together, with a demo")
    dev.add_argument("--no-demo", action="store_true")
    dev.set_defaults(run=_dev)
    return parser


def _runtime() -> Runtime:
    from worker.logs import configure_logging
    from worker.runtime import Runtime

    settings = Settings.from_env()
    configure_logging(settings.log_level)
    rt = Runtime(settings)
    atexit.register(rt.db.dispose)  # close pooled connections before the interpreter goes
    return rt


def _analyze(args: argparse.Namespace) -> int:
    from worker.analyze import run_analyze
    from worker.preferences import Preferences

    voice = Preferences(language=args.language,
                        units="imperial" if args.imperial else "metric").voice()
    return run_analyze(args.files, as_json=args.json, history_dir=args.history, voice=voice)


def _web(args: argparse.Namespace) -> int:
    from worker.web import create_app
    from worker.web.limits import serve

    rt = _runtime()
    app = create_app(rt)
    # Everything imported so far lives as long as the process: keep it out of the garbage
    # collector's full passes, which otherwise stall every request for their duration.
    gc.freeze()
    serve(app, args.host, args.port, rt.settings.forwarded_allow_ips)
    return 0


def _worker(args: argparse.Namespace) -> int:
    from dramatiq.cli import main as dramatiq_main
    from dramatiq.cli import make_argument_parser

    Settings.from_env()  # fail here, readably, rather than in every forked process
    options = make_argument_parser().parse_args([  # type: ignore[no-untyped-call]
        "worker.tasks:setup", "--processes", str(args.processes), "--threads", str(args.threads),
        "--skip-logging",
    ])
    return int(dramatiq_main(options) or 0)  # type: ignore[no-untyped-call]


def _sandbox(args: argparse.Namespace) -> int:
    from worker.logs import configure_logging
    from worker.sandbox import serve

    configure_logging(Settings.from_env().log_level)
    serve(args.host, args.port)
    return 0


def _subscription_command(name: str):  # type: ignore[no-untyped-def]
    def run(args: argparse.Namespace) -> int:
        from worker import admin

        return int(getattr(admin, name)(_runtime()))

    return run


def _status(args: argparse.Namespace) -> int:
    from worker import admin

    return admin.status(_runtime())


def _backfill(args: argparse.Namespace) -> int:
    from worker import admin

    return admin.backfill_with_progress(_runtime(), args.athlete_id)


def _migrate(args: argparse.Namespace) -> int:
    from worker.migrate import upgrade

    rt = _runtime()
    upgrade(rt.db.engine)
    print(f"database is up to date ({rt.db.engine.url.render_as_string(hide_password=True)})")
    return 0


def _dlq_list(args: argparse.Namespace) -> int:
    from worker import admin

    return admin.dlq_list(_runtime())


def _dlq_requeue(args: argparse.Namespace) -> int:
    from worker import admin

    return admin.dlq_requeue(_runtime(), args.ids)


def _forget(args: argparse.Namespace) -> int:
    from worker import forget

    forget.forget_athlete(_runtime(), args.athlete_id, revoke=True)
    print(f"athlete {args.athlete_id}: access revoked at Strava, every row deleted")
    return 0


def _rotate_keys(args: argparse.Namespace) -> int:
    from worker import admin

    return admin.rotate_keys(_runtime())


def _dev(args: argparse.Namespace) -> int:
    from worker.devstack import run_dev

    return run_dev(demo=not args.no_demo)


if __name__ == "__main__":
    sys.exit(main())
