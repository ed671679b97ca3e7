"""Service settings, read from the environment (prefix ``MATCHDAY_``) or a ``.env`` file."""

from __future__ import annotations

from contextvars import ContextVar
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from scheduler.io.limits import Limits


class Settings(BaseSettings):
    """Everything the service can be told from outside; the defaults suit one organiser's laptop."""

    model_config = SettingsConfigDict(env_prefix="MATCHDAY_", env_file=".env", extra="ignore")

    database_url: str = Field(
        "sqlite:///matchday.db",
        description="Any SQLAlchemy URL; the default is a SQLite file in the working directory. "
        "PostgreSQL: postgresql+psycopg://user:password@host/database (needs psycopg 3).",
    )
    secret_key: str | None = Field(
        None,
        description="Server secret that participant links are derived from (HMAC). When unset, "
        "one is generated on first start and kept in a key file outside the database (secret_key_file), "
        "so links survive restarts. "
        "Every link is derived from it: setting or changing it replaces every participant's link.",
    )
    public_base_url: str | None = Field(
        None,
        description="Base URL used in participant links (e.g. https://matchday.example.org); required for a "
        "server that others reach. When unset, links use the request's address, and only requests to this "
        "machine's own names (localhost, 127.0.0.1, ::1) or to allowed_hosts are answered (400 otherwise), "
        "so that a forged Host header cannot make the links point elsewhere.",
    )
    host: str = "127.0.0.1"
    port: int = 8000
    default_time_limit: float = Field(30.0, gt=0, description="Seconds per solve when the request gives none.")
    max_time_limit: float = Field(3600.0, gt=0, description="Longest solve a request may ask for.")
    max_concurrent_jobs: int = Field(1, ge=1, description="Solves running at once (one worker process each).")
    solver_workers: int = Field(0, ge=0, description="CP-SAT workers per solve; 0 means every core.")
    pdf_processes: int = Field(
        2,
        ge=0,
        le=16,
        description="Processes that render agenda PDFs beside the web process (0: in its own threads); a "
        "person's agenda PDF is then kept until the next publish or change.",
    )
    solver_nice: int = Field(
        10,
        ge=0,
        le=19,
        description="Niceness added to each solve's process: pages, PDFs and API answers get the CPU before "
        "a solve does (the solve loses only what they use); 0 treats them alike.",
    )
    cancel_grace_seconds: float = Field(
        5.0,
        gt=0,
        description="How long a cancelled solve may take to stop by itself before it is terminated.",
    )
    job_stale_seconds: float = Field(
        30.0,
        ge=1.0,
        description="A running solve whose server has not renewed its heartbeat for this long is marked "
        "failed (its server stopped); web processes sharing a database leave each other's live solves alone.",
    )
    max_upload_bytes: int = Field(10_000_000, gt=0, description="Largest accepted file per upload field.")
    max_request_bytes: int | None = Field(
        None,
        gt=0,
        description="Largest request body of any kind (413 above it, before anything is parsed); by default "
        "8 × max_upload_bytes (at least 1 MB): three files, and the new-event page's kept files beside them.",
    )
    progress_interval: float = Field(0.5, gt=0, description="Seconds between progress writes of a running solve.")
    # E-mail to participants (api/mail): off until smtp_host and mail_from are set.
    smtp_host: str | None = Field(None, description="SMTP server that sends participants' e-mail; unset: no e-mail.")
    smtp_port: int | None = Field(
        None, ge=1, le=65535, description="SMTP port; by default 25 (none), 587 (starttls) or 465 (tls)."
    )
    smtp_security: Literal["none", "starttls", "tls"] = Field(
        "starttls", description="none: plain SMTP; starttls: upgrade the connection; tls: TLS from the start."
    )
    smtp_user: str | None = Field(None, description="SMTP login, when the server asks for one.")
    smtp_password: str | None = Field(None, description="SMTP password of smtp_user.")
    smtp_timeout: float = Field(30.0, gt=0, description="Seconds to wait for the SMTP server before giving up.")
    mail_from: str | None = Field(
        None, description="Sender of participants' e-mail, e.g. 'Matchday team <agenda@example.org>'."
    )
    mail_reply_to: str | None = Field(
        None,
        description="Where participants' replies go when the event names no contact_email (the organiser's address).",
    )
    mail_attempts: int = Field(3, ge=1, le=10, description="Tries per recipient on temporary failures (4xx replies).")
    mail_retry_seconds: float = Field(
        2.0, ge=0, le=60, description="Wait before the second try; doubled before each further one."
    )
    # --- job engine (api/jobs/) ---
    job_engine: Literal["embedded", "procrastinate"] = Field(
        "embedded",
        description="embedded: each web process runs solves in child processes of its own (SQLite or "
        "PostgreSQL, one command). procrastinate: web processes only enqueue; solves run on any number of "
        "`python -m api.worker` processes (needs a PostgreSQL database_url).",
    )
    job_max_attempts: int = Field(
        2,
        ge=1,
        description="procrastinate: how many times a solve is taken up when the worker running it dies "
        "(killed, machine lost); after that it fails with a message saying so.",
    )
    solve_overrun_seconds: float = Field(
        60.0,
        gt=0,
        description="A solve's process is killed from outside once it runs this much longer than its time "
        "limit (loading and storing included), whatever the solver does.",
    )
    worker_heartbeat_seconds: float = Field(
        5.0, gt=0, description="procrastinate: how often a worker tells the database it is alive."
    )
    worker_stalled_seconds: float = Field(
        30.0,
        gt=0,
        description="procrastinate: a worker silent this long counts as dead, and the solve it ran is taken "
        "up by another worker; keep it several heartbeats long.",
    )

    @model_validator(mode="after")
    def _engine_fits_database(self) -> Settings:
        if self.job_engine == "procrastinate" and not self.database_url.startswith("postgresql"):
            raise ValueError(
                "job_engine 'procrastinate' needs a PostgreSQL database_url "
                "(postgresql+psycopg://user:password@host/database); use job_engine 'embedded' with SQLite"
            )
        if self.worker_stalled_seconds < 2 * self.worker_heartbeat_seconds:
            raise ValueError(
                "worker_stalled_seconds must be at least twice worker_heartbeat_seconds, or live workers "
                "would be taken for dead"
            )
        return self

    # --- end of the job engine's settings ---

    # --- Hardening and operations (issue 12: limits, headers, links, health, logs, metrics) ---
    secret_key_file: Path | None = Field(
        None,
        description="Where the participant-link key is kept when secret_key is unset (never in the database): "
        "by default beside a SQLite database (matchday.db.key), else matchday-secret.key in the working "
        "directory. Created on first start, readable by its owner only; every server of one database needs "
        "the same key (the file copied, or secret_key set).",
    )
    allowed_hosts: list[str] = Field(
        default_factory=list,
        description="Host names answered besides localhost when public_base_url is unset (a JSON list, "
        'e.g. ["matchday.lan"]); links then use whichever of them a request names.',
    )
    log_format: Literal["text", "json"] = Field(
        "text",
        description='"json": one JSON object a line on stderr (time, level, logger, message, request_id, job_id, '
        "method, path, status, duration_ms), every logger's lines included; \"text\": uvicorn's usual lines.",
    )
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = Field("INFO", description="Lowest level logged (json).")
    # Upload limits: checked from event.toml's numbers and the files' row counts before anything is
    # built; the defaults lie well above the largest real event (~2,300 people, ~100,000 wishes,
    # 4 days of 40 slots, a few hundred tables).
    max_event_days: int = Field(31, ge=1, description="Most [[days]] an event may have.")
    max_slots_per_day: int = Field(288, ge=1, description="Most slots in one day (288: every 5 minutes, all day).")
    max_event_slots: int = Field(2_000, ge=1, description="Most slots over all the event's days.")
    min_slot_minutes: int = Field(5, ge=1, le=1440, description="Shortest slot_minutes accepted.")
    max_tables: int = Field(500, ge=1, le=10_000, description="Most shared tables (tables, table_labels).")
    max_participants: int = Field(10_000, ge=1, description="Most data rows of a participants file.")
    max_wishes: int = Field(300_000, ge=1, description="Most data rows of a wishes file.")
    max_label_chars: int = Field(2_000, ge=1, description="Longest event name or table label, in characters.")
    max_cell_chars: int = Field(2_000, ge=1, description="Longest cell of a participants or wishes file.")

    def upload_limits(self) -> Limits:
        """The library's `Limits` for what this service accepts."""
        return Limits(
            max_days=self.max_event_days,
            max_slots_per_day=self.max_slots_per_day,
            max_slots=self.max_event_slots,
            min_slot_minutes=self.min_slot_minutes,
            max_tables=self.max_tables,
            max_participants=self.max_participants,
            max_wishes=self.max_wishes,
            max_label_chars=self.max_label_chars,
            max_cell_chars=self.max_cell_chars,
        )

    # --- Long work away from the request (api/prepared/: all-agendas PDF and ZIP, big uploads) ---
    upload_inline_bytes: int = Field(
        262_144,
        ge=0,
        description="An upload whose three files together are larger is stored as it came and parsed and "
        "checked in the background (202 with an import to follow, GET /api/events/imports/{id}), not in its "
        "request; so are new participants/wishes files of an existing event (PUT /api/events/{id}/files, "
        "the organiser's files page; counted with the event's other files); 0: every upload.",
    )
    background_processes: int = Field(
        1,
        ge=0,
        le=8,
        description="embedded engine: processes beside the web process that render everyone's agendas (PDF, ZIP) "
        "and parse big uploads, one piece of work each at a time (0: a thread of the web process). With the "
        "procrastinate engine the workers do this work.",
    )
    document_wait_seconds: float = Field(
        5.0,
        ge=0,
        le=60,
        description="How long GET …/agendas.pdf, …/agendas.zip and …/diff/agendas.pdf wait for a document being "
        "prepared before answering 202 with where to follow it (a small event's answer is then the file itself).",
    )


@lru_cache
def get_settings() -> Settings:
    """The process-wide settings (overridden in tests through ``create_app(settings)``)."""
    return Settings()


# The limits of the app serving the current request (set by `api.app` for each request): service
# functions that load new files read them here, so every route that uploads or edits is bounded.
REQUEST_LIMITS: ContextVar[Limits | None] = ContextVar("matchday_upload_limits", default=None)


def current_limits() -> Limits:
    """What an upload or a change may ask for: the serving app's limits, else the process settings'
    (a worker process, a script)."""
    return REQUEST_LIMITS.get() or get_settings().upload_limits()
