"""Signals for writes that Django's model signals do not see (rows inserted in bulk).

Sent inside the writing transaction, so a receiver that keeps derived figures (monitoring's
counters) commits or rolls back with the write itself. `field` imports none of the receivers.
"""

from django.dispatch import Signal

# Sent with attendances=[Attendance, …] just inserted in bulk (post_save is not sent for them).
attendances_marked = Signal()
