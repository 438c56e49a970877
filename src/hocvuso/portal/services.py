"""Writes of the public pages: a commune's news articles."""

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from hocvuso.accounts.authz import Perm, authorize
from hocvuso.accounts.models import User
from hocvuso.places.models import Area
from hocvuso.portal.models import NewsArticle


@transaction.atomic
def create_article(
    *, commune: Area, author: User, title: str, body: str, publish: bool
) -> NewsArticle:
    """Write an article in the commune's news column, published now or kept as a draft."""
    authorize(author, Perm.PUBLISH_NEWS, commune)
    article = NewsArticle(
        commune=commune,
        author=author,
        title=title.strip(),
        body=body,
        published_at=timezone.now() if publish else None,
    )
    article.full_clean()
    article.save()
    return article


@transaction.atomic
def update_article(
    *, article: NewsArticle, editor: User, title: str, body: str, publish: bool
) -> NewsArticle:
    """Change an article; publishing keeps the first publication date, unpublishing clears it."""
    if article.commune.level != Area.Level.COMMUNE:
        raise PermissionDenied
    authorize(editor, Perm.PUBLISH_NEWS, article.commune)
    article.title = title.strip()
    article.body = body
    if publish and article.published_at is None:
        article.published_at = timezone.now()
    elif not publish:
        article.published_at = None
    article.full_clean()
    article.save()
    return article
