"""Signals skills sends for the apps above it (monitoring counts confirmations by group and area).

Both are sent inside the transaction that makes the change, so a receiver that writes its own rows
commits or rolls back with it.
"""

from django.dispatch import Signal

# A person was confirmed at the basic level. Arguments: confirmation (skills.Confirmation),
# area (places.Area, the person's village or home area; may be None), target_group (str).
person_confirmed = Signal()

# A certificate was revoked, which withdraws its confirmation from the counts. Same arguments as
# person_confirmed, plus reason (str).
confirmation_revoked = Signal()
