# ripple's entry points. See README.md.
#   make demo   change propagation on the embedded default (nothing installed):
#               purges counted per change, setup, processing and latency measured
#   make test   lint, start the real services on loopback, run every test with
#               -race, stop them, exit with the tests' status
#   make bench  the benchmarks against the real services
#   make bench-peers  ripple against goka-LevelDB and Kafka Streams (issue 14)
#   make bench-intake  load test of `ripple intake` with wrk (issue 15)
#   make lint   gofmt and go vet
#   make fuzz   each fuzz target for FUZZTIME (make test runs their seeds)

GO        ?= go
TESTFLAGS ?= -race -count=1 -timeout 25m
BENCH     ?= .
BENCHFLAGS ?= -run '^$$' -bench '$(BENCH)' -benchmem -count=1 -timeout 30m

FUZZTIME  ?= 5s

.PHONY: demo test unit lint fuzz bench bench-peers bench-intake services-up services-down

demo:
	$(GO) run ./cmd/ripple demo

test: lint
	deploy/local/with-services $(GO) test -tags integration $(TESTFLAGS) ./...

# Fast tests that need no service (the in-memory harness, kfake).
unit:
	$(GO) test $(TESTFLAGS) ./...

lint:
	@out=$$(gofmt -l .); \
	if [ -n "$$out" ]; then echo "gofmt needed on:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...
	$(GO) vet -tags integration ./...

# Every fuzz target, FUZZTIME each (go test -fuzz takes one target at a
# time). make test runs their seed corpora as plain tests.
fuzz:
	@set -e; for f in $$(grep -rl --include='*_test.go' '^func Fuzz' .); do \
		dir=$$(dirname $$f); \
		for t in $$(sed -n 's/^func \(Fuzz[A-Za-z0-9_]*\)(.*/\1/p' $$f); do \
			echo "$$dir $$t"; $(GO) test -run '^$$' -fuzz "^$$t\$$" -fuzztime $(FUZZTIME) $$dir; \
		done; \
	done

bench:
	deploy/local/with-services $(GO) test -tags integration $(BENCHFLAGS) ./...

# The peer table of BENCHMARKS.md: ripple, goka on LevelDB and Kafka Streams
# 4.1.1 on one input and three jobs against the real broker, which is started
# (and stopped after) unless it runs already; see bench/README.md. It takes
# about 15 minutes a round on two cores. PEERSFLAGS adds flags (go run
# ./bench/peers run -h), e.g. PEERSFLAGS='-rounds 2'; the table is printed
# and written to PEERS_OUT.
PEERSFLAGS ?=
PEERS_OUT  ?= /tmp/ripple-bench-peers.md
bench-peers:
	GO=$(GO) bench/run-peers -out $(PEERS_OUT) $(PEERSFLAGS)

# Load test of `ripple intake` on loopback: wrk POSTs batches of Wikimedia
# page change events, validated and produced to the real broker (started
# unless it runs); prints events/s and events per CPU-second of the intake.
# BATCH, CONNS, DURATION and INTAKE_CPUS tune it (see bench/intake/run).
bench-intake:
	GO=$(GO) bench/intake/run

services-up:
	deploy/local/kafka up
	deploy/local/dgraph up
	deploy/local/alertmanager up
	deploy/local/prometheus up
	deploy/local/postgres up
	deploy/local/redis up

services-down:
	deploy/local/kafka down
	deploy/local/dgraph down
	deploy/local/alertmanager down
	deploy/local/prometheus down
	deploy/local/postgres down
	deploy/local/redis down
