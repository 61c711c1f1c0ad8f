#!/usr/bin/env bash
# Live-update latency: starts DynamoDB Local (in memory), the SES/SNS emulator, the local API,
# the local WebSocket gateway and the notifier on the table's stream, all on loopback, prepares
# a table with the demo menu and an admin, and runs `live`: 25 pickup orders walked through
# four status changes each, every change timed from the kitchen's request to the frame on the
# customer's socket (p50, p90, p99). The report goes to target/bench/live.md.
#
#   infra/bench/live.sh [live options]      e.g. --orders 50
#   PROFILE=release infra/bench/live.sh     on release binaries (a cold release build takes ~8 min)
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$ROOT"
# shellcheck source=/dev/null
DEV_SH_LIBRARY=1 source infra/local/dev.sh

PROFILE=${PROFILE:-dev}
BINS=(-p api-tests --bin local-api -p ops --bin kitchen-ops -p bench --bin live
  -p realtime --features realtime/local --bin realtime-local -p notifier --features notifier/local --bin notifier-local)
bench_build "$PROFILE" "${BINS[@]}"

need_java; install_dynamodb; install_moto
trap cleanup EXIT INT TERM
export_local_aws
ddb=$(free_port); moto=$(free_port); api=$(free_port); realtime=$(free_port)
start_dynamodb "$ddb" memory
start_moto "$moto"
export TABLE_NAME=live-$(date +%s) DYNAMODB_ENDPOINT=http://127.0.0.1:$ddb SES_ENDPOINT=http://127.0.0.1:$moto SNS_ENDPOINT=http://127.0.0.1:$moto
export OTP_SENDER_EMAIL=no-reply@chukskitchen.live JWT_SECRET=live-bench-local-secret-0123456789abcdef
export LOAD_ADMIN_EMAIL=kitchen@chukskitchen.live LOAD_ADMIN_PASSWORD=live-admin-password
export REALTIME_URL=ws://127.0.0.1:$realtime/ws REALTIME_ENDPOINT=http://127.0.0.1:$realtime
# No payment goes through Paystack here (the kitchen marks orders paid at the counter).
export PAYSTACK_SECRET_KEY=sk_test_live_bench_unused_0123456789 PAYSTACK_BASE_URL=http://127.0.0.1:9
export MAX_OPEN_UNPAID_ORDERS=1000 RUST_LOG=warn
mkdir -p "$TOOLS/logs" target/bench
bench_table
(LOCAL_API_PORT=$api exec "$BIN_DIR/local-api") >"$TOOLS/logs/live-api.log" 2>&1 &
PIDS+=($!)
(REALTIME_PORT=$realtime exec "$BIN_DIR/realtime-local") >"$TOOLS/logs/live-realtime.log" 2>&1 &
PIDS+=($!)
(KITCHEN_EMAIL=kitchen@chukskitchen.live exec "$BIN_DIR/notifier-local") >"$TOOLS/logs/live-notifier.log" 2>&1 &
PIDS+=($!)
wait_http "http://127.0.0.1:$api/api/foods/" "the local API"
log "machine: $(nproc) cores, $(uname -sr); binaries: $PROFILE build"
"$BIN_DIR/live" --api "http://127.0.0.1:$api" --moto "http://127.0.0.1:$moto" --out target/bench/live.md "$@"
