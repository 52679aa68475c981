"""Posting to the webhook: its secret path, and the warning Hypothesis gives about the web
app's background thread while it generates bodies."""

from __future__ import annotations

import pytest

from worker.runtime import Runtime


def hook(rt: Runtime) -> str:
    """The webhook's secret path, as `stridewise subscribe` registers it."""
    return f"/webhook/{rt.settings.webhook_secret}"


#: The web app enqueues in a background thread, and dramatiq's enqueue draws from the global
#: `random` (its maintenance chance) while Hypothesis generates the next body; Hypothesis takes
#: any change of that state during generation for a strategy using `random`. Ours do not.
BACKGROUND_RANDOM = pytest.mark.filterwarnings(
    "ignore:Do not use the `random` module inside strategies")
