"""Background work of monitoring: reports, and the yearly rebuild when adults turn 15."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from hocvuso.monitoring.models import Report
from hocvuso.monitoring.services import reports
from hocvuso.monitoring.services.rebuild import rebuild_counters


@db_task()
def generate_report(report_id: int) -> None:
    """Make the Excel and PDF files of a requested report."""
    report = Report.objects.select_related("area").filter(pk=report_id).first()
    if report is not None:
        reports.generate(report)


@db_periodic_task(crontab(minute="*"))
def requeue_stale_reports() -> None:
    """Every minute: a report whose worker was killed (it would show "being made" for ever) is
    queued again, or after a few attempts marked failed so that its owner can ask again."""
    reports.recover_stale_reports()


@db_periodic_task(crontab(month="1", day="1", hour="0", minute="30"))
def yearly_rebuild() -> None:
    """On 1 January those born 15 years before become adults: recompute the counters."""
    rebuild_counters()
