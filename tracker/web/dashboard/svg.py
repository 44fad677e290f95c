"""Small server-side SVG charts: horizontal bars, grouped columns and a line, with axes, labels and values.

Pure (no Flask, no database): text in, markup out. Every chart is an ``<svg role="img">`` (``role="group"``
when it holds links) with a ``<title>`` and a ``<desc>`` (the page also shows the numbers as a table), every bar or
point can
link to the list behind it, and nothing needs JavaScript, a font download or the network. Colours
are presentation attributes (the CSP forbids ``style=""``), overridable by CSS classes.
"""
from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field
from html import escape

PALETTE = ("#0b5cad", "#d08a00", "#1e7b34", "#b00020", "#6a3d9a", "#5b6675", "#00838f")
AXIS = "#5b6675"
GRID = "#dde3ea"
INK = "#1d2430"
FONT = 12
_ids = itertools.count(1)


@dataclass
class Bar:
    label: str
    value: float
    href: str | None = None


@dataclass
class Series:
    name: str
    values: Sequence[float]
    hrefs: Sequence[str | None] = field(default_factory=tuple)
    color: str | None = None


def nice_max(value: float, ticks: int = 4) -> tuple[float, float]:
    """A round top of the axis at or above ``value`` and its tick step (1, 2 or 5 × 10^n)."""
    if value <= 0:
        return 1.0, 1.0
    raw = value / ticks
    power = 10 ** math.floor(math.log10(raw))
    step = max(1.0, next(m * power for m in (1, 2, 5, 10) if m * power >= raw))  # counts: whole steps
    return step * math.ceil(value / step), step


def _num(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:.1f}"


def _attrs(**kw: object) -> str:
    return " ".join(f'{k.rstrip("_").replace("_", "-")}="{escape(str(v), quote=True)}"' for k, v in kw.items()
                    if v is not None)


def _open(width: int, height: int, title: str, desc: str, css: str) -> tuple[str, list[str]]:
    uid = f"chart{next(_ids)}"
    head = (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" '
            f'height="{height}" role="img" aria-labelledby="{uid}-t {uid}-d" class="chart {css}" '
            f'font-family="Noto Sans, DejaVu Sans, Arial, sans-serif" font-size="{FONT}">'
            f'<title id="{uid}-t">{escape(title)}</title><desc id="{uid}-d">{escape(desc)}</desc>')
    return uid, [head]


def _finish(out: list[str]) -> str:
    """The chart's markup: ``role="img"`` when it is a picture only; ``role="group"`` when it holds links,
    since an image's children are hidden from screen readers and its links would be unreachable by them."""
    svg = "".join(out)
    if "<a " in svg:
        svg = svg.replace('role="img"', 'role="group"', 1)
    return svg


def _link(href: str | None, inner: str, label: str) -> str:
    if not href:
        return inner
    return f'<a href="{escape(href, quote=True)}" aria-label="{escape(label, quote=True)}">{inner}</a>'


def _rect(x: float, y: float, w: float, h: float, color: str) -> str:
    attrs = _attrs(x=round(x, 1), y=round(y, 1), width=round(w, 1), height=round(h, 1), fill=color, class_="bar")
    return f"<rect {attrs}/>"


def _text(x: float, y: float, text: str, **kw: object) -> str:
    return f'<text {_attrs(x=round(x, 1), y=round(y, 1), **kw)}>{escape(text)}</text>'


MAX_LABEL = 34


def short(text: str, limit: int = MAX_LABEL) -> str:
    """A label cut to ``limit`` characters with an ellipsis (the full text stays in the link's label)."""
    return text if len(text) <= limit else text[:limit - 1].rstrip() + "…"


def hbar_chart(title: str, desc: str, bars: Sequence[Bar], *, width: int = 560, label_width: int | None = None,
               bar_height: int = 22, color: str = PALETTE[0]) -> str:
    """Horizontal bars, for categories with long names (kinds of cases): label, bar, value."""
    top, bottom, right = 8, 26, 40
    if label_width is None:  # about 7 px per character at 12 px
        label_width = min(250, max(60, 7 * max((len(short(b.label)) for b in bars), default=8) + 12))
    height = top + bottom + max(1, len(bars)) * (bar_height + 8)
    _, out = _open(width, height, title, desc, "chart-hbar")
    peak, step = nice_max(max((b.value for b in bars), default=0))
    plot = width - label_width - right
    x0 = label_width
    ticks = int(round(peak / step))
    for i in range(ticks + 1):
        x = x0 + plot * i / ticks
        out.append(f'<line {_attrs(x1=round(x, 1), y1=top, x2=round(x, 1), y2=height - bottom, stroke=GRID)}/>')
        out.append(_text(x, height - bottom + 16, _num(step * i), text_anchor="middle", fill=AXIS))
    for n, bar in enumerate(bars):
        y = top + n * (bar_height + 8) + 4
        w = plot * bar.value / peak if peak else 0
        shape = (_text(x0 - 8, y + bar_height * 0.7, short(bar.label), text_anchor="end", fill=INK)
                 + _rect(x0, y, max(w, 1 if bar.value else 0), bar_height, color)
                 + _text(x0 + w + 6, y + bar_height * 0.7, _num(bar.value), fill=INK, font_weight="bold",
                         class_="value"))
        out.append(_link(bar.href, f"<g>{shape}</g>", f"{bar.label}: {_num(bar.value)}"))
    out.append(f'<line {_attrs(x1=x0, y1=top, x2=x0, y2=height - bottom, stroke=AXIS)}/>')
    out.append("</svg>")
    return _finish(out)


