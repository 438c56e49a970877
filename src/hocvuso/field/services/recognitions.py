"""Recognitions: "Gia đình số" households and "Chợ số" traders, granted and revoked automatically.

A commune writes its criteria in a small vocabulary of milestone codes (people.choices.Milestone):

    Gia đình số: {"every_adult": ["vneid_level2"], "at_least_one": ["pays_cashless"]}
    Chợ số:      {"all_of": ["sells_online", "takes_qr_payment"]}

"every_adult" and "every_member" need each (adult) member to have reached every listed milestone;
"at_least_one" needs one member to have reached them all. A trader meets "all_of" with every listed
milestone and "any_of" with one of them.
"""

from collections import defaultdict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from hocvuso.field.models import Recognition, RecognitionRule
from hocvuso.people.choices import Milestone
from hocvuso.people.models import Household, MilestoneEvent, Resident
from hocvuso.places.models import Area

# Adults for "every_adult"; a member whose year of birth is unknown counts as an adult, so that a
# household is not recognised on missing data.
ADULT_AGE = 18

CRITERIA_KEYS: dict[str, tuple[str, ...]] = {
    RecognitionRule.Kind.DIGITAL_FAMILY: ("every_adult", "every_member", "at_least_one"),
    RecognitionRule.Kind.DIGITAL_MARKET: ("all_of", "any_of"),
}


def validate_criteria(*, kind: str, criteria: object) -> dict[str, list[str]]:
    """The criteria, checked against the vocabulary of `kind` and put in a stable order."""
    allowed = CRITERIA_KEYS.get(kind)
    if allowed is None:
        raise ValidationError(_("Danh hiệu không hợp lệ."))
    if not isinstance(criteria, dict) or not criteria:
        raise ValidationError(_("Cần ít nhất một tiêu chí."))
    known = set(Milestone.values)
    cleaned: dict[str, list[str]] = {}
    for key, codes in criteria.items():
        if key not in allowed:
            raise ValidationError(
                _("Tiêu chí “%(key)s” không dùng được cho danh hiệu này.") % {"key": key}
            )
        if not isinstance(codes, list) or not codes:
            raise ValidationError(_("Tiêu chí “%(key)s” cần ít nhất một mốc.") % {"key": key})
        unknown = [code for code in codes if code not in known]
        if unknown:
            raise ValidationError(
                _("Mốc không có trong danh mục: %(codes)s.")
                % {"codes": ", ".join(map(str, unknown))}
            )
        cleaned[key] = sorted(set(codes))
    return {key: cleaned[key] for key in allowed if key in cleaned}


def household_meets(
    criteria: dict[str, list[str]], members: list[tuple[int | None, set[str]]], *, year: int
) -> bool:
    """True when the members, as (year of birth, milestones reached), meet the criteria."""
    if not members:
        return False
    adults = [reached for born, reached in members if born is None or year - born >= ADULT_AGE]
    if "every_adult" in criteria:
        needed = set(criteria["every_adult"])
        if not adults or any(not needed <= reached for reached in adults):
            return False
    if "every_member" in criteria:
        needed = set(criteria["every_member"])
        if any(not needed <= reached for _born, reached in members):
            return False
    if "at_least_one" in criteria:
        needed = set(criteria["at_least_one"])
        if not any(needed <= reached for _born, reached in members):
            return False
    return True


def trader_meets(criteria: dict[str, list[str]], reached: set[str]) -> bool:
    if "all_of" in criteria and not set(criteria["all_of"]) <= reached:
        return False
    return "any_of" not in criteria or bool(set(criteria["any_of"]) & reached)


def _reached_by(milestones) -> dict[int, set[str]]:
    reached: dict[int, set[str]] = defaultdict(set)
    for resident_id, milestone in milestones.values_list("resident_id", "milestone"):
        reached[resident_id].add(milestone)
    return reached


