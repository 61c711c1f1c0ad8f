#!/usr/bin/env bash
# What an index's projection costs: orders of 3 and 10 lines placed, marked paid and moved a
# status, and the lists of 20 read, on tables whose indexes hold whole items (ALL) or
# only the list's attributes (INCLUDE), in the layouts the template has had, with the units DynamoDB
# Local reports. Prints a markdown table. Takes a few seconds.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$ROOT"
# shellcheck source=/dev/null
DEV_SH_LIBRARY=1 source infra/local/dev.sh
cmd_install
trap cleanup EXIT INT TERM
export_local_aws
ddb=$(free_port)
start_dynamodb "$ddb" memory
"$TOOLS/venv/bin/python" infra/bench/index_projection.py "http://127.0.0.1:$ddb"
