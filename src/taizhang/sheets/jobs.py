"""The import as a job of the queue (core/workers.py): confirmed on the web, run by `taizhang worker`."""

from django_tasks import task


@task()
def import_job(job_pk: int, user_pk: int) -> None:
    from taizhang.sheets import actions

    actions.run_queued(job_pk, user_pk)
