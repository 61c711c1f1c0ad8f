#!/usr/bin/env bash
# The load scenario: builds the local API, the operator command and `load` in release mode,
# starts DynamoDB Local (in memory), the SES/SNS emulator and the local Paystack on free loopback
# ports, prepares a table with the demo menu and an admin, serves the local API, and runs `load`:
# 50 customers place 2,000 orders while the kitchen walks them through the lifecycle, then the
# checks (no 5xx, each acknowledged order stored once, totals, stock). The notifier reads the
# table's stream throughout (as Lambda's event source mapping would), and the run ends with the
# reconciliation: every kitchen's sales report against the sums of the orders it stored
# (`kitchen-ops check-reports`), failing on any difference. The report goes to
# target/bench/load.md. Takes a few minutes (the release build is most of it when target/ is cold).
#
#   infra/bench/load.sh [load options]      e.g. --customers 20 --orders 500
#   PROFILE=dev infra/bench/load.sh         quick check of the scenario on debug binaries
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$ROOT"
# shellcheck source=/dev/null
DEV_SH_LIBRARY=1 source infra/local/dev.sh

PROFILE=${PROFILE:-release}
BINS=(-p api-tests --bin local-api -p ops --bin kitchen-ops -p bench --bin load -p notifier --features notifier/local --bin notifier-local)
bench_build "$PROFILE" "${BINS[@]}"

need_java; install_dynamodb; install_moto
trap cleanup EXIT INT TERM
export_local_aws
ddb=$(free_port); moto=$(free_port); paystack=$(free_port); api=$(free_port)
start_dynamodb "$ddb" memory
ddb_pid=${PIDS[-1]}
start_moto "$moto"
secret=sk_test_local_paystack_for_the_load_0123456789
start_paystack "$paystack" "$secret"
export TABLE_NAME=load-$(date +%s) DYNAMODB_ENDPOINT=http://127.0.0.1:$ddb SES_ENDPOINT=http://127.0.0.1:$moto SNS_ENDPOINT=http://127.0.0.1:$moto
export OTP_SENDER_EMAIL=no-reply@chukskitchen.load JWT_SECRET=load-scenario-local-secret-0123456789abcdef
export PAYSTACK_SECRET_KEY=$secret PAYSTACK_BASE_URL=http://127.0.0.1:$paystack
export LOAD_ADMIN_EMAIL=kitchen@chukskitchen.load LOAD_ADMIN_PASSWORD=load-admin-password
# The scenario's customers order many times and pay at the counter, where the kitchen marks
# each order paid as it walks it: they hold more unpaid orders at once than a real customer may.
export MAX_OPEN_UNPAID_ORDERS=1000
mkdir -p "$TOOLS/logs" target/bench
bench_table
# Warnings only: a line of log per request would be the load's own bottleneck.
(RUST_LOG=warn LOCAL_API_PORT=$api exec "$BIN_DIR/local-api") >"$TOOLS/logs/load-api.log" 2>&1 &
PIDS+=($!)
api_pid=$!
wait_http "http://127.0.0.1:$api/api/foods/" "the local API"
# The notifier on the table's stream: emails, inboxes, alerts and the sales reports.
(RUST_LOG=warn KITCHEN_EMAIL=kitchen@chukskitchen.load exec "$BIN_DIR/notifier-local") >"$TOOLS/logs/load-notifier.log" 2>&1 &
PIDS+=($!)
notifier_pid=$!
log "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(uname -sr); local API: $PROFILE build"
cpu() { ps -o times= -p "$1" | xargs; }
before_api=$(cpu "$api_pid"); before_ddb=$(cpu "$ddb_pid"); before_notifier=$(cpu "$notifier_pid")
"$BIN_DIR/load" --api "http://127.0.0.1:$api" --moto "http://127.0.0.1:$moto" --paystack "http://127.0.0.1:$paystack" --out target/bench/load.md "$@"
# Where the machine's CPU went during the run (seconds of CPU, all threads).
line="- CPU seconds during the run: the local API (all functions) $(( $(cpu "$api_pid") - before_api )) s, DynamoDB Local $(( $(cpu "$ddb_pid") - before_ddb )) s."
echo "$line" | tee -a target/bench/load.md

# The reconciliation: once the notifier has read the stream to its end, every kitchen's report
# equals the sums of its orders (a difference still there after two minutes fails the run).
log "reconciling every kitchen's sales report with its orders"
started=$SECONDS
until "$BIN_DIR/kitchen-ops" check-reports >"$TOOLS/logs/load-reports.log" 2>&1; do
  if (( SECONDS - started > 120 )); then
    cat "$TOOLS/logs/load-reports.log" >&2
    echo "- Reconciliation: FAILED (reports differ from the orders; above)" | tee -a target/bench/load.md
    exit 1
  fi
  sleep 2
done
notifier_cpu=$(( $(cpu "$notifier_pid") - before_notifier ))
echo "- Reconciliation: every kitchen's sales report equals the sums of its stored orders ($(grep -c 'equals' "$TOOLS/logs/load-reports.log") kitchens; caught up $(( SECONDS - started )) s after the run). The notifier (emails, inboxes, alerts, reports) used $notifier_cpu CPU seconds for the run's stream." | tee -a target/bench/load.md
