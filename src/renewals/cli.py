"""The `renewals` command: db upgrade, import, demo, token, serve, jobs run, emails, customers,
export-schema."""

import argparse
import asyncio
import os
import sys
from datetime import timedelta
from pathlib import Path

from renewals.auth import mint_token
from renewals.config import Settings
from renewals.domain.enums import Role
from renewals.persistence.models import EmailStatus

DEV_SECRET_FILE = Path(".renewals-secret")


def dev_secret() -> str:
    """Dev mode's generated secret, kept beside the database so `renewals token` can use it."""
    if DEV_SECRET_FILE.exists():
        return DEV_SECRET_FILE.read_text().strip()
    import secrets

    secret = secrets.token_urlsafe(32)
    DEV_SECRET_FILE.write_text(secret)
    DEV_SECRET_FILE.chmod(0o600)
    return secret


def secret_for(settings: Settings, *, dev: bool) -> str | None:
    if settings.secret_key:
        return settings.secret_key
    if dev or settings.dev_mode or DEV_SECRET_FILE.exists():
        return dev_secret()
    return None


def fail(message: str, code: int = 2) -> int:
    print(f"renewals: {message}", file=sys.stderr)
    return code


def cmd_db_upgrade(settings: Settings, args: argparse.Namespace) -> int:
    from renewals.persistence.migrate import upgrade

    upgrade(settings.database_url, args.revision)
    print(f"database at {args.revision}: {settings.database_url}", file=sys.stderr)
    return 0


def _import(settings: Settings, data: object) -> int:
    from renewals.persistence.db import create_database
    from renewals.services.importer import ImportInvalid, ImportReport, import_document

    async def run() -> ImportReport:
        db = create_database(settings.database_url)
        try:
            return await import_document(db, data)
        finally:
            await db.dispose()

    try:
        report = asyncio.run(run())
    except ImportInvalid as e:
        for p in e.problems:
            print(f"{p.path}: {p.message}", file=sys.stderr)
        return fail(f"{len(e.problems)} problem(s); nothing was imported", 1)
    print(report.summary())
    return 0


def cmd_import(settings: Settings, args: argparse.Namespace) -> int:
    from renewals.persistence.migrate import upgrade
    from renewals.services.importer import ImportInvalid, parse_json

    try:
        data = parse_json(Path(args.file).read_bytes())
    except OSError as e:
        return fail(f"cannot read {args.file}: {e.strerror}", 1)
    except ImportInvalid as e:
        for p in e.problems:
            print(f"{p.path}: {p.message}", file=sys.stderr)
        return fail("the file is not valid JSON; nothing was imported", 1)
    upgrade(settings.database_url)
    return _import(settings, data)


def cmd_demo(settings: Settings, args: argparse.Namespace) -> int:
    from renewals.clock import SystemClock
    from renewals.persistence.migrate import upgrade
    from renewals.services.demo import demo_document

    upgrade(settings.database_url)
    return _import(settings, demo_document(SystemClock(settings.today).today()))


def cmd_token(settings: Settings, args: argparse.Namespace) -> int:
    secret = secret_for(settings, dev=False)
    if secret is None:
        return fail("RENEWALS_SECRET_KEY is not set (or run `renewals serve --dev` once)")
    try:
        token = mint_token(
            secret,
            Role(args.role),
            customer_csn=args.customer,
            partner_csn=args.partner,
            subject=args.subject,
            ttl=timedelta(hours=args.hours or settings.token_ttl_hours),
        )
    except ValueError as e:
        return fail(str(e))
    print(token)
    return 0


def cmd_export_schema(settings: Settings, args: argparse.Namespace) -> int:
    from renewals.api.schema import build_schema

    print(build_schema(settings).as_str())
    return 0


def cmd_jobs_run(settings: Settings, args: argparse.Namespace) -> int:
    from renewals.container import build_container
    from renewals.services.jobs import run_jobs
    from renewals.services.worker import drain

    async def run() -> None:
        container = build_container(
            settings.model_copy(update={"secret_key": secret_for(settings, dev=False)})
        )
        try:
            report = await run_jobs(container)
            done = await drain(container)
            print(f"{report.summary()}; outbox jobs run: {done}")
        finally:
            await container.close()

    try:
        asyncio.run(run())
    except RuntimeError as e:
        return fail(str(e))
    return 0


def cmd_webhooks_deliver(settings: Settings, args: argparse.Namespace) -> int:
    from renewals.services.webhook_cli import deliver

    return deliver(
        settings.model_copy(update={"secret_key": secret_for(settings, dev=False)}), args.loop
    )


