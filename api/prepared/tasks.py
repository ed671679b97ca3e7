"""Prepared documents and imports as tasks of the procrastinate engine: with `job_engine =
"procrastinate"` the web process only enqueues them, and a `python -m api.worker` process renders
or parses. A task that runs again because its worker died takes its row up again (`retake`); when
the workers' sweep stops retrying it, `GIVE_UP` fails the row with a message, so no row stays
"running" forever.
"""

from __future__ import annotations

from typing import Any

from api.jobs.procrastinate_runner import GIVE_UP, NAMESPACE, QUEUE, WorkerContext, tasks, worker_context
from api.logs import job_context
from api.prepared import state
from api.prepared.documents import prepare
from api.prepared.imports import run_import
from api.prepared.rows import ImportRow, PreparedDocumentRow
from api.security import default_key_file, link_key

PREPARE_TASK = f"{NAMESPACE}:prepare_document"
IMPORT_TASK = f"{NAMESPACE}:import_upload"
TASKS = {"document": PREPARE_TASK, "import": IMPORT_TASK}


def _secret(ctx: WorkerContext) -> str:
    settings = ctx.settings
    return link_key(ctx.db, settings.secret_key, settings.secret_key_file or default_key_file(settings.database_url))


@tasks.task(name="prepare_document", queue=QUEUE)
def prepare_document(item_id: str) -> None:
    """Render one prepared document (a `PreparedDocumentRow` id) and store its bytes."""
    ctx = worker_context()
    with job_context(item_id):
        prepare(ctx.db, item_id, _secret(ctx), ctx.owner, retake=True)


@tasks.task(name="import_upload", queue=QUEUE)
def import_upload(item_id: str) -> None:
    """Parse one stored upload (an `ImportRow` id): the event, or its problems."""
    ctx = worker_context()
    with job_context(item_id):
        run_import(ctx.db, item_id, _secret(ctx), ctx.settings.upload_limits(), ctx.owner, retake=True)


def _give_up(model: state.Row) -> Any:
    def settle(ctx: WorkerContext, kwargs: dict[str, Any], attempts: int) -> None:
        state.give_up(ctx.db, model, str(kwargs.get("item_id")), attempts)

    return settle


GIVE_UP[PREPARE_TASK] = _give_up(PreparedDocumentRow)
GIVE_UP[IMPORT_TASK] = _give_up(ImportRow)
