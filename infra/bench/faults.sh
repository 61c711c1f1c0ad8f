#!/usr/bin/env bash
# The faults scenario: the load scenario's traffic (orders straight and by cart, wallet and
# Paystack payments, cancellations of paid orders and their refunds, the kitchen walking every
# order) for two minutes, and in the middle of it, on loopback only:
#   t+5 s   DynamoDB Local killed (kill -9), started again at t+15 s on the same data directory;
#   t+25 s  the local Paystack refuses every call for 15 s, then answers nothing for 15 s
#           (initialize, verify and refund time out), through a fault gate;
#   t+60 s  the SES/SNS emulator refuses every message for 30 s (a fault gate);
#   t+95 s  the notifier and the refund worker killed mid-batch, started again at t+97 s.
# Clients send a request again while it gets a 5xx or no answer (as the web app's Try again),
# for up to 90 s. Then the load's checks and these: no 5xx without a JSON error and Retry-After;
# every acknowledged order stored exactly once at the right total; stock never below zero and
# down by exactly what stored orders took; every wallet equal to its ledger; every refund owed
# asked of Paystack (or refund_failed with an alert); every notification the stream owed sent
# exactly once; every sales report equal to its orders. The report: target/bench/faults.md.
#
# One customer by default (some 600 orders): DynamoDB Local keeps its data on disk here, which
# makes it several times slower than in memory, and the local stream has one consumer; the
# reconciliation and the audit wait for it to catch up after the rush.
#
#   infra/bench/faults.sh [load options]     e.g. --customers 3 (the orders' checks at 15 orders/s)
#   PROFILE=dev infra/bench/faults.sh        on debug binaries
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
FAULTS=1 exec ./load.sh --customers 1 --orders 0 --time-limit 120 "$@"
