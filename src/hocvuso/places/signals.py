"""Signals other apps listen to when the village map is rearranged.

They are sent inside the transaction of the change, so a receiver that re-points its own records
(households, teams, role scopes, rollups) commits or rolls back together with the change itself.
`places` imports none of those apps: they connect their receivers in their own AppConfig.ready().
"""

from django.dispatch import Signal

# Sent with source=<Area, now inactive> and target=<Area that absorbed it>, of one commune.
village_merged = Signal()

# Sent with village=<Area>, old_commune=<Area> and new_commune=<Area>; the code is unchanged.
village_moved = Signal()
