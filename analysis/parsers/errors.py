"""The one exception every parser raises on input it cannot read."""

from __future__ import annotations


class ActivityFileError(ValueError):
    """An activity file (or Strava document) that cannot be read.

    ``str(err)`` is one line naming the file and the problem, so a command
    line tool can print it as is and carry on with the next file.

    Parameters
    ----------
    name:
        The file name (or another label for the document) the user knows.
    reason:
        What is wrong, in words the user can act on.
    """

    def __init__(self, name: str, reason: str) -> None:
        # Both parts go to ValueError so that the error survives pickling intact.
        super().__init__(name, " ".join(reason.split()))
        self.name = name
        self.reason: str = self.args[1]

    def __str__(self) -> str:
        return f"{self.name}: {self.reason}"
