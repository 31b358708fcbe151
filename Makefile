# ripple's entry points. See README.md.
#   make demo   change propagation on the embedded default (nothing installed):
#               purges counted per change, setup, processing and latency measured
#   make test   lint, start Kafka and Dgraph on loopback, run every test with
#               -race, stop them, exit with the tests' status
#   make bench  the benchmarks against the real services
#   make lint   gofmt and go vet

GO        ?= go
TESTFLAGS ?= -race -count=1 -timeout 25m
BENCH     ?= .
BENCHFLAGS ?= -run '^$$' -bench '$(BENCH)' -benchmem -count=1 -timeout 30m

.PHONY: demo test unit lint bench services-up services-down

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

bench:
	deploy/local/with-services $(GO) test -tags integration $(BENCHFLAGS) ./...

services-up:
	deploy/local/kafka up
	deploy/local/dgraph up
	deploy/local/alertmanager up
	deploy/local/prometheus up

services-down:
	deploy/local/kafka down
	deploy/local/dgraph down
	deploy/local/alertmanager down
	deploy/local/prometheus down
