"""Recognitions follow milestones however they are recorded; teams and sites follow village merges."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from hocvuso.field.models import (
    ContestEntry,
    Event,
    LearningSite,
    Quota,
    Recognition,
    Team,
    Visit,
)
from hocvuso.field.services.recognitions import milestones_changed
from hocvuso.people.models import MilestoneEvent
from hocvuso.places.signals import village_merged


@receiver(post_save, sender=MilestoneEvent, dispatch_uid="field.milestone_saved")
def milestone_saved(sender, instance, raw=False, **kwargs) -> None:
    if not raw:
        milestones_changed(resident_id=instance.resident_id)


@receiver(post_delete, sender=MilestoneEvent, dispatch_uid="field.milestone_deleted")
def milestone_deleted(sender, instance, **kwargs) -> None:
    milestones_changed(resident_id=instance.resident_id)


@receiver(village_merged, dispatch_uid="field.follow_village_merge")
def follow_village_merge(sender, *, source, target, **kwargs) -> None:
    """The merged village's team, visits, sites and events move to the village that absorbed it.

    When both villages had a team, the absorbed team's members, quotas, visits and contest entries
    join the surviving team; a member of both keeps the surviving membership, and a quota for a
    period the surviving team already covers is dropped.
    """
    Visit.objects.filter(area=source).update(area=target)
    LearningSite.objects.filter(area=source).update(area=target)
    Event.objects.filter(area=source).update(area=target)
    Recognition.objects.filter(village=source).update(village=target)
    old_team = Team.objects.filter(village=source).first()
    if old_team is None:
        return
    new_team = Team.objects.filter(village=target).first()
    if new_team is None:
        old_team.village = target
        old_team.save(update_fields=["village"])
        return
    members = set(new_team.memberships.values_list("user_id", flat=True))
    old_team.memberships.filter(user_id__in=members).delete()
    old_team.memberships.update(team=new_team)
    periods = set(new_team.quotas.values_list("period_start", flat=True))
    old_team.quotas.filter(period_start__in=periods).delete()
    Quota.objects.filter(team=old_team).update(team=new_team)
    Visit.objects.filter(team=old_team).update(team=new_team)
    entered = set(new_team.contest_entries.values_list("event_id", flat=True))
    ContestEntry.objects.filter(team=old_team, event_id__in=entered).delete()
    ContestEntry.objects.filter(team=old_team).update(team=new_team)
    old_team.delete()
