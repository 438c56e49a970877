"""Site-wide upkeep run by the task queue."""

from importlib import import_module

from django.conf import settings
from huey import crontab
from huey.contrib.djhuey import db_periodic_task


@db_periodic_task(crontab(hour="3", minute="17"))
def clear_expired_sessions() -> None:
    """Delete the sessions that have expired, every night.

    Sessions are kept in the database (behind Redis in production), and nothing else removes the
    expired ones: on the day the whole country signs in, the table would otherwise only grow.
    """
    import_module(settings.SESSION_ENGINE).SessionStore.clear_expired()