def cmd_emails(settings: Settings, args: argparse.Namespace) -> int:
    from renewals.services.outbox_cli import list_emails, requeue_email

    if args.requeue is not None:
        problem = asyncio.run(requeue_email(settings, args.requeue))
        if problem:
            return fail(problem)
        print(f"email #{args.requeue} is PENDING again")
        return 0
    for line in asyncio.run(list_emails(settings, status=args.status, show_body=args.body)):
        print(line)
    return 0


def cmd_customers(settings: Settings, args: argparse.Namespace) -> int:
    from renewals.services.customers_cli import list_customers_without_buyer

    if not args.without_buyer:
        return fail("say which customers: --without-buyer")
    for line in asyncio.run(list_customers_without_buyer(settings)):
        print(line)
    return 0


def served_url(host: str, port: int) -> str:
    """The base URL of `serve --host H --port P`; a wildcard host is reached as localhost."""
    if host in ("0.0.0.0", "::", ""):
        host = "localhost"
    elif ":" in host:
        host = f"[{host}]"  # an IPv6 literal
    return f"http://{host}:{port}"


def cmd_serve(settings: Settings, args: argparse.Namespace) -> int:
    import uvicorn

    from renewals.app import create_app
    from renewals.container import MissingSecret, build_container
    from renewals.persistence.migrate import upgrade

    dev = args.dev or args.demo or settings.dev_mode
    if args.workers > 1 and settings.database_url.startswith("sqlite"):
        return fail(
            "--workers > 1 needs PostgreSQL: on SQLite the in-process event bus cannot cross processes"
        )
    secret = secret_for(settings, dev=dev)
    update: dict[str, object] = {"secret_key": secret, "dev_mode": dev}
    if not os.environ.get("RENEWALS_PUBLIC_URL"):
        # Checkout links point at this server unless the operator says otherwise.
        update["public_url"] = served_url(args.host, args.port)
    if args.demo:
        update["jobs_on_start"] = True  # the demo shows R12 automatic quotes right away
    settings = settings.model_copy(update=update)
    upgrade(settings.database_url)
    if args.demo:
        cmd_demo(settings, args)
    try:
        container = build_container(settings)
    except MissingSecret as e:
        return fail(str(e))
    if dev and not os.environ.get("RENEWALS_SECRET_KEY"):
        print(
            f"dev mode: signing tokens with the generated secret in {DEV_SECRET_FILE}",
            file=sys.stderr,
        )
    if args.demo:
        assert secret is not None  # dev mode always has one
        token = mint_token(secret, Role.BUYER, customer_csn="5100000001")
        print(f"demo buyer token (customer 5100000001):\n{token}", file=sys.stderr)
    base = served_url(args.host, args.port)
    print(
        f"serving GraphQL and GraphiQL on {base}/graphql ({args.workers} worker(s))",
        file=sys.stderr,
    )
    if args.demo:
        print(
            f"the reference SPA, signed in as the demo buyer: {base}/app?token={token}",
            file=sys.stderr,
        )
    json_logs = settings.log_format == "json"
    # JSON: uvicorn's loggers go through ours; our request line replaces its access log.
    log_config = None if json_logs else uvicorn.config.LOGGING_CONFIG
    access_log = settings.access_log and not json_logs
    if args.workers > 1:
        # Each worker process builds its own app from the environment; hand it what we resolved.
        asyncio.run(container.close())
        if settings.metrics:  # the workers' shared metric files, emptied at each start
            from renewals.observability.metrics import prepare_multiprocess_dir

            prepare_multiprocess_dir(metrics_dir(settings, args.port))
        os.environ.update(
            {
                "RENEWALS_SECRET_KEY": secret or "",
                "RENEWALS_DEV_MODE": "1" if dev else "0",
                "RENEWALS_JOBS_ON_START": "1" if settings.jobs_on_start else "0",
                "RENEWALS_PUBLIC_URL": settings.public_url,
            }
        )
        uvicorn.run(
            "renewals.app:app_from_environment",
            factory=True,
            workers=args.workers,
            host=args.host,
            port=args.port,
            log_level="info",
            log_config=log_config,
            access_log=access_log,
            ws_max_size=settings.ws_max_message_bytes,  # refused (1009) before it is buffered
            # uvicorn restarts a worker that misses its health check: 5 s by default, which a
            # loaded machine (or 10,000 sockets connecting at once) misses without being stuck.
            timeout_worker_healthcheck=settings.worker_healthcheck_seconds,
        )
        return 0
    uvicorn.run(
        create_app(container=container),
        host=args.host,
        port=args.port,
        log_level="info",
        log_config=log_config,
        access_log=access_log,
        ws_max_size=settings.ws_max_message_bytes,
    )
    return 0


