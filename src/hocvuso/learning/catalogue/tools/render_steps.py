"""Draw the step pictures of the starter catalogue: a simple phone screen with the thing to tap marked.

Run from the repository root after changing `screens.json` (one entry per picture a course names):

    .venv/bin/python src/hocvuso/learning/catalogue/tools/render_steps.py

The pictures are illustrations, not screenshots: real apps change their screens from version to
version, so each picture shows only the words a learner looks for and where to tap.
"""

import json
import sys
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

HERE = Path(__file__).resolve().parent
CATALOGUE = HERE.parent
WIDTH, HEIGHT = 360, 640
FONT_DIRS = (Path("/usr/share/fonts/truetype/dejavu"), Path("/usr/share/fonts/truetype/noto"))

INK = (31, 41, 55)
MUTED = (107, 114, 128)
LINE = (209, 213, 219)
PAPER = (255, 255, 255)
SCREEN = (243, 244, 246)
BODY = (17, 24, 39)
BRAND = (11, 92, 173)
TAP = (234, 88, 12)
TAP_SOFT = (255, 237, 213)


def font(bold: bool, size: int) -> ImageFont.FreeTypeFont:
    names = (
        ("DejaVuSans-Bold.ttf", "NotoSans-Bold.ttf")
        if bold
        else ("DejaVuSans.ttf", "NotoSans-Regular.ttf")
    )
    for directory in FONT_DIRS:
        for name in names:
            if (directory / name).exists():
                return ImageFont.truetype(str(directory / name), size)
    sys.exit("Cần phông chữ DejaVu Sans hoặc Noto Sans có dấu tiếng Việt.")


REGULAR, BOLD, SMALL, BIG = font(False, 17), font(True, 18), font(False, 13), font(True, 22)


def printable(text: str) -> str:
    """Drop pictographs the fonts lack (emoji), so no empty boxes appear."""
    return "".join(ch for ch in text if ord(ch) < 0x1F000 and ch != "\ufe0f").strip()


def wrap(draw: ImageDraw.ImageDraw, text: str, face, width: int) -> list[str]:
    lines: list[str] = []
    line = ""
    for word in text.split():
        candidate = f"{line} {word}".strip()
        if draw.textlength(candidate, font=face) <= width or not line:
            line = candidate
        else:
            lines.append(line)
            line = word
    if line:
        lines.append(line)
    return lines


def render(spec: dict) -> Image.Image:
    image = Image.new("RGB", (WIDTH, HEIGHT), BODY)
    draw = ImageDraw.Draw(image)
    left, top, right, bottom = 12, 14, WIDTH - 12, HEIGHT - 14
    draw.rounded_rectangle((left, top, right, bottom), radius=22, fill=SCREEN)
    draw.text((left + 20, top + 8), "9:41", font=SMALL, fill=INK)
    draw.text((right - 60, top + 8), "4G ▮▮▮", font=SMALL, fill=INK)

    draw.rectangle((left, top + 30, right, top + 84), fill=BRAND)
    draw.text((left + 18, top + 44), printable(spec["app"]), font=BIG, fill=PAPER)

    y = top + 104
    badge = (left + 16, y, left + 52, y + 36)
    draw.ellipse(badge, fill=TAP)
    number = str(spec["step"])
    draw.text(
        ((badge[0] + badge[2]) / 2, (badge[1] + badge[3]) / 2),
        number,
        font=BOLD,
        fill=PAPER,
        anchor="mm",
    )
    for index, line in enumerate(wrap(draw, printable(spec["title"]), BOLD, right - left - 90)[:2]):
        draw.text((left + 64, y + 8 + index * 24), line, font=BOLD, fill=INK)
    y += 72

    tap = printable(spec["tap"])
    tapped_row = False
    inner = right - left - 32
    for raw in spec["rows"]:
        is_field = raw.startswith("[ ] ")
        text = printable(raw[4:] if is_field else raw)
        lines = wrap(draw, text, REGULAR, inner - 28)[:3]
        height = 22 * len(lines) + 24
        box = (left + 16, y, right - 16, y + height)
        highlighted = text == tap
        tapped_row = tapped_row or highlighted
        if highlighted:
            draw.rounded_rectangle(box, radius=10, fill=TAP_SOFT, outline=TAP, width=4)
        elif is_field:
            draw.rounded_rectangle(box, radius=8, fill=PAPER, outline=MUTED, width=2)
        else:
            draw.rounded_rectangle(box, radius=10, fill=PAPER, outline=LINE, width=1)
        for index, line in enumerate(lines):
            draw.text(
                (box[0] + 14, y + 12 + index * 22),
                line,
                font=REGULAR,
                fill=INK if not is_field else MUTED,
            )
        if highlighted:
            pointer(draw, box[2] - 30, y + height // 2)
        y += height + 12

    if not tapped_row:
        lines = wrap(draw, tap, BOLD, inner - 24)[:2]
        height = 26 * len(lines) + 26
        box = (left + 28, bottom - 96 - height, right - 28, bottom - 96)
        draw.rounded_rectangle(box, radius=14, fill=TAP)
        for index, line in enumerate(lines):
            draw.text(
                ((box[0] + box[2]) / 2, box[1] + 26 + index * 26),
                line,
                font=BOLD,
                fill=PAPER,
                anchor="mm",
            )
        pointer(draw, box[2] - 26, box[3] - 6)
    draw.text(
        ((left + right) / 2, bottom - 40),
        "Chạm vào chỗ tô màu cam",
        font=SMALL,
        fill=MUTED,
        anchor="mm",
    )
    return image


def pointer(draw: ImageDraw.ImageDraw, x: int, y: int) -> None:
    """Two rings where the finger goes."""
    draw.ellipse((x - 18, y - 18, x + 18, y + 18), outline=INK, width=3)
    draw.ellipse((x - 8, y - 8, x + 8, y + 8), fill=PAPER, outline=INK, width=2)


def main() -> None:
    screens = json.loads((HERE / "screens.json").read_text(encoding="utf-8"))
    for name, spec in screens.items():
        target = CATALOGUE / name
        target.parent.mkdir(parents=True, exist_ok=True)
        picture = render(spec).quantize(colors=16, method=Image.Quantize.MEDIANCUT)
        picture.save(target, optimize=True)
    total = sum(path.stat().st_size for path in (CATALOGUE / "media").glob("*.png"))
    print(f"{len(screens)} hình, tổng {total / 1024:.0f} KB")


if __name__ == "__main__":
    main()
