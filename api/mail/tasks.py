"""E-mail batches as tasks of the procrastinate job engine: with `job_engine = "procrastinate"` the
web process only enqueues a batch, and a `python -m api.worker` process sends it. The batch
function is resumable and idempotent, so a task that runs twice (its worker died) sends nothing twice.
"""

from __future__ import annotations

from api.jobs.procrastinate_runner import NAMESPACE, QUEUE, tasks, worker_context
from api.logs import job_context
from api.mail.batches import run_mail_batch
from api.security import default_key_file, link_key

MAIL_TASK = f"{NAMESPACE}:mail"


@tasks.task(name="mail", queue=QUEUE)
def send_mail_batch(batch_id: str) -> None:
    """Send one batch (a `MailBatchRow` id): every recipient not yet sent."""
    ctx = worker_context()
    settings = ctx.settings
    secret = link_key(ctx.db, settings.secret_key, settings.secret_key_file or default_key_file(settings.database_url))
    with job_context(batch_id):
        run_mail_batch(ctx.db, batch_id, settings=settings, secret=secret)
