"""Keep roles and homes pointing at living villages, and remembered grants current."""

from django.db.models import F
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from hocvuso.accounts.models import RoleAssignment, User
from hocvuso.places.signals import village_merged, village_moved


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


def bump_roles_version(user_ids) -> None:
    """Make the grants remembered in these users' sessions be read again on their next request."""
    User.objects.filter(pk__in=user_ids).update(roles_version=F("roles_version") + 1)


@receiver(post_save, sender=RoleAssignment, dispatch_uid="accounts.role_saved")
@receiver(post_delete, sender=RoleAssignment, dispatch_uid="accounts.role_deleted")
def role_changed(sender, instance: RoleAssignment, **kwargs) -> None:
    bump_roles_version([instance.user_id])


@receiver(village_moved, dispatch_uid="accounts.follow_village_move")
def follow_village_move(sender, *, village, **kwargs) -> None:
    """A moved village has a new path: grants remembered with the old one are read again."""
    bump_roles_version(RoleAssignment.objects.filter(area=village).values("user_id"))
