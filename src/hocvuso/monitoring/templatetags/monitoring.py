"""Small server-rendered charts and number formats for the monitoring pages (no JavaScript)."""

from django import template
from django.urls import reverse
from django.utils.html import escape, format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from hocvuso.monitoring.models import PeerGroup
from hocvuso.monitoring.selectors import SMALL_COUNT

register = template.Library()

WIDTH, HEIGHT, PAD = 160, 44, 3


@register.simple_tag
def sparkline(points, target=None, percent=True, label=""):
    """An SVG line of the weekly values, with the target as a dashed line where there is one."""
    values = [float(value) for _week, value in points or []]
    if not values:
        return ""
    top = max([*values, float(target or 0), 1.0])
    if percent:
        top = max(top, 10.0)
    step = (WIDTH - 2 * PAD) / max(len(values) - 1, 1)

    def y(value: float) -> float:
        return round(HEIGHT - PAD - (HEIGHT - 2 * PAD) * value / top, 1)

    line = " ".join(f"{round(PAD + i * step, 1)},{y(v)}" for i, v in enumerate(values))
    target_line = ""
    if target:
        target_line = format_html(
            '<line x1="{}" x2="{}" y1="{}" y2="{}" class="spark-target"/>',
            PAD,
            WIDTH - PAD,
            y(float(target)),
            y(float(target)),
        )
    last = values[-1]
    return format_html(
        '<svg class="spark" viewBox="0 0 {w} {h}" width="{w}" height="{h}" role="img" '
        'aria-label="{label}">{target}<polyline points="{line}" class="spark-line"/>'
        '<circle cx="{cx}" cy="{cy}" r="2.5" class="spark-dot"/></svg>',
        w=WIDTH,
        h=HEIGHT,
        label=label or _("Xu hướng 12 tuần"),
        target=target_line,
        line=line,
        cx=round(PAD + (len(values) - 1) * step, 1),
        cy=y(last),
    )


@register.simple_tag
def bars(rows, width=320):
    """Horizontal bars of (label, percent) pairs, for a quick comparison in print."""
    items = [(label, max(0.0, min(100.0, float(value or 0)))) for label, value in rows]
    return format_html(
        '<svg class="bars" viewBox="0 0 {w} {h}" width="100%" role="img">{bars}</svg>',
        w=width,
        h=18 * len(items),
        bars=format_html_join(
            "",
            '<rect x="0" y="{}" width="{}" height="12" class="bar"/>'
            '<text x="4" y="{}" class="bar-label">{}</text>',
            (
                (18 * i, round(width * v / 100, 1), 18 * i + 10, label)
                for i, (label, v) in enumerate(items)
            ),
        ),
    )


def number(value) -> str:
    """1234567 → "1.234.567", 83.5 → "83,5" (Vietnamese separators)."""
    if value is None:
        return "—"
    if float(value) == int(value):
        return f"{int(value):,}".replace(",", ".")
    return f"{float(value):,.1f}".replace(",", " ").replace(".", ",").replace(" ", ".")


@register.filter
def vn_number(value) -> str:
    return number(value)


@register.filter
def indicator_value(value) -> str:
    """The value of an IndicatorValue as a person reads it: "83,5%" or "1.234", "—" without data."""
    if value.value is None:
        return "—"
    text = number(value.value)
    return f"{text}%" if value.indicator.is_percent else text


@register.filter
def target_text(target) -> str:
    if target is None:
        return ""
    text = number(target.value)
    return f"{text}%" if target.kind == "percent" else text


@register.filter
def peer_label(value: str) -> str:
    return PeerGroup(value).label if value in PeerGroup.values else value


@register.filter
def public_score(row) -> str:
    """A ranking score for the public: a figure resting on fewer than 5 people is not shown."""
    if row.score is None:
        return "—"
    base = row.denominator if row.denominator is not None else row.numerator
    if 0 <= (base or 0) < SMALL_COUNT and (row.denominator is not None or row.numerator > 0):
        return "<5"
    return number(row.score)


# The two long tables (a province's 168 communes, each with its headline figures) are rendered
# here in one pass: as template loops they cost more than the rest of the page together.


def _dashboard_link():
    """code → URL of its dashboard; one reverse() for a whole table (codes are [0-9A-Z])."""
    pattern = reverse("monitoring:dashboard", args=["CODE0"])
    return lambda code: pattern.replace("CODE0", code)


@register.simple_tag
def children_table_rows(children):
    """The rows of a dashboard's table of children: name, headline values, completeness."""
    late = format_html(' <span class="badge badge-late">{}</span>', _("chậm"))
    link = _dashboard_link()
    rows = []
    for row in children:
        # Figures are digits and signs: only the name needs escaping.
        cells = "".join(f"<td>{indicator_value(v)}</td>" for v in row.values.values())
        marked, badge = (' class="laggard"', late) if row.is_laggard else ("", "")
        rows.append(
            f'<tr{marked}><th scope="row"><a href="{link(row.area.code)}">'
            f"{escape(row.area.name)}</a>{badge}</th>{cells}"
            f"<td>{row.completeness[0]}/{row.completeness[1]}</td></tr>"
        )
    return mark_safe("".join(rows))


@register.simple_tag
def ranking_table_rows(rows):
    """The rows of a ranking: rank, child, score, peer group, completeness."""
    if not rows:
        return format_html(
            '<tr><td colspan="5">{}</td></tr>', _("Không có đơn vị nào trong nhóm này.")
        )
    link = _dashboard_link()
    return format_html_join(
        "",
        '<tr><td>{}</td><th scope="row"><a href="{}">{}</a></th><td>{}</td><td>{}</td>'
        "<td>{}/{}</td></tr>",
        (
            (
                row.rank or "—",
                link(row.area.code),
                row.area.name,
                number(row.score),
                peer_label(row.peer_group),
                *row.completeness,
            )
            for row in rows
        ),
    )
