"""Our block inside an activity description; the athlete's text around it is never touched.

A block is ours when it is well formed: a line holding only :data:`BLOCK_BEGIN`, later a
line holding only :data:`BLOCK_END`, and no begin line between them (spaces, tabs and a
carriage return around a marker are allowed). Lines end at ``\\n``; a marker inside a line,
a begin line without its end, or an end line without its begin is the athlete's text.

When several well-formed blocks exist (an athlete pasted one from another activity), the
last one is ours: we append at the end, so ours is last unless the athlete moved it, and
the earlier ones stay as the athlete left them.

Appending adds exactly :data:`SEPARATOR` between non-empty athlete text and the block, and
:func:`remove` takes away exactly that, so for text without a block
``remove(merge(text, block)) == text``. ``None`` is treated as the empty description.
"""

from __future__ import annotations

import re

#: First line of our block.
BLOCK_BEGIN = "-- Stridewise --"
#: Last line of our block.
BLOCK_END = "-- end of Stridewise --"
#: What goes between the athlete's text and an appended block: one blank line.
SEPARATOR = "\n\n"
#: Cap on the whole description. Strava documents no limit; its editor has accepted much
#: longer text, so this is a conservative bound that no description of ours will exceed.
DESCRIPTION_LIMIT = 10_000
#: The tag an athlete writes anywhere in the description to keep us out of it.
OPT_OUT_TAG = "#nostridewise"
#: Whitespace allowed around a marker on its line.
MARKER_PADDING = " \t\r"

_OPT_OUT = re.compile(rf"(?<!\w){re.escape(OPT_OUT_TAG)}(?!\w)", re.IGNORECASE)


def find_block(description: str | None) -> tuple[int, int] | None:
    """Start and end offsets of our block: the begin line's start, the end marker line's end.

    The end excludes the line break after the end marker (and its carriage return).
    """
    blocks = _blocks(description or "")
    return blocks[-1] if blocks else None


def merge(description: str | None, block: str, limit: int = DESCRIPTION_LIMIT) -> str:
    """``description`` with ``block`` replacing our previous block, or appended after it.

    When the result would exceed ``limit`` characters the block loses lines from its end;
    when not even one line of it fits, the description comes back without any block.

    Raises:
        ValueError: ``block`` is not one well-formed block.
    """
    _check_block(block)
    text = description or ""
    span = find_block(text)
    if span is None:
        head, tail = (text + SEPARATOR if text else ""), ""
    else:
        head, tail = text[: span[0]], text[span[1] :]
    fitted = _fit(block, limit - len(head) - len(tail))
    return remove(text) if fitted is None else head + fitted + tail


def remove(description: str | None) -> str:
    """``description`` without our block and the separator or line break that held it."""
    text = description or ""
    span = find_block(text)
    if span is None:
        return text
    head, tail = text[: span[0]], text[span[1] :]
    if not tail:
        return head.removesuffix(SEPARATOR)
    line_break = "\r\n" if tail.startswith("\r\n") else "\n"
    return head + tail.removeprefix(line_break)


def has_opt_out(description: str | None) -> bool:
    """Whether the athlete wrote :data:`OPT_OUT_TAG` (any case, as a word of its own)."""
    return _OPT_OUT.search(description or "") is not None


def should_write(description: str | None, previously_written: bool) -> bool:
    """Whether to put our block into ``description``.

    No when the athlete opted out, or when we wrote a block before and it is gone: the
    athlete deleted it and we do not put it back.
    """
    if has_opt_out(description):
        return False
    return not previously_written or find_block(description) is not None


def _lines(text: str) -> list[tuple[int, int]]:
    """Start and end of each line's content, without its ``\\n`` and a ``\\r`` before it."""
    spans, start = [], 0
    for end in (m.start() for m in re.finditer("\n", text)):
        spans.append((start, end - 1 if end > start and text[end - 1] == "\r" else end))
        start = end + 1
    spans.append((start, len(text)))
    return spans


def _blocks(text: str) -> list[tuple[int, int]]:
    found, begin = [], None
    for start, end in _lines(text):
        line = text[start:end].strip(MARKER_PADDING)
        if line == BLOCK_BEGIN:
            begin = start
        elif line == BLOCK_END and begin is not None:
            found.append((begin, end))
            begin = None
    return found


def _check_block(block: str) -> None:
    lines = block.split("\n")
    inner = [line.strip(MARKER_PADDING) for line in lines[1:-1]]
    if (
        "\r" in block
        or len(lines) < 2
        or lines[0] != BLOCK_BEGIN
        or lines[-1] != BLOCK_END
        or BLOCK_BEGIN in inner
        or BLOCK_END in inner
    ):
        raise ValueError(
            f"a block starts with the line {BLOCK_BEGIN!r}, ends with the line {BLOCK_END!r}, "
            "has no other marker line between them and no carriage return"
        )


def _fit(block: str, room: int) -> str | None:
    """``block`` shortened by whole lines from its end to fit ``room``, or None."""
    lines = block.split("\n")
    while len(lines) > 2 and len("\n".join(lines)) > room:
        del lines[-2]
    return "\n".join(lines) if len(lines) > 2 and len("\n".join(lines)) <= room else None
