"""Keep households and residents in living villages when the village map is rearranged."""

from django.dispatch import receiver

from hocvuso.people.models import Household, Resident
from hocvuso.places.signals import village_merged


@receiver(village_merged, dispatch_uid="people.follow_village_merge")
def follow_village_merge(sender, *, source, target, **kwargs) -> None:
    """The households and residents of the merged village move to the village that absorbed it."""
    Household.objects.filter(village=source).update(village=target)
    Resident.objects.filter(village=source).update(village=target)
