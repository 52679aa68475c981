"""What the product and the sandbox Strava both know about the sandbox, without loading it.

The sandbox package (uvicorn, the workout generators) is imported only by the commands that
start it; the product reads these constants from here.
"""

from __future__ import annotations

#: The sandbox's one registered application (the app's config uses it without credentials).
SANDBOX_CLIENT_ID = 1
#: The secret of that application.
SANDBOX_CLIENT_SECRET = "stridewise-sandbox-secret"
#: The athlete who connects when a demo does not name one; an id above 2**31 like real ones.
DEFAULT_DEMO_ATHLETE = 3_141_592_653
