#!/usr/bin/env bash
# The benchmark: builds release binaries of every function and of a hello-world Lambda, starts
# DynamoDB Local, the SES/SNS emulator and the local Paystack on free loopback ports, and runs
# `bench`, which prints the figures and writes them to target/bench/report.md. Takes several
# minutes (the release build is most of it when target/ is cold).
#
#   infra/bench/run.sh [bench options]     e.g. --requests 200 --cold-runs 15 --only foods,orders
#                                          --route "GET /api/orders" (routes whose name has it)
#   PROFILE=dev infra/bench/run.sh         quick check of the harness on debug binaries
#   ARM64=1 infra/bench/run.sh             also cross-build arm64 with cargo-lambda, for sizes
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$ROOT"
# Reuse the local stack's tools and service starters.
# shellcheck source=/dev/null
DEV_SH_LIBRARY=1 source infra/local/dev.sh

PROFILE=${PROFILE:-release}
FUNCTIONS=(signup verify login foods orders admin payments notifier kitchens realtime expiry)
bench_build "$PROFILE" -p bench
# One build per function, as `sam build` makes them (rust-cargolambda, one Binary each): built
# together, cargo would give every function the `shared` features of all of them (the Paystack
# client, the S3 client, the spreadsheet readers), and the bench would time and size binaries
# that are never deployed.
for f in "${FUNCTIONS[@]}"; do bench_build "$PROFILE" -p "$f"; done
if [ -n "${ARM64:-}" ]; then
  install_cargo_lambda
  log "cross-building arm64 with cargo-lambda (sizes)"
  # From the function's folder, as `sam build` runs it (CodeUri): from the workspace's root
  # `--bin` alone would select every member and so unify their features.
  for f in "${FUNCTIONS[@]}"; do
    (cd "functions/$f" && PATH="$TOOLS/venv/bin:$PATH" cargo lambda build --release --arm64 --locked --bin "$f")
  done
fi

cmd_install
trap cleanup EXIT INT TERM
export_local_aws
ddb=$(free_port); moto=$(free_port); paystack=$(free_port)
start_dynamodb "$ddb" memory
start_moto "$moto"
# The bench's Paystack key (infra/bench/src/scenarios.rs); no webhook URL: the bench posts the
# webhooks itself.
start_paystack "$paystack" sk_test_bench_0123456789abcdef
mkdir -p target/bench
log "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(uname -sr)"
"$BIN_DIR/bench" --bin-dir "$BIN_DIR" --arm64-dir "$TARGET_DIR/lambda" --dynamodb "http://127.0.0.1:$ddb" --moto "http://127.0.0.1:$moto" \
  --paystack "http://127.0.0.1:$paystack" --out target/bench/report.md "$@"
# Every function's size (those without a scenario in the bench too: kitchens, realtime, expiry).
for f in "${FUNCTIONS[@]}"; do
  if [ -f "$BIN_DIR/$f" ]; then
    zipped=$(python3 -c "import io,sys,zipfile; b=io.BytesIO(); z=zipfile.ZipFile(b,'w',zipfile.ZIP_DEFLATED,compresslevel=9); z.write(sys.argv[1],'bootstrap'); z.close(); print(len(b.getvalue()))" "$BIN_DIR/$f")
    arm=""
    [ -f "$TARGET_DIR/lambda/$f/bootstrap" ] && arm=$(python3 -c "import io,sys,zipfile; b=io.BytesIO(); z=zipfile.ZipFile(b,'w',zipfile.ZIP_DEFLATED,compresslevel=9); z.write(sys.argv[1],'bootstrap'); z.close(); print(len(b.getvalue()))" "$TARGET_DIR/lambda/$f/bootstrap")
    [ -f "$TARGET_DIR/lambda/$f/bootstrap" ] && arm="$arm bytes zipped, $(stat -c %s "$TARGET_DIR/lambda/$f/bootstrap") bytes unzipped"
    echo "$f: x86_64 $(stat -c %s "$BIN_DIR/$f") bytes, $zipped bytes zipped${arm:+; arm64 $arm}" | tee -a target/bench/report.md
  fi
done
