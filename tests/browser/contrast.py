"""WCAG 2.1 text contrast, measured on what a browser actually renders.

The browser reports, for every visible element that shows text, its computed text colour and
the background colours of it and its ancestors; this module composites them as the browser
paints them (alpha over the white canvas) and computes the contrast ratio of WCAG 2.1
(relative luminance of sRGB, https://www.w3.org/TR/WCAG21/#dfn-contrast-ratio).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

#: Success criterion 1.4.3 (AA): 4.5:1 for text, 3:1 for large text.
AA_TEXT = 4.5
AA_LARGE_TEXT = 3.0
#: Large text: at least 18 pt, or 14 pt bold (1 pt = 4/3 CSS px).
LARGE_PX = 24.0
LARGE_BOLD_PX = 14 * 4 / 3
BOLD_WEIGHT = 700

RGB = tuple[float, float, float]
RGBA = tuple[float, float, float, float]

#: Collects, in the page, each visible element with its own text: the text, its colour (fill
#: for SVG text), its font, and the background colours from it up to <html>. Controls count
#: with their value (a select shows its chosen option).
COLLECT_JS = r"""
const shown = [];
const skip = new Set(['SCRIPT', 'STYLE', 'NOSCRIPT', 'TEMPLATE', 'OPTION', 'TITLE', 'HEAD']);
function ownText(el) {
  if (['INPUT', 'SELECT', 'TEXTAREA', 'BUTTON'].includes(el.tagName)) {
    if (el.type === 'hidden' || el.type === 'checkbox' || el.type === 'radio') return '';
    if (el.tagName === 'SELECT') return el.selectedOptions.length ? el.selectedOptions[0].text : '';
    if (el.tagName !== 'BUTTON') return el.value || el.placeholder || '';
  }
  let text = '';
  for (const node of el.childNodes) {
    if (node.nodeType === Node.TEXT_NODE) text += node.textContent;
  }
  return text.trim();
}
function visible(el) {
  const style = getComputedStyle(el);
  if (style.visibility !== 'visible' || style.display === 'none') return false;
  if (parseFloat(style.opacity) === 0) return false;
  const rect = el.getBoundingClientRect();
  if (rect.width <= 1 || rect.height <= 1) return false;
  const left = rect.left + window.scrollX, top = rect.top + window.scrollY;
  return left + rect.width > 0 && top + rect.height > 0;
}
for (const el of document.querySelectorAll('body *')) {
  if (skip.has(el.tagName.toUpperCase())) continue;
  const text = ownText(el);
  if (!text || !visible(el)) continue;
  const style = getComputedStyle(el);
  const svg = el instanceof SVGElement;
  const backgrounds = [];
  let image = false;
  for (let up = el; up; up = up.parentElement) {
    const s = getComputedStyle(up);
    backgrounds.push(s.backgroundColor);
    if (s.backgroundImage && s.backgroundImage !== 'none') image = true;
  }
  shown.push({
    tag: el.tagName.toLowerCase(), id: el.id || '', text: text.slice(0, 60),
    color: svg ? style.fill : style.color, backgrounds: backgrounds,
    image: image, size: parseFloat(style.fontSize), weight: parseInt(style.fontWeight, 10),
  });
}
return shown;
"""


@dataclass(frozen=True)
class Measured:
    """One text element's contrast against what is painted behind it."""

    description: str
    ratio: float
    large: bool

    @property
    def required(self) -> float:
        return AA_LARGE_TEXT if self.large else AA_TEXT

    @property
    def passes(self) -> bool:
        return self.ratio >= self.required


def parse_colour(text: str) -> RGBA:
    """``rgb(r, g, b)`` or ``rgba(r, g, b, a)`` as the browser computes colours.

    Raises:
        ValueError: a colour in another notation (the measurement would be a guess).
    """
    match = re.fullmatch(r"rgba?\(\s*([\d.]+)[,\s]\s*([\d.]+)[,\s]\s*([\d.]+)"
                         r"(?:\s*[,/]\s*([\d.]+%?))?\s*\)", text.strip())
    if match is None:
        raise ValueError(f"cannot measure the colour {text!r}: not rgb() or rgba()")
    red, green, blue, alpha = match.groups()
    if alpha is None:
        opacity = 1.0
    elif alpha.endswith("%"):
        opacity = float(alpha[:-1]) / 100
    else:
        opacity = float(alpha)
    return float(red), float(green), float(blue), opacity


def over(top: RGBA, below: RGB) -> RGB:
    """``top`` painted over the opaque ``below`` (source-over alpha compositing)."""
    alpha = top[3]
    r, g, b = (top[i] * alpha + below[i] * (1 - alpha) for i in range(3))
    return r, g, b


def backdrop(backgrounds: list[str]) -> RGB:
    """The colour painted behind an element: its own and its ancestors' backgrounds (element
    first), composited from the white canvas up."""
    colour: RGB = (255.0, 255.0, 255.0)
    for text in reversed(backgrounds):
        colour = over(parse_colour(text), colour)
    return colour


def luminance(colour: RGB) -> float:
    """Relative luminance of an sRGB colour (WCAG 2.1)."""

    def linear(channel: float) -> float:
        c = channel / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (linear(c) for c in colour)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(first: RGB, second: RGB) -> float:
    """WCAG contrast ratio, from 1 to 21."""
    light, dark = sorted((luminance(first), luminance(second)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def measure(element: dict[str, Any]) -> Measured:
    """The contrast of one element as COLLECT_JS reported it.

    Raises:
        ValueError: text over a background image, whose colour behind the text is unknown.
    """
    where = f"<{element['tag']}{'#' + element['id'] if element['id'] else ''}> " \
            f"{element['text']!r}"
    if element["image"]:
        raise ValueError(f"{where} sits on a background image; its contrast cannot be measured")
    behind = backdrop(element["backgrounds"])
    text = over(parse_colour(element["color"]), behind)
    size, weight = float(element["size"]), int(element["weight"] or 400)
    large = size >= LARGE_PX or (size >= LARGE_BOLD_PX and weight >= BOLD_WEIGHT)
    return Measured(where, round(contrast(text, behind), 2), large)
