#!/usr/bin/env bash
# The load scenario: builds the local API, the operator command and `load` in release mode,
# starts DynamoDB Local (in memory), the SES/SNS emulator and the local Paystack on free loopback
# ports, prepares a table with the demo menu and an admin, serves the local API, and runs `load`:
# 50 customers place 2,000 orders while the kitchen walks them through the lifecycle, then the
# checks (no 5xx, each acknowledged order stored once, totals, stock). The notifier reads the
# table's stream throughout (as Lambda's event source mapping would), and the run ends with the
# reconciliation: every kitchen's sales report against the sums of the orders it stored
# (`kitchen-ops check-reports`), failing on any difference. The report goes to
# target/bench/load.md (faults.sh: target/bench/faults.md). Takes a few minutes (the release build is most of it when target/ is cold).
#
#   infra/bench/load.sh [load options]      e.g. --customers 20 --orders 500
#   PROFILE=dev infra/bench/load.sh         quick check of the scenario on debug binaries
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$ROOT"
# shellcheck source=/dev/null
DEV_SH_LIBRARY=1 source infra/local/dev.sh

PROFILE=${PROFILE:-release}
# FAULTS=1 (infra/bench/faults.sh): DynamoDB Local keeps its data on disk so it can be killed and
# started again, and the local Paystack and the SES/SNS emulator are reached through fault gates.
FAULTS=${FAULTS:-}
BINS=(-p api-tests --bin local-api --bin local-refunds -p ops --bin kitchen-ops -p bench --bin load -p notifier --features notifier/local --bin notifier-local --bin audit-notifications)
bench_build "$PROFILE" "${BINS[@]}"

need_java; install_dynamodb; install_moto
# A stop (Ctrl-C, kill) ends the run: cleanup on the way out.
trap cleanup EXIT
trap 'exit 143' INT TERM
export_local_aws
ddb=$(free_port); moto=$(free_port); paystack=$(free_port); api=$(free_port)
storage=memory
if [ -n "$FAULTS" ]; then
  storage=$(mktemp -d "${TMPDIR:-/tmp}/faults-ddb.XXXXXX")
fi
start_dynamodb "$ddb" "$storage"
ddb_pid=${PIDS[-1]}
start_moto "$moto"
secret=sk_test_local_paystack_for_the_load_0123456789
# Paystack's webhooks (charge.success, refund.processed) go to the local API.
start_paystack "$paystack" "$secret" "http://127.0.0.1:$api/api/payments/paystack/webhook/"
paystack_url=http://127.0.0.1:$paystack messages_url=http://127.0.0.1:$moto
if [ -n "$FAULTS" ]; then
  paystack_gate=$(free_port); start_gate "$paystack_gate" "$paystack_url" paystack
  messages_gate=$(free_port); start_gate "$messages_gate" "$messages_url" messages
  paystack_url=http://127.0.0.1:$paystack_gate messages_url=http://127.0.0.1:$messages_gate
fi
export TABLE_NAME=load-$(date +%s) DYNAMODB_ENDPOINT=http://127.0.0.1:$ddb SES_ENDPOINT=$messages_url SNS_ENDPOINT=$messages_url
export OTP_SENDER_EMAIL=no-reply@chukskitchen.load JWT_SECRET=load-scenario-local-secret-0123456789abcdef
export PAYSTACK_SECRET_KEY=$secret PAYSTACK_BASE_URL=$paystack_url
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
# The notifier on the table's stream (emails, inboxes, alerts and the sales reports), and the
# payments function's refund worker, each with the patience its function has on AWS and its
# position in the stream kept in a file (a restart goes on from there, as on AWS).
positions=$(mktemp -d "${TMPDIR:-/tmp}/load-stream.XXXXXX")
start_notifier() {
  (RUST_LOG=warn KITCHEN_EMAIL=kitchen@chukskitchen.load STREAM_PATIENCE_MS=20000 \
    LOCAL_STREAM_CHECKPOINT=$positions/notifier.json exec "$BIN_DIR/notifier-local") >>"$TOOLS/logs/load-notifier.log" 2>&1 &
  PIDS+=($!)
  notifier_pid=$!
}
start_refunds() {
  (RUST_LOG=warn LOCAL_STREAM_CHECKPOINT=$positions/refunds.json exec "$BIN_DIR/local-refunds") >>"$TOOLS/logs/load-refunds.log" 2>&1 &
  PIDS+=($!)
  refunds_pid=$!
}
: >"$TOOLS/logs/load-notifier.log"; : >"$TOOLS/logs/load-refunds.log"
start_notifier; start_refunds
log "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(uname -sr); local API: $PROFILE build"
cpu() { ps -o times= -p "$1" | xargs; }

