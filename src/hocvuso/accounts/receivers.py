"""Keep roles and homes pointing at living villages when the village map is rearranged."""

from django.dispatch import receiver

from hocvuso.accounts.models import RoleAssignment, User
from hocvuso.places.signals import village_merged


@receiver(village_merged, dispatch_uid="accounts.follow_village_merge")
def follow_village_merge(sender, *, source, target, **kwargs) -> None:
    """Roles and homes in the merged village move to the village that absorbed it."""
    already_held = set(RoleAssignment.objects.filter(area=target).values_list("user_id", "role"))
    for assignment in RoleAssignment.objects.filter(area=source):
        if (assignment.user_id, assignment.role) in already_held:
            assignment.delete()
        else:
            assignment.area = target
            assignment.save(update_fields=["area"])
    User.objects.filter(home_area=source).update(home_area=target)