def column_chart(title: str, desc: str, categories: Sequence[str], series: Sequence[Series], *,
                 width: int = 640, height: int = 260, y_label: str = "") -> str:
    """Vertical columns, grouped by category (months), one colour per series, with a legend."""
    left, right, top, bottom = 44, 12, 28, 42
    _, out = _open(width, height, title, desc, "chart-columns")
    peak, step = nice_max(max((v for s in series for v in s.values), default=0))
    plot_w, plot_h = width - left - right, height - top - bottom
    base = top + plot_h
    _y_axis(out, left, top, plot_w, plot_h, peak, step, y_label)
    group = plot_w / max(1, len(categories))
    inner = group * 0.8 / max(1, len(series))
    for ci, cat in enumerate(categories):
        gx = left + ci * group + group * 0.1
        for si, s in enumerate(series):
            value = s.values[ci]
            h = plot_h * value / peak if peak else 0
            x = gx + si * inner
            color = s.color or PALETTE[si % len(PALETTE)]
            shape = (_rect(x, base - h, inner - 2, h, color)
                     + (_text(x + (inner - 2) / 2, base - h - 3, _num(value), text_anchor="middle", fill=INK,
                              font_size=FONT - 2, class_="value") if value else ""))
            href = s.hrefs[ci] if ci < len(s.hrefs) else None
            out.append(_link(href, f"<g>{shape}</g>", f"{s.name}, {cat}: {_num(value)}"))
        out.append(_text(left + ci * group + group / 2, base + 16, cat, text_anchor="middle", fill=AXIS,
                         font_size=FONT - 1))
    _legend(out, series, left, 14)
    out.append(f'<line {_attrs(x1=left, y1=base, x2=left + plot_w, y2=base, stroke=AXIS)}/>')
    out.append("</svg>")
    return _finish(out)


def line_chart(title: str, desc: str, labels: Sequence[str], values: Sequence[float],
               hrefs: Sequence[str | None] = (), *, width: int = 640, height: int = 240, y_label: str = "",
               color: str = PALETTE[3]) -> str:
    """A line with a dot and its value at every point (weeks)."""
    left, right, top, bottom = 44, 16, 20, 42
    _, out = _open(width, height, title, desc, "chart-line")
    peak, step = nice_max(max(values, default=0))
    plot_w, plot_h = width - left - right, height - top - bottom
    base = top + plot_h
    _y_axis(out, left, top, plot_w, plot_h, peak, step, y_label)
    n = len(values)
    xs = [left + (plot_w * (i + 0.5) / n if n else 0) for i in range(n)]
    ys = [base - (plot_h * v / peak if peak else 0) for v in values]
    if n > 1:
        points = " ".join(f"{round(x, 1)},{round(y, 1)}" for x, y in zip(xs, ys, strict=True))
        out.append(f'<polyline {_attrs(points=points, fill="none", stroke=color, stroke_width=2.5, class_="line")}/>')
    for i, (x, y, value, lab) in enumerate(zip(xs, ys, values, labels, strict=True)):
        shape = (f'<circle {_attrs(cx=round(x, 1), cy=round(y, 1), r=4.5, fill=color, class_="dot")}/>'
                 + _text(x, y - 8, _num(value), text_anchor="middle", fill=INK, font_size=FONT - 1,
                         font_weight="bold", class_="value"))
        href = hrefs[i] if i < len(hrefs) else None
        out.append(_link(href, f"<g>{shape}</g>", f"{lab}: {_num(value)}"))
        out.append(_text(x, base + 16, lab, text_anchor="middle", fill=AXIS, font_size=FONT - 2))
    out.append(f'<line {_attrs(x1=left, y1=base, x2=left + plot_w, y2=base, stroke=AXIS)}/>')
    out.append("</svg>")
    return _finish(out)


def _y_axis(out: list[str], left: int, top: int, plot_w: int, plot_h: int, peak: float, step: float,
            y_label: str) -> None:
    ticks = int(round(peak / step))
    for i in range(ticks + 1):
        y = top + plot_h - plot_h * i / ticks
        out.append(f'<line {_attrs(x1=left, y1=round(y, 1), x2=left + plot_w, y2=round(y, 1), stroke=GRID)}/>')
        out.append(_text(left - 6, y + 4, _num(step * i), text_anchor="end", fill=AXIS))
    out.append(f'<line {_attrs(x1=left, y1=top, x2=left, y2=top + plot_h, stroke=AXIS)}/>')
    if y_label:
        out.append(_text(4, top - 8, y_label, fill=AXIS, font_size=FONT - 1))


def _legend(out: list[str], series: Sequence[Series], x: int, y: int) -> None:
    for i, s in enumerate(series):
        color = s.color or PALETTE[i % len(PALETTE)]
        out.append(f'<rect {_attrs(x=x, y=y - 10, width=12, height=12, fill=color)}/>')
        out.append(_text(x + 17, y, s.name, fill=INK))
        x += 30 + 8 * len(s.name)
