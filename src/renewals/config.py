"""Settings from RENEWALS_* environment variables, read when asked (never at import time)."""

from datetime import date, time
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Every knob of the service; see the configuration table in README.md."""

    model_config = SettingsConfigDict(env_prefix="RENEWALS_", extra="ignore")

    database_url: str = "sqlite+aiosqlite:///./renewals.db"
    today: date | None = None
    secret_key: str | None = None
    smtp_url: str | None = None
    smtp_from: str = "quotes@renewals.example"
    smtp_timeout_seconds: float = Field(default=10, gt=0)
    public_url: str = "http://127.0.0.1:8000"
    dev_mode: bool = False
    introspection: bool = True
    token_ttl_hours: int = Field(default=12, ge=1)
    max_query_depth: int = Field(default=10, ge=1)
    max_aliases: int = Field(default=30, ge=1)
    max_tokens: int = Field(default=2000, ge=1)
    pool_size: int = Field(default=10, ge=1)
    pool_max_overflow: int = Field(default=10, ge=0)
    pool_timeout_seconds: float = Field(default=30, gt=0)
    worker_interval_seconds: float = Field(default=0.5, gt=0)
    jobs_at: time = time(2, 0)
    jobs_on_start: bool = False
    jobs_check_seconds: float = Field(default=30, gt=0)
    # Writes and jobs (docs/performance.md): automatic quotes per transaction of the R12 job
    # (and outbox jobs per transaction of `jobs run`: both written set-based), outbox jobs per
    # transaction of the worker, and concurrent job claimers (PostgreSQL only; SQLite has one
    # writer, so it always runs one).
    jobs_batch_size: int = Field(default=200, ge=1, le=500)
    worker_batch_size: int = Field(default=20, ge=1, le=500)
    worker_concurrency: int = Field(default=2, ge=1, le=32)
    # SQLite: units of work queued for the one writer connection share one transaction, each in
    # a savepoint, one COMMIT for the group (persistence/writers.py); off: one transaction each.
    sqlite_group_commit: bool = True
    # Customer CSNs (comma-separated) whose charges the simulated gateway declines (README).
    simulated_declines: str = ""
    # Query cost (api/core/cost.py): a maximum per operation and a per-token budget (leaky
    # bucket) of `cost_budget` points refilled at `cost_restore_rate` per second; 0 = no budget.
    max_query_cost: int = Field(default=25_000, ge=1)
    cost_budget: int = Field(default=100_000, ge=0)
    cost_restore_rate: float = Field(default=5_000, gt=0)
    ws_init_timeout_seconds: float = Field(default=10, gt=0)
    # Limits (README.md, "Limits"): generous for the SPA and GraphiQL, small against abuse.
    max_body_bytes: int = Field(default=256 * 1024, ge=1024)
    persisted_max_bytes: int = Field(default=4 * 1024 * 1024, ge=0)
    persisted_max_document_bytes: int = Field(default=64 * 1024, ge=0)
    max_input_items: int = Field(default=500, ge=1)
    max_filter_values: int = Field(default=2000, ge=1)
    ws_max_operations: int = Field(default=100, ge=1)
    ws_max_sockets_per_token: int = Field(default=20, ge=1)
    ws_max_message_bytes: int = Field(default=256 * 1024, ge=1024)
    # Webhooks (docs/webhooks.md): where they may go, how long and how often they are tried.
    webhooks_allow_private: bool = False
    webhooks_max_endpoints: int = Field(default=10, ge=1)
    webhooks_timeout_seconds: float = Field(default=10, gt=0)
    webhooks_lease_seconds: float = Field(default=60, gt=0)
    webhooks_retry_hours: float = Field(default=24, gt=0)
    webhooks_first_retry_seconds: float = Field(default=30, gt=0)
    webhooks_secret_grace_hours: float = Field(default=24, ge=0)
    webhook_expiry_reminder_days: int = Field(default=7, ge=0)
    ws_max_queued_messages: int = Field(default=1000, ge=1)
    # `serve --workers N`: seconds a worker may miss uvicorn's health check before a restart.
    worker_healthcheck_seconds: int = Field(default=30, ge=1)
    log_level: str = "INFO"
    # Compiled execution of queries (api/core/execution.py): on, off, or differential (each
    # compiled query also runs through graphql-core; any difference fails the request, loudly).
    compiled_execution: Literal["on", "off", "differential"] = "on"
    access_log: bool = True
    # Operating it (docs/operating.md): /metrics on or off, an optional bearer token for it, and
    # plain or JSON log lines (JSON adds one line per request). Traces follow OTEL_* variables.
    metrics: bool = True
    metrics_token: str | None = None
    log_format: Literal["text", "json"] = "text"
    metrics_dir: str | None = None

    @property
    def simulated_declined_customers(self) -> list[str]:
        return [csn.strip() for csn in self.simulated_declines.split(",") if csn.strip()]
