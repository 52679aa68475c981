"""``python -m worker.sandbox --host H --port P``: run the sandbox Strava."""

from __future__ import annotations

import argparse

from worker.sandbox import serve
from worker.sandbox.config import SandboxConfig


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m worker.sandbox", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8001)
    args = parser.parse_args(argv)
    serve(args.host, args.port, SandboxConfig.from_env())


if __name__ == "__main__":
    main()
