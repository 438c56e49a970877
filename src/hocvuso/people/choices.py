"""Vocabularies about people that learning, skills, field and monitoring share."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class TargetGroup(models.TextChoices):
    """The four target groups of Decision 757/QĐ-BKHCN."""

    OFFICIALS = "officials", _("Cán bộ, công chức, viên chức, người lao động cơ quan nhà nước")
    STUDENTS = "students", _("Học sinh, sinh viên")
    WORKERS = "workers", _("Người lao động trong doanh nghiệp")
    CITIZENS = "citizens", _("Người dân")
