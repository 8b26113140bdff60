"""A README badge: a flat SVG reading ``MLOps maturity | L2 · 78``.

The overall level is the minimum over the seven phases (the guide is strictly
progressive) and the score the mean of the phase scores, as in every report. The
colour follows the level. Text widths are estimated from Verdana's metrics at 11 px,
the font badges conventionally use, so no font file is needed.
"""

from __future__ import annotations

from html import escape

from mlops_lint.model import Lang, T

LABEL = T("MLOps maturity", "Madurez MLOps")
COLORS = {0: "#e05d44", 1: "#dfb317", 2: "#97ca00", 3: "#44cc11"}
# Approximate advance widths of Verdana 11px, in pixels.
_NARROW = frozenset("fijlrtI!.,:;'|·()[] ")
_WIDE = frozenset("mwMW@%")
_UPPER_WIDE = frozenset("ACDGHKNOQRUVXY")


def text_width(text: str) -> float:
    width = 0.0
    for char in text:
        if char in _WIDE:
            width += 10.5
        elif char in _NARROW:
            width += 3.9
        elif char in _UPPER_WIDE:
            width += 8.0
        elif char.isupper() or char.isdigit():
            width += 7.0
        else:
            width += 6.6
    return width


def message(level: int, score: int, lang: Lang = "en") -> str:
    return f"{T('L', 'N')(lang)}{level} · {score}"


def render_badge(level: int, score: int, lang: Lang = "en") -> str:
    label = LABEL(lang)
    value = message(level, score, lang)
    color = COLORS.get(level, COLORS[0])
    left = round(text_width(label) + 12)
    right = round(text_width(value) + 12)
    total = left + right
    aria = escape(f"{label}: {value}")
    lx, rx = left / 2, left + right / 2
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{total}" height="20" role="img" '
        f'aria-label="{aria}"><title>{aria}</title>'
        '<linearGradient id="s" x2="0" y2="100%"><stop offset="0" stop-color="#bbb" '
        'stop-opacity=".1"/><stop offset="1" stop-opacity=".1"/></linearGradient>'
        f'<clipPath id="r"><rect width="{total}" height="20" rx="3" fill="#fff"/></clipPath>'
        f'<g clip-path="url(#r)"><rect width="{left}" height="20" fill="#555"/>'
        f'<rect x="{left}" width="{right}" height="20" fill="{color}"/>'
        f'<rect width="{total}" height="20" fill="url(#s)"/></g>'
        '<g fill="#fff" text-anchor="middle" '
        'font-family="Verdana,Geneva,DejaVu Sans,sans-serif" font-size="11">'
        f'<text x="{lx:g}" y="15" fill="#010101" fill-opacity=".3">{escape(label)}</text>'
        f'<text x="{lx:g}" y="14">{escape(label)}</text>'
        f'<text x="{rx:g}" y="15" fill="#010101" fill-opacity=".3">{escape(value)}</text>'
        f'<text x="{rx:g}" y="14">{escape(value)}</text></g></svg>\n'
    )
