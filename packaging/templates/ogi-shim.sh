#!/bin/sh
# "ogi" inside the shell ogi.sh opens: ogi from this bundle's environment.
exec "$(cd "$(dirname "$0")/.." && pwd)/venv/bin/python" -m ogi "$@"
