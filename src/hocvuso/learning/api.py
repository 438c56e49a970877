"""Public API of the published catalogue."""

from ninja import Router

router = Router(tags=["courses"])