def metrics_dir(settings: Settings, port: int) -> Path:
    """Where `serve --workers N` keeps the workers' metric files (RENEWALS_METRICS_DIR, else a
    directory per port under the system's temporary directory)."""
    import tempfile

    if settings.metrics_dir:
        return Path(settings.metrics_dir)
    return Path(tempfile.gettempdir()) / f"renewals-metrics-{os.getuid()}-{port}"


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="renewals", description=__doc__)
    sub = p.add_subparsers(dest="command", required=True)
    db = sub.add_parser("db", help="database schema").add_subparsers(
        dest="db_command", required=True
    )
    up = db.add_parser("upgrade", help="create or migrate the database (Alembic)")
    up.add_argument("revision", nargs="?", default="head")
    up.set_defaults(func=cmd_db_upgrade)
    imp = sub.add_parser("import", help="validate and load an import file in one transaction")
    imp.add_argument("file")
    imp.set_defaults(func=cmd_import)
    sub.add_parser("demo", help="load the built-in demo data set").set_defaults(func=cmd_demo)
    tok = sub.add_parser("token", help="print one bearer token")
    tok.add_argument("--role", required=True, choices=[r.value for r in Role])
    tok.add_argument("--customer", help="customer CSN (buyer)")
    tok.add_argument("--partner", help="partner CSN (partner)")
    tok.add_argument("--subject", help="who the token is for (default: derived from role and CSN)")
    tok.add_argument(
        "--hours", type=int, help="lifetime in hours (default RENEWALS_TOKEN_TTL_HOURS)"
    )
    tok.set_defaults(func=cmd_token)
    srv = sub.add_parser("serve", help="serve HTTP + WebSocket on /graphql")
    srv.add_argument("--host", default="127.0.0.1")
    srv.add_argument("--port", type=int, default=8000)
    srv.add_argument("--workers", type=int, default=1)
    srv.add_argument(
        "--dev", action="store_true", help="generate a secret if none is set; field hints"
    )
    srv.add_argument("--demo", action="store_true", help="dev mode plus the demo data set")
    srv.set_defaults(func=cmd_serve)
    jobs = sub.add_parser("jobs", help="scheduled jobs").add_subparsers(
        dest="jobs_command", required=True
    )
    jobs.add_parser("run", help="run every due job once, then exit").set_defaults(func=cmd_jobs_run)
    hooks = sub.add_parser("webhooks", help="signed webhooks").add_subparsers(
        dest="webhooks_command", required=True
    )
    deliver = hooks.add_parser("deliver", help="send the due webhook deliveries, then exit")
    deliver.add_argument("--loop", action="store_true", help="keep sending until stopped")
    deliver.set_defaults(func=cmd_webhooks_deliver)
    em = sub.add_parser("emails", help="list the email outbox, or requeue one email")
    em.add_argument("--status", choices=[s.value for s in EmailStatus])
    em.add_argument(
        "--body", action="store_true", help="include bodies (they contain checkout links)"
    )
    em.add_argument(
        "--requeue",
        type=int,
        metavar="ID",
        help="send email ID again: a SENDING one you checked was not delivered, or a FAILED one",
    )
    em.set_defaults(func=cmd_emails)
    cu = sub.add_parser("customers", help="list customers (CSN and name, one per line)")
    cu.add_argument(
        "--without-buyer",
        action="store_true",
        help="those without a BUYER contact: they get no automatic quote (R12)",
    )
    cu.set_defaults(func=cmd_customers)
    sub.add_parser("export-schema", help="print the SDL").set_defaults(func=cmd_export_schema)
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    from renewals.observability.logs import configure

    # Plain or JSON lines on stderr; alembic's and fontTools' INFO chatter is left out.
    configure(
        os.environ.get("RENEWALS_LOG_LEVEL", "INFO"),
        json=os.environ.get("RENEWALS_LOG_FORMAT", "").lower() == "json",
    )
    try:
        settings = Settings()
    except Exception as e:  # noqa: BLE001 - pydantic's validation error, shown plainly
        return fail(f"bad configuration: {e}")
    return args.func(settings, args)


if __name__ == "__main__":
    sys.exit(main())