# The faults (FAULTS=1), timed from the moment the rush begins (the load touches $1), each line
# of what was done printed with its time: the database killed and started again on the same
# data, Paystack refusing then hanging, the email/SMS service refusing, the stream consumers
# killed mid-batch and started again. Updates ddb_pid/notifier_pid/refunds_pid.
inject_faults() {
  local rush=$1 started
  until [ -e "$rush" ]; do sleep 0.2; done
  started=$SECONDS
  at() { while (( SECONDS - started < $1 )); do sleep 0.2; done; }
  say() { echo "t+$(( SECONDS - started )) s: $*"; }
  at 5; kill -9 "$ddb_pid"; say "DynamoDB Local killed (kill -9) mid-rush"
  at 15; start_dynamodb "$ddb" "$storage"; ddb_pid=${PIDS[-1]}; say "DynamoDB Local started again on the same data directory"
  at 25; gate_outage "$paystack_gate" 15 refuse; say "Paystack refuses every call (503) for 15 s"
  at 40; gate_outage "$paystack_gate" 15 hang; say "Paystack answers nothing (calls time out) for 15 s"
  at 60; gate_outage "$messages_gate" 30 refuse; say "the email/SMS service refuses every message (503) for 30 s"
  at 95; kill -9 "$notifier_pid" "$refunds_pid"; say "the notifier and the refund worker killed (kill -9) mid-batch"
  at 97; start_notifier; start_refunds
  say "the notifier and the refund worker started again (each from the last batch it finished)"
}
before_api=$(cpu "$api_pid"); before_ddb=$(cpu "$ddb_pid"); before_notifier=$(cpu "$notifier_pid")
run_load() { "$BIN_DIR/load" --api "http://127.0.0.1:$api" --moto "http://127.0.0.1:$moto" --paystack "http://127.0.0.1:$paystack" --out "$report" "$@"; }
report=target/bench/load.md
if [ -z "$FAULTS" ]; then
  run_load "$@"
else
  report=target/bench/faults.md
  rush=$(mktemp -u "${TMPDIR:-/tmp}/faults-rush.XXXXXX")
  run_load --faults --rush-file "$rush" "$@" &
  load_pid=$!
  PIDS+=("$load_pid")
  inject_faults "$rush" >"$TOOLS/logs/faults-injected.log"
  cat "$TOOLS/logs/faults-injected.log"
  load_status=0; wait "$load_pid" || load_status=$?
  sed 's/^/- /' "$TOOLS/logs/faults-injected.log" >>"$report"
  (( load_status == 0 )) || { log "the run's checks failed (above)"; exit 1; }
fi
# Where the machine's CPU went during the run (seconds of CPU, all threads).
if [ -z "$FAULTS" ]; then
  line="- CPU seconds during the run: the local API (all functions) $(( $(cpu "$api_pid") - before_api )) s, DynamoDB Local $(( $(cpu "$ddb_pid") - before_ddb )) s."
  echo "$line" | tee -a "$report"
fi

# The reconciliation: once the notifier has read the stream to its end, every kitchen's report
# equals the sums of its orders. The local stream has one consumer reading one record at a time
# (on AWS each shard has its own, and the table has several shards at this rate), so it ends
# the rush behind: a difference still there after CATCH_UP_SECONDS (20 minutes) fails the run.
catch_up=${CATCH_UP_SECONDS:-1200}
log "reconciling every kitchen's sales report with its orders"
started=$SECONDS
until "$BIN_DIR/kitchen-ops" check-reports >"$TOOLS/logs/load-reports.log" 2>&1; do
  if (( SECONDS - started > catch_up )); then
    cat "$TOOLS/logs/load-reports.log" >&2
    echo "- Reconciliation: FAILED (reports differ from the orders; above)" | tee -a "$report"
    exit 1
  fi
  sleep 5
done
line="- Reconciliation: every kitchen's sales report equals the sums of its stored orders ($(grep -c 'equals' "$TOOLS/logs/load-reports.log") kitchens; caught up $(( SECONDS - started )) s after the run)."
if [ -z "$FAULTS" ]; then
  line="$line The notifier (emails, inboxes, alerts, reports) used $(( $(cpu "$notifier_pid") - before_notifier )) CPU seconds for the run's stream."
fi
echo "$line" | tee -a "$report"

# Every message the stream owed went out exactly once (none lost, none twice), once the notifier
# has caught up (two minutes at most).
log "auditing the notifications against what the email/SMS emulator received"
KITCHEN_EMAIL=kitchen@chukskitchen.load "$BIN_DIR/audit-notifications" --moto "http://127.0.0.1:$moto" --wait 300 2>"$TOOLS/logs/load-audit.log" | sed 's/^/- /' | tee -a "$report"
[ "${PIPESTATUS[0]}" = 0 ] || { cat "$TOOLS/logs/load-audit.log" >&2; echo "- Notifications: FAILED (above)" | tee -a "$report"; exit 1; }