class _Ledger:
    """The active recognitions under some rules, granted or revoked in bulk."""

    def __init__(self, rules: list[RecognitionRule], scope: Q):
        self.today = timezone.localdate()
        self.active = {
            (r.rule_id, r.household_id, r.resident_id): r
            for r in Recognition.objects.filter(scope, rule__in=rules, revoked_on__isnull=True)
        }
        self.granted: list[Recognition] = []
        self.revoked: list[Recognition] = []

    def settle(self, rule, *, met: bool, village_id: int, household_id=None, resident_id=None):
        current = self.active.get((rule.pk, household_id, resident_id))
        if met and current is None:
            self.granted.append(
                Recognition(
                    rule=rule,
                    household_id=household_id,
                    resident_id=resident_id,
                    village_id=village_id,
                    recognised_on=self.today,
                )
            )
        elif not met and current is not None:
            current.revoked_on = self.today
            self.revoked.append(current)

    def save(self) -> None:
        if self.revoked:
            Recognition.objects.bulk_update(self.revoked, ["revoked_on"])
        if self.granted:
            Recognition.objects.bulk_create(self.granted)


def _rules_of(commune_id: int | None) -> dict[str, RecognitionRule]:
    if commune_id is None:
        return {}
    return {
        rule.kind: rule
        for rule in RecognitionRule.objects.filter(commune_id=commune_id, is_active=True)
    }


_RESIDENT_FIELDS = ("id", "household_id", "village_id", "year_of_birth")


def _evaluate(
    rules: dict[str, RecognitionRule],
    *,
    households: dict[int, int],
    residents: list[Resident],
    ledger: _Ledger,
    reached: dict[int, set[str]],
) -> None:
    """Settle each household (id → village id) and each resident against the rules."""
    family = rules.get(RecognitionRule.Kind.DIGITAL_FAMILY)
    market = rules.get(RecognitionRule.Kind.DIGITAL_MARKET)
    year = ledger.today.year
    if family is not None:
        members_of: dict[int, list[tuple[int | None, set[str]]]] = defaultdict(list)
        for resident in residents:
            if resident.household_id is not None:
                members_of[resident.household_id].append(
                    (resident.year_of_birth, reached.get(resident.pk, set()))
                )
        for household_id, village_id in households.items():
            met = household_meets(family.criteria, members_of.get(household_id, []), year=year)
            ledger.settle(family, met=met, village_id=village_id, household_id=household_id)
    if market is not None:
        for resident in residents:
            met = trader_meets(market.criteria, reached.get(resident.pk, set()))
            ledger.settle(market, met=met, village_id=resident.village_id, resident_id=resident.pk)


def _evaluate_some(commune_id: int | None, *, households: dict[int, int], lone: list[Resident]):
    """Evaluate a few households (id → village id) and residents without one, of one commune."""
    rules = _rules_of(commune_id)
    if not rules:
        return
    residents = list(lone)
    if households:
        residents += Resident.objects.filter(household_id__in=list(households)).only(
            *_RESIDENT_FIELDS
        )
    resident_ids = [r.pk for r in residents]
    ledger = _Ledger(
        list(rules.values()),
        Q(household_id__in=list(households)) | Q(resident_id__in=resident_ids),
    )
    reached = _reached_by(MilestoneEvent.objects.filter(resident_id__in=resident_ids))
    _evaluate(rules, households=households, residents=residents, ledger=ledger, reached=reached)
    ledger.save()


@transaction.atomic
def evaluate_recognitions(*, household: Household) -> list[Recognition]:
    """Grant or revoke the household's "Gia đình số" and its traders' "Chợ số"; the active ones."""
    village = Area.objects.only("parent_id").get(pk=household.village_id)
    _evaluate_some(village.parent_id, households={household.pk: household.village_id}, lone=[])
    return list(
        Recognition.objects.filter(
            Q(household=household) | Q(resident__household=household), revoked_on__isnull=True
        )
    )


