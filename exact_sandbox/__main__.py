"""`python -m exact_sandbox serve|reset`: run the sandbox, or wipe and reseed its database."""

import argparse
import os
import secrets
import sys
from pathlib import Path


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m exact_sandbox", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="run the sandbox server")
    serve.add_argument("--host", default=os.environ.get("SANDBOX_HOST", "127.0.0.1"))
    serve.add_argument("--port", type=int, default=int(os.environ.get("SANDBOX_PORT", "8001")))
    serve.add_argument("--reset", action="store_true", help="wipe and reseed before serving")
    serve.add_argument("--quiet", action="store_true", help="do not log every request")
    serve.add_argument("--tls-cert", default="", help="serve HTTPS with this certificate (PEM)")
    serve.add_argument("--tls-key", default="", help="the certificate's private key (PEM)")
    env = os.environ.get
    serve.add_argument("--minutely", type=int, default=int(env("SANDBOX_MINUTELY_LIMIT", "60")))
    serve.add_argument("--daily", type=int, default=int(env("SANDBOX_DAILY_LIMIT", "5000")))
    serve.add_argument(
        "--minute-seconds",
        type=int,
        default=int(env("SANDBOX_MINUTE_SECONDS", "60")),
        help="length of the minutely budget's window (Exact: 60)",
    )
    serve.add_argument(
        "--day-seconds",
        type=int,
        default=int(env("SANDBOX_DAY_SECONDS", "86400")),
        help="length of the daily budget's window (Exact: 86400)",
    )
    serve.add_argument("--errors-per-hour", type=int, default=int(env("SANDBOX_ERROR_LIMIT", "10")))
    serve.add_argument("--error-rate", type=float, default=float(env("SANDBOX_ERROR_RATE", "0")))
    serve.add_argument(
        "--error-statuses",
        default=env("SANDBOX_ERROR_STATUSES", "500,502,503"),
        help="comma-separated statuses drawn for injected failures",
    )
    serve.add_argument("--latency-ms", type=int, default=int(env("SANDBOX_LATENCY_MS", "0")))
    serve.add_argument("--drop-rate", type=float, default=float(env("SANDBOX_DROP_RATE", "0")))
    serve.add_argument(
        "--drop-mode", choices=["reset", "timeout"], default=env("SANDBOX_DROP_MODE", "reset")
    )
    serve.add_argument(
        "--drop-hold-seconds", type=float, default=float(env("SANDBOX_DROP_HOLD_SECONDS", "30"))
    )
    serve.add_argument(
        "--seed", type=int, default=int(env("SANDBOX_SEED")) if env("SANDBOX_SEED") else None
    )
    serve.add_argument(
        "--control-token",
        default=env("SANDBOX_CONTROL_TOKEN", ""),
        help="token the /_sandbox/ control calls must carry (default: a new one, printed)",
    )
    for command in (serve, commands.add_parser("reset", help="wipe and reseed the database")):
        command.add_argument(
            "--db", default="", help="SQLite file (default var/exact_sandbox.sqlite3)"
        )
    return parser


def main(argv: list[str] | None = None) -> None:
    args = _parser().parse_args(argv)
    if args.db:
        os.environ["SANDBOX_DATABASE_URL"] = f"sqlite:///{Path(args.db).resolve()}"
    os.environ["DJANGO_SETTINGS_MODULE"] = "exact_sandbox.settings"

    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    from exact_sandbox.control import sandbox_reset
    from exact_sandbox.models import SandboxUser

    Path(settings.DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    call_command("migrate", verbosity=0, interactive=False)
    if args.command == "reset":
        sandbox_reset()
        print("Exact Online sandbox reset and reseeded.")
        return

    from exact_sandbox.runtime import Faults, Limits, runtime
    from exact_sandbox.server import sandbox_serve

    if args.reset or not SandboxUser.objects.exists():
        sandbox_reset()
    runtime.control_token = args.control_token or secrets.token_urlsafe(24)
    print(f"Control token (X-Sandbox-Token for /_sandbox/): {runtime.control_token}", flush=True)
    runtime.configure_start(
        limits=Limits(
            minutely=args.minutely,
            daily=args.daily,
            errors_per_hour=args.errors_per_hour,
            minute_seconds=args.minute_seconds,
            day_seconds=args.day_seconds,
        ),
        faults=Faults(
            error_rate=args.error_rate,
            error_statuses=[int(s) for s in args.error_statuses.split(",") if s.strip()],
            latency_ms=args.latency_ms,
            drop_after_commit_rate=args.drop_rate,
            drop_mode=args.drop_mode,
            drop_hold_seconds=args.drop_hold_seconds,
            seed=args.seed,
        ),
    )
    sandbox_serve(
        host=args.host,
        port=args.port,
        quiet=args.quiet,
        tls_cert=args.tls_cert,
        tls_key=args.tls_key,
    )


if __name__ == "__main__":
    sys.exit(main())
