"""Draw the exercise pictures: one stick-figure SVG per step, with a caption.

    python -m scripts.draw_exercise_pictures

writes ``data/content/pictures/<exercise>/<n>-<name>.svg``; data/content/exercises.yml
lists each file beside its step. The drawings are plain geometry (joint angles
and lengths), so a pose is easy to adjust; tests/test_exercise_pictures.py
checks that the files on disk are what this script draws.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape

PICTURES_DIR = Path(__file__).resolve().parent.parent / "data" / "content" / "pictures"

WIDTH, HEIGHT = 320, 280
GROUND = 205
INK = "#1f2d3d"
WORKING = "#0b6e72"  # the limb doing the work: the site's teal
FAR = "#8fa1b3"  # the limb on the far side of the body
ARROW = "#d9822b"
PROP_FILL = "#e6ecf0"
PROP_LINE = "#9aa7b4"

TRUNK, NECK, HEAD = 62, 8, 13
UPPER_ARM, FOREARM = 36, 34
THIGH, SHIN, FOOT = 44, 44, 14

Point = tuple[float, float]


def along(start: Point, angle: float, length: float) -> Point:
    """The point ``length`` from ``start`` at ``angle`` degrees from straight down (+ is forward, right)."""
    rad = math.radians(angle)
    return start[0] + length * math.sin(rad), start[1] + length * math.cos(rad)


def reach(shoulder: Point, hand: Point, bend: float = 1.0) -> Point:
    """The elbow for a hand placed at ``hand`` (two-bone reach; straight arm if too far)."""
    dx, dy = hand[0] - shoulder[0], hand[1] - shoulder[1]
    dist = min(math.hypot(dx, dy), UPPER_ARM + FOREARM - 0.01)
    cos_a = (UPPER_ARM**2 + dist**2 - FOREARM**2) / (2 * UPPER_ARM * dist)
    base = math.atan2(dy, dx)
    angle = base + bend * math.acos(max(-1.0, min(1.0, cos_a)))
    return shoulder[0] + UPPER_ARM * math.cos(angle), shoulder[1] + UPPER_ARM * math.sin(angle)


def line(a: Point, b: Point, colour: str = INK, width: float = 6, dash: str = "") -> str:
    dashes = f' stroke-dasharray="{dash}"' if dash else ""
    return (
        f'<line x1="{a[0]:.1f}" y1="{a[1]:.1f}" x2="{b[0]:.1f}" y2="{b[1]:.1f}" '
        f'stroke="{colour}" stroke-width="{width}" stroke-linecap="round"{dashes}/>'
    )


def polyline(points: list[Point], colour: str = INK, width: float = 6, dash: str = "") -> str:
    dashes = f' stroke-dasharray="{dash}"' if dash else ""
    coords = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
    return (
        f'<polyline points="{coords}" fill="none" stroke="{colour}" stroke-width="{width}" '
        f'stroke-linecap="round" stroke-linejoin="round"{dashes}/>'
    )


def text(x: float, y: float, words: str, size: int = 16, weight: str = "normal", colour: str = INK) -> str:
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" font-weight="{weight}" fill="{colour}" '
        f'text-anchor="middle" font-family="system-ui, sans-serif">{escape(words)}</text>'
    )


def arrow(points: list[Point], double: bool = False) -> str:
    """A curved arrow through three points (start, bend, end)."""
    (x0, y0), (x1, y1), (x2, y2) = points
    start = ' marker-start="url(#head)"' if double else ""
    return (
        f'<path d="M{x0:.1f},{y0:.1f} Q{x1:.1f},{y1:.1f} {x2:.1f},{y2:.1f}" fill="none" '
        f'stroke="{ARROW}" stroke-width="3.5"{start} marker-end="url(#head)"/>'
    )


@dataclass(frozen=True)
class Leg:
    thigh: float
    shin: float
    colour: str = INK
    dash: str = ""


@dataclass(frozen=True)
class SidePose:
    """A figure seen from the side, facing right; angles in degrees."""

    hip: Point
    trunk: float = 0.0  # 0 upright, + leaning forward
    near_leg: Leg = Leg(0, 0)
    far_leg: Leg = Leg(0, 0, FAR)
    hands: Point | None = None  # where both hands rest; None: arms hang
    shadow_leg: Leg | None = None  # where the working leg starts (dashed)

    def draw(self) -> str:
        rad = math.radians(self.trunk)
        shoulder = (self.hip[0] + TRUNK * math.sin(rad), self.hip[1] - TRUNK * math.cos(rad))
        head = (
            shoulder[0] + (NECK + HEAD) * math.sin(rad),
            shoulder[1] - (NECK + HEAD) * math.cos(rad),
        )
        parts = [self._leg(self.far_leg)]
        if self.shadow_leg:
            parts.append(self._leg(self.shadow_leg))
        parts += [line(self.hip, shoulder), self._leg(self.near_leg)]
        hand = self.hands or along(along(shoulder, 8, UPPER_ARM), 5, FOREARM)
        elbow = reach(shoulder, hand, bend=-1.0)
        parts.append(polyline([shoulder, elbow, hand]))
        parts.append(
            f'<circle cx="{head[0]:.1f}" cy="{head[1]:.1f}" r="{HEAD}" fill="#fff" stroke="{INK}" '
            'stroke-width="5"/>'
        )
        return "\n".join(parts)

    def _leg(self, leg: Leg) -> str:
        knee = along(self.hip, leg.thigh, THIGH)
        ankle = along(knee, leg.shin, SHIN)
        toe = along(ankle, leg.shin + 90, FOOT)  # the foot is square to the shin
        return polyline([self.hip, knee, ankle, toe], leg.colour, dash=leg.dash)


@dataclass(frozen=True)
class BackPose:
    """A standing figure seen from behind, hands on a counter in front of it."""

    hip: Point
    left_leg: float = 0.0  # degrees out to the side (the figure's left is the picture's left)
    right_leg: float = 0.0
    working: str = ""  # "left" or "right": drawn in the working colour
    shadow: bool = False  # the working leg's start, dashed

    def draw(self) -> str:
        x, y = self.hip
        neck = (x, y - TRUNK)
        parts = []
        for side, sign, angle in (("left", -1, self.left_leg), ("right", 1, self.right_leg)):
            joint = (x + sign * 9, y)
            foot = along(joint, sign * angle, THIGH + SHIN)
            colour = WORKING if side == self.working else INK
            if side == self.working and self.shadow:
                parts.append(line(joint, along(joint, 0, THIGH + SHIN), FAR, dash="6 8"))
            parts.append(polyline([joint, foot, (foot[0] + sign * 8, foot[1])], colour))
            shoulder = (x + sign * 18, neck[1] + 6)
            hand = (x + sign * 30, y - 20)
            parts.append(polyline([shoulder, (x + sign * 26, neck[1] + 30), hand]))
        parts.append(line((x - 9, y), (x + 9, y)))
        parts.append(line((x, y), neck))
        parts.append(line((x - 18, neck[1] + 6), (x + 18, neck[1] + 6)))
        parts.append(
            f'<circle cx="{x:.1f}" cy="{neck[1] - NECK - HEAD:.1f}" r="{HEAD}" fill="#fff" '
            f'stroke="{INK}" stroke-width="5"/>'
        )
        return "\n".join(parts)


def ground() -> str:
    return line((20, GROUND + 3), (300, GROUND + 3), PROP_LINE, 3)


def counter_side(front: float = 230) -> str:
    """A kitchen counter seen from the side: the top at hand height, the cupboard set back."""
    return (
        f'<rect x="{front + 10}" y="100" width="{300 - front - 10}" height="{GROUND - 100}" '
        f'fill="{PROP_FILL}" stroke="{PROP_LINE}" stroke-width="3"/>'
        f'<rect x="{front}" y="90" width="{300 - front}" height="10" rx="2" fill="{PROP_LINE}"/>'
    )


def counter_behind() -> str:
    """The counter seen past a figure that stands facing it."""
    return (
        f'<rect x="40" y="105" width="240" height="{GROUND - 105}" fill="{PROP_FILL}" '
        f'stroke="{PROP_LINE}" stroke-width="3"/>'
        f'<rect x="34" y="95" width="252" height="10" rx="2" fill="{PROP_LINE}"/>'
    )


def chair(front: float = 150, seat: float = 163) -> str:
    """A chair seen from the side, facing right."""
    back = front - 60
    return "\n".join(
        [
            line((back, seat), (back, 88), PROP_LINE, 6),
            line((back, seat), (front, seat), PROP_LINE, 8),
            line((back + 4, seat), (back + 4, GROUND), PROP_LINE, 5),
            line((front - 4, seat), (front - 4, GROUND), PROP_LINE, 5),
        ]
    )


def clock(x: float, y: float, label: str) -> str:
    return "\n".join(
        [
            f'<circle cx="{x}" cy="{y}" r="20" fill="#fff" stroke="{ARROW}" stroke-width="3.5"/>',
            line((x, y), (x, y - 13), ARROW, 3.5),
            line((x, y), (x + 9, y + 4), ARROW, 3.5),
            line((x - 5, y - 25), (x + 5, y - 25), ARROW, 4),
            text(x, y + 42, label, 17, "bold", ARROW),
        ]
    )


STANDING = (170.0, float(GROUND - THIGH - SHIN - 4))
COUNTER_HANDS = (231.0, 90.0)
SEATED = (128.0, 159.0)
SEATED_LEGS = {"near_leg": Leg(90, 0), "far_leg": Leg(90, 0, FAR)}
STRAIGHT = Leg(60, 60, WORKING)
ON_THE_SHIN = along(along(SEATED, 60, THIGH), 60, 16)


def kick(leg_angle: float, label: str, arrow_points: list[Point]) -> Callable[[], str]:
    def draw() -> str:
        pose = SidePose(
            STANDING,
            near_leg=Leg(leg_angle, leg_angle, WORKING),
            shadow_leg=Leg(0, 0, FAR, "6 8"),
            hands=COUNTER_HANDS,
        )
        return "\n".join([counter_side(), ground(), pose.draw(), arrow(arrow_points, double=True), label])

    return draw


def hold_counter() -> str:
    pose = SidePose(STANDING, hands=COUNTER_HANDS)
    marks = [arrow([(196, 46), (218, 58), (226, 80)]), text(262, 70, "both hands", 14, "bold", ARROW)]
    return "\n".join([counter_side(), ground(), pose.draw(), *marks])


def stand_tall() -> str:
    pose = SidePose(STANDING, hands=COUNTER_HANDS)
    top = STANDING[1] - TRUNK - NECK - 2 * HEAD
    marks = [
        line((142, STANDING[1] + 6), (142, top), ARROW, 3, "5 6"),
        arrow([(126, 70), (126, 40), (126, top - 4)]),
        text(98, 130, "tall", 16, "bold", ARROW),
    ]
    return "\n".join([counter_side(), ground(), pose.draw(), *marks])


def side_kick() -> str:
    pose = BackPose((160, STANDING[1]), right_leg=28, working="right", shadow=True)
    marks = [
        arrow([(172, 188), (200, 194), (214, 180)], double=True),
        text(250, 160, "×10", 20, "bold", ARROW),
        text(80, 60, "seen from behind", 13, colour=FAR),
    ]
    return "\n".join([counter_behind(), ground(), pose.draw(), *marks])


def switch_legs() -> str:
    first = BackPose((90, STANDING[1]), right_leg=28, working="right")
    second = BackPose((230, STANDING[1]), left_leg=28, working="left")
    marks = [
        arrow([(128, 60), (160, 40), (192, 60)]),
        text(160, 90, "switch", 15, "bold", ARROW),
    ]
    return "\n".join([counter_behind(), ground(), first.draw(), second.draw(), *marks])


def sit_at_front() -> str:
    pose = SidePose(SEATED, hands=(165, 150), **SEATED_LEGS)
    marks = [arrow([(214, 118), (180, 124), (156, 154)]), text(240, 110, "front edge", 14, "bold", ARROW)]
    return "\n".join([chair(), ground(), pose.draw(), *marks])


def straight_leg() -> str:
    pose = SidePose(SEATED, near_leg=STRAIGHT, far_leg=Leg(90, 0, FAR), hands=(160, 158))
    heel = along(along(SEATED, 60, THIGH), 60, SHIN)
    marks = [
        arrow([(heel[0] + 40, heel[1] - 60), (heel[0] + 34, heel[1] - 30), (heel[0] + 14, heel[1] - 22)]),
        text(heel[0] + 34, heel[1] - 68, "toes up", 14, "bold", ARROW),
    ]
    return "\n".join([chair(), ground(), pose.draw(), *marks])


def lean_forward() -> str:
    pose = SidePose(SEATED, trunk=40, near_leg=STRAIGHT, far_leg=Leg(90, 0, FAR), hands=ON_THE_SHIN)
    marks = [
        arrow([(110, 80), (140, 62), (172, 76)]),
        text(230, 44, "lean from the hips", 14, "bold", ARROW),
        text(250, 150, "knee straight", 14, "bold", WORKING),
    ]
    return "\n".join([chair(), ground(), pose.draw(), *marks])


def hold_thirty() -> str:
    pose = SidePose(SEATED, trunk=40, near_leg=STRAIGHT, far_leg=Leg(90, 0, FAR), hands=ON_THE_SHIN)
    return "\n".join([chair(), ground(), pose.draw(), clock(262, 60, "30 s")])


def each_leg() -> str:
    near = SidePose(SEATED, trunk=40, near_leg=STRAIGHT, far_leg=Leg(90, 0, FAR), hands=ON_THE_SHIN)
    far = SidePose(
        SEATED,
        trunk=40,
        near_leg=Leg(90, 0),
        far_leg=Leg(60, 60, WORKING, dash="1 0"),
        hands=ON_THE_SHIN,
    )
    scale = 0.72
    return "\n".join(
        [
            ground(),
            f'<g transform="translate(-50 {GROUND * (1 - scale):.1f}) scale({scale})">{chair()}{near.draw()}</g>',
            f'<g transform="translate(110 {GROUND * (1 - scale):.1f}) scale({scale})">{chair()}{far.draw()}</g>',
            text(80, 70, "×3", 24, "bold", ARROW),
            text(230, 70, "×3", 24, "bold", ARROW),
            text(80, 44, "one leg", 14, colour=FAR),
            text(230, 44, "other leg", 14, colour=FAR),
        ]
    )


@dataclass(frozen=True)
class Picture:
    path: str  # under data/content/pictures/
    caption: tuple[str, ...]  # one or two short lines under the drawing
    draw: Callable[[], str]


PICTURES = (
    Picture("hip_kick_3way/1-hold-on.svg", ("1. Hold a counter or chair back",), hold_counter),
    Picture("hip_kick_3way/2-stand-tall.svg", ("2. Keep your back tall and upright",), stand_tall),
    Picture(
        "hip_kick_3way/3-kick-forward.svg",
        ("3. Kick forward and back, 10 times",),
        kick(32, text(70, 140, "×10", 20, "bold", ARROW), [(160, 200), (200, 214), (222, 178)]),
    ),
    Picture("hip_kick_3way/4-kick-to-the-side.svg", ("4. Kick out to the side, 10 times",), side_kick),
    Picture(
        "hip_kick_3way/5-kick-backward.svg",
        ("5. Kick backward, 10 times",),
        kick(-30, text(60, 140, "×10", 20, "bold", ARROW), [(160, 200), (140, 214), (118, 180)]),
    ),
    Picture("hip_kick_3way/6-switch-legs.svg", ("6. Switch legs: all three again",), switch_legs),
    Picture(
        "seated_hamstring_stretch/1-sit-near-the-front.svg",
        ("1. Sit near the front of a chair",),
        sit_at_front,
    ),
    Picture(
        "seated_hamstring_stretch/2-leg-straight-toes-up.svg",
        ("2. One leg straight out,", "heel down, toes up"),
        straight_leg,
    ),
    Picture(
        "seated_hamstring_stretch/3-lean-forward.svg",
        ("3. Knee straight, lean forward", "from the hips"),
        lean_forward,
    ),
    Picture(
        "seated_hamstring_stretch/4-hold-30-seconds.svg", ("4. Hold 30 seconds, then relax",), hold_thirty
    ),
    Picture("seated_hamstring_stretch/5-three-times-each-leg.svg", ("5. 3 times on each leg",), each_leg),
)


def svg(picture: Picture) -> str:
    """The whole SVG document for one picture."""
    caption = "\n".join(
        text(WIDTH / 2, 238 + 21 * n, words, 15, "bold" if n == 0 else "normal")
        for n, words in enumerate(picture.caption)
    )
    title = escape(" ".join(picture.caption))
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'width="{WIDTH}" height="{HEIGHT}" role="img">\n'
        f"<title>{title}</title>\n"
        f'<defs><marker id="head" viewBox="0 0 10 10" refX="6" refY="5" markerWidth="4" markerHeight="4" '
        f'orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="{ARROW}"/></marker></defs>\n'
        f'<rect width="{WIDTH}" height="{HEIGHT}" fill="#fff"/>\n'
        f"{picture.draw()}\n{caption}\n</svg>\n"
    )


def main() -> None:
    for picture in PICTURES:
        path = PICTURES_DIR / picture.path
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(svg(picture), encoding="utf-8")
        print(path.relative_to(PICTURES_DIR.parent.parent.parent))


if __name__ == "__main__":
    main()