@transaction.atomic
def evaluate_resident_recognitions(*, resident: Resident) -> None:
    """Re-evaluate whatever the resident's milestones count towards: their household, or themselves."""
    village = Area.objects.only("parent_id").get(pk=resident.village_id)
    if resident.household_id is not None:
        households = {resident.household_id: resident.village_id}
        _evaluate_some(village.parent_id, households=households, lone=[])
    else:
        _evaluate_some(village.parent_id, households={}, lone=[resident])


@transaction.atomic
def evaluate_commune_recognitions(*, commune: Area) -> tuple[int, int]:
    """Re-evaluate every household and resident of the commune; (granted, revoked)."""
    switched_off = Recognition.objects.filter(
        rule__commune=commune, rule__is_active=False, revoked_on__isnull=True
    ).update(revoked_on=timezone.localdate())
    rules = _rules_of(commune.pk)
    if not rules:
        return 0, switched_off
    households = dict(
        Household.objects.filter(village__parent=commune).values_list("id", "village_id")
    )
    residents = list(Resident.objects.filter(village__parent=commune).only(*_RESIDENT_FIELDS))
    ledger = _Ledger(list(rules.values()), Q())
    reached = _reached_by(MilestoneEvent.objects.filter(resident__village__parent=commune))
    _evaluate(rules, households=households, residents=residents, ledger=ledger, reached=reached)
    ledger.save()
    return len(ledger.granted), len(ledger.revoked) + switched_off


@transaction.atomic
def set_recognition_rule(
    *, commune: Area, kind: str, criteria: dict, is_active: bool = True, updated_by
) -> RecognitionRule:
    """Set the commune's criteria for a recognition, then re-evaluate the whole commune."""
    if commune.level != Area.Level.COMMUNE:
        raise ValidationError(_("Tiêu chí công nhận do xã, phường đặt."))
    cleaned = validate_criteria(kind=kind, criteria=criteria)
    rule, _created = RecognitionRule.objects.update_or_create(
        commune=commune,
        kind=kind,
        defaults={"criteria": cleaned, "is_active": is_active, "updated_by": updated_by},
    )
    evaluate_commune_recognitions(commune=commune)
    return rule


# Residents whose milestones changed inside `recognitions_deferred()`, evaluated once at its end.
_pending: ContextVar[set[int] | None] = ContextVar("field_pending_recognitions", default=None)


@contextmanager
def recognitions_deferred(*, known: Iterable[Resident] = ()) -> Iterator[None]:
    """Within the block, milestone changes are noted; recognitions are evaluated once at the end.

    `known` are residents the caller already holds with their village loaded, read again otherwise.
    """
    if _pending.get() is not None:
        yield
        return
    token = _pending.set(set())
    try:
        yield
        resident_ids = _pending.get()
    finally:
        _pending.reset(token)
    evaluate_for_residents(resident_ids=resident_ids, known=known)


def evaluate_for_residents(*, resident_ids: Iterable[int], known: Iterable[Resident] = ()) -> None:
    """Re-evaluate the recognitions these residents' milestones count towards, each household once."""
    wanted = set(resident_ids)
    if not wanted:
        return
    residents = {r.pk: r for r in known if r.pk in wanted}
    missing = wanted - residents.keys()
    if missing:
        residents.update(
            (r.pk, r) for r in Resident.objects.filter(pk__in=missing).select_related("village")
        )
    by_commune: dict[int | None, tuple[dict[int, int], list[Resident]]] = defaultdict(
        lambda: ({}, [])
    )
    for resident in residents.values():
        households, lone = by_commune[resident.village.parent_id]
        if resident.household_id is not None:
            households[resident.household_id] = resident.village_id
        else:
            lone.append(resident)
    for commune_id, (households, lone) in by_commune.items():
        _evaluate_some(commune_id, households=households, lone=lone)


def milestones_changed(*, resident_id: int) -> None:
    """A resident's milestones changed: evaluate now, or at the end of a deferring block."""
    pending = _pending.get()
    if pending is not None:
        pending.add(resident_id)
    else:
        evaluate_for_residents(resident_ids=[resident_id])
