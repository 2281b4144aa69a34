"""The worker class to run: `rq worker -w jobs.worker.PreloadedWorker sync default`."""

from __future__ import annotations

import gc
import importlib
import os

from rq import Worker
from rq.worker import WorkerStatus

from jobs.app import flask_app
from jobs.settings import PREVIEW, SYNC_RUN, WORKER_HEARTBEAT_S
from jobs.sync import is_sync_of_changes

# Syncs are batch work: where a worker shares a machine with the web processes, the pages
# HR admins are waiting for get the CPU first (nice(1) levels, 0 to 19).
WORK_HORSE_NICENESS = 10
# How long the worker's command listener (`rq.command`: stop a job, shut down) waits for a
# message at a time; RQ waits a minute (see `PreloadedWorker.subscribe`).
COMMAND_WAIT_S = 1
# Where every job and failure callback lives (jobs/settings.py, jobs/cron.py).
JOB_MODULES = ("jobs.sync", "jobs.export", "jobs.nightly")


class PreloadedWorker(Worker):
    """Builds the Flask app once, before any job, so every forked work horse inherits it.

    A plain `rq worker` imports and configures Flexsync again in each work horse: about a
    second per job, which made the nightly run of a thousand small tenants mostly start-up.
    Building the app checks the encryption key against the database; that connection is
    closed again here, and every horse drops the connections it inherited
    (`main_work_horse`): a connection shared by forked processes is one socket used by all
    of them (PostgreSQL answers "prepared statement already exists").

    The app's objects then live as long as the worker, so they are moved out of the cycle
    collector's sight: a horse's full collections walked all of them (~150,000) each
    time, 0.5 s of a 10,000-person first sync, and touching them copied the memory the
    horse shares with this process.

    Nothing is left to import inside a job either, job modules included: the job timeout is a
    signal whose exception lands wherever the horse is, and a horse interrupted while
    importing is left with half-imported modules that fail whatever runs next in it, the
    failure callback that closes the run included (docs/reliability.md, "the silent timeout").
    """

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        from portal.extensions import db

        with flask_app().app_context():
            db.engine.dispose()
        for module in JOB_MODULES:
            importlib.import_module(module)
        gc.freeze()

    def subscribe(self) -> None:
        """RQ's, with a listener that waits for commands a second at a time, not a minute.

        A warm shutdown stops the listener and waits for its current wait to end (redis-py's
        `PubSubWorkerThread.stop` joins the thread). The reply to RQ's own UNSUBSCRIBE ends
        that wait, unless the listener read it before it was told to stop: the worker then
        stayed up for a minute after its last job (a deploy's SIGTERM; CI's
        test_worker_faults saw it).
        """
        self.log.info("Worker %s: subscribing to channel %s", self.name, self.pubsub_channel_name)
        self.pubsub = self.connection.pubsub()
        self.pubsub.subscribe(**{self.pubsub_channel_name: self.handle_payload})
        # RQ's __init__ sets it to None without a type, so mypy takes it for always None.
        self.pubsub_thread = self.pubsub.run_in_thread(  # type: ignore[assignment]
            sleep_time=COMMAND_WAIT_S, daemon=True, exception_handler=self._pubsub_exception_handler
        )

    @property
    def dequeue_timeout(self) -> int:
        # An idle worker reports alive each time its wait for a job times out.
        return WORKER_HEARTBEAT_S

    def execute_job(self, job, queue) -> None:  # noqa: ANN001 - RQ's signature
        # A sync of changes lists a few people every quarter of an hour: forking a horse for it,
        # with cold statement caches and a new database connection, cost more than the run
        # (docs/performance.md, "delta_s"). It runs here, as RQ's SimpleWorker runs every job,
        # under the same timeout and failure callback. One widened to a full sync after this
        # choice (`delta_runs.widen`) also finishes here, not niced: rare, and only slower for pages.
        if job.func_name == SYNC_RUN.function and is_sync_of_changes(job):
            execution = self.prepare_execution(job)
            self.perform_job(job, queue, execution)
            self.set_state(WorkerStatus.IDLE)
            return
        super().execute_job(job, queue)

    def main_work_horse(self, job, queue) -> None:  # noqa: ANN001 - RQ's signature
        from portal.extensions import db

        with flask_app().app_context():
            # The worker's own pooled connections stay the worker's (SQLAlchemy's recipe for os.fork).
            db.engine.dispose(close=False)
        # A preview is no batch work: an HR admin waits for it, as for a page.
        if job.func_name != PREVIEW.function:
            os.nice(WORK_HORSE_NICENESS)
        super().main_work_horse(job, queue)
