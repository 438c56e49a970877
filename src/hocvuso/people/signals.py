"""Signals for writes that Django's model signals do not see (rows inserted in bulk).

Sent inside the writing transaction, so a receiver that keeps derived figures (monitoring's
counters) commits or rolls back with the write itself. `people` imports none of the receivers.
"""

from django.dispatch import Signal

# Sent with resident_ids=[…] and household_ids=[…] just written by an import, per chunk.
residents_imported = Signal()
