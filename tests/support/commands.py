"""The admin commands as a test runs them: in this process, their output captured."""

from __future__ import annotations

import io
from contextlib import redirect_stdout


def output(command: object, *args: object) -> tuple[int, str]:
    text = io.StringIO()
    with redirect_stdout(text):
        code = command(*args)  # type: ignore[operator]
    return code, text.getvalue()
