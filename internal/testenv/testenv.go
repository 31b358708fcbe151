package testenv

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"runtime/pprof"
	"strings"
	"testing"
	"time"

	"github.com/IBM/sarama"

	"github.com/ripplestream/ripple/internal/kafkaclient"
)

// Environment variables the test command sets for integration tests.
const (
	// EnvKafka holds comma-separated Kafka bootstrap addresses.
	EnvKafka = "RIPPLE_KAFKA_BROKERS"
	// EnvDgraph holds the Dgraph alpha gRPC address.
	EnvDgraph = "RIPPLE_DGRAPH_GRPC"
	// EnvAlertmanager holds the base URL of Prometheus Alertmanager.
	EnvAlertmanager = "RIPPLE_ALERTMANAGER_URL"
	// EnvPrometheus holds the base URL of the Prometheus server.
	EnvPrometheus = "RIPPLE_PROMETHEUS_URL"
	// EnvPrometheusTargets holds the directory of the Prometheus server's
	// file_sd target files.
	EnvPrometheusTargets = "RIPPLE_PROMETHEUS_TARGETS"
	// EnvPostgres holds the connection URL of the PostgreSQL server.
	EnvPostgres = "RIPPLE_POSTGRES_URL"
	// EnvRedis holds the host:port of the Redis server.
	EnvRedis = "RIPPLE_REDIS_ADDR"
)

const (
	startKafka        = "deploy/local/kafka up && export " + EnvKafka + "=127.0.0.1:19092"
	startDgraph       = "deploy/local/dgraph up && export " + EnvDgraph + "=127.0.0.1:9180"
	startAlertmanager = "deploy/local/alertmanager up && export " + EnvAlertmanager + "=http://127.0.0.1:19193"
	startPrometheus   = "deploy/local/prometheus up && export " + EnvPrometheus + "=http://127.0.0.1:19090 " +
		EnvPrometheusTargets + "=$HOME/.cache/ripple/run/prometheus-19090/targets"
	startPostgres = "deploy/local/postgres up && export " + EnvPostgres + "='postgres://ripple@127.0.0.1:15432/ripple?sslmode=disable'"
	startRedis    = "deploy/local/redis up && export " + EnvRedis + "=127.0.0.1:16379"
)

// Kafka returns the client configuration for the real broker named by
// RIPPLE_KAFKA_BROKERS. It fails the test, with the command that starts the
// broker, when the variable is unset or the broker does not answer.
func Kafka(t testing.TB) kafkaclient.Config {
	t.Helper()
	brokers := lookup(t, EnvKafka, "Apache Kafka", startKafka)
	cfg := kafkaclient.Config{Brokers: strings.Split(brokers, ",")}.WithDefaults()
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	for _, b := range cfg.Brokers {
		reachable(t, b, "Apache Kafka", startKafka)
	}
	return cfg
}

// Dgraph returns the gRPC address of the real Dgraph alpha named by
// RIPPLE_DGRAPH_GRPC, failing the test with the command that starts it when
// the variable is unset or nothing answers there.
func Dgraph(t testing.TB) string {
	t.Helper()
	addr := lookup(t, EnvDgraph, "Dgraph", startDgraph)
	reachable(t, addr, "Dgraph", startDgraph)
	return addr
}

// Postgres returns the connection URL of the real PostgreSQL server named
// by RIPPLE_POSTGRES_URL, failing the test with the command that starts it
// when the variable is unset or nothing answers at its host and port.
func Postgres(t testing.TB) string {
	t.Helper()
	v := lookup(t, EnvPostgres, "PostgreSQL", startPostgres)
	u, err := url.Parse(v)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") || u.Host == "" {
		t.Fatalf("%s=%q is not a postgres:// URL with a host and port. Start PostgreSQL from the repository root: %s", EnvPostgres, v, startPostgres)
	}
	reachable(t, u.Host, "PostgreSQL", startPostgres)
	return v
}

// Redis returns the host:port of the real Redis server named by
// RIPPLE_REDIS_ADDR, failing the test with the command that starts it when
// the variable is unset or nothing answers there.
func Redis(t testing.TB) string {
	t.Helper()
	addr := lookup(t, EnvRedis, "Redis", startRedis)
	reachable(t, addr, "Redis", startRedis)
	return addr
}

// Alertmanager returns the base URL (such as http://127.0.0.1:19193) of the
// real Prometheus Alertmanager named by RIPPLE_ALERTMANAGER_URL, failing the
// test with the command that starts it when the variable is unset or
// Alertmanager does not answer /-/ready there.
func Alertmanager(t testing.TB) string {
	t.Helper()
	return readyURL(t, EnvAlertmanager, "Prometheus Alertmanager", startAlertmanager, "deploy/local/alertmanager down")
}

// readyURL returns the base URL in env of a service that answers /-/ready
// (Alertmanager, Prometheus), failing the test with the command that
// starts it when the variable is unset or the service is not ready.
func readyURL(t testing.TB, env, service, start, stop string) string {
	t.Helper()
	base := strings.TrimSuffix(lookup(t, env, service, start), "/")
	u, err := url.Parse(base)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		t.Fatalf("%s=%q is not an http(s) URL. Start %s from the repository root: %s", env, base, service, start)
	}
	reachable(t, u.Host, service, start)
	client := http.Client{Timeout: 10 * time.Second}
	var status string
	err = poll(serviceWait, func() error {
		resp, err := client.Get(base + "/-/ready")
		if err != nil {
			status = ""
			return err
		}
		resp.Body.Close()
		if status = resp.Status; resp.StatusCode != http.StatusOK {
			return fmt.Errorf("/-/ready: %s", resp.Status)
		}
		return nil
	})
	switch {
	case err != nil && status == "":
		t.Fatalf("%s at %s does not answer /-/ready after %v (%v). Start it from the repository root: %s", service, base, serviceWait, err, start)
	case err != nil:
		t.Fatalf("%s at %s is not ready after %v (/-/ready: %s). Restart it from the repository root: %s && %s",
			service, base, serviceWait, status, stop, start)
	}
	return base
}

func lookup(t testing.TB, env, service, start string) string {
	t.Helper()
	v := strings.TrimSpace(os.Getenv(env))
	if v == "" {
		t.Fatalf("%s is not set: this test needs the real %s. Run `make test`, which starts it, "+
			"or from the repository root: %s", env, service, start)
	}
	return v
}

// serviceWait bounds how long a test waits for a service to answer (or
// be ready): on a loaded machine, such as CI running several test
// binaries at once, a service may take seconds to accept a connection.
const serviceWait = 60 * time.Second

func reachable(t testing.TB, addr, service, start string) {
	t.Helper()
	err := poll(serviceWait, func() error {
		conn, err := net.DialTimeout("tcp", addr, 10*time.Second)
		if err != nil {
			return err
		}
		return conn.Close()
	})
	if err != nil {
		t.Fatalf("%s at %s does not answer after %v (%v). Start it from the repository root: %s", service, addr, serviceWait, err, start)
	}
}

var unsafeName = regexp.MustCompile(`[^a-zA-Z0-9._-]+`)

// Name returns a topic or group name unique to this test run, so tests never
// see each other's data on a shared broker.
func Name(t testing.TB, prefix string) string {
	t.Helper()
	var b [4]byte
	if _, err := rand.Read(b[:]); err != nil {
		t.Fatal(err)
	}
	base := unsafeName.ReplaceAllString(t.Name(), "-")
	if len(base) > 80 {
		base = base[:80]
	}
	return prefix + "." + base + "." + hex.EncodeToString(b[:])
}

// CreateTopic creates topic with the given partitions on the broker and
// removes it when the test ends.
func CreateTopic(t testing.TB, cfg kafkaclient.Config, topic string, partitions int32) {
	t.Helper()
	admin, err := sarama.NewClusterAdmin(cfg.Brokers, cfg.Sarama())
	if err != nil {
		t.Fatalf("connecting admin client to %v: %v", cfg.Brokers, err)
	}
	defer admin.Close()
	err = admin.CreateTopic(topic, &sarama.TopicDetail{NumPartitions: partitions, ReplicationFactor: int16(cfg.Replication)}, false)
	if err != nil {
		t.Fatalf("creating topic %s: %v", topic, err)
	}
	t.Cleanup(func() { DeleteTopics(t, cfg, topic) })
	waitForLeaders(t, cfg, topic, partitions)
}

// waitForLeaders returns once every partition of a new topic has a leader,
// so that the test's first produce does not meet "not the leader for some
// partition" while a loaded broker is still electing them.
func waitForLeaders(t testing.TB, cfg kafkaclient.Config, topic string, partitions int32) {
	t.Helper()
	client, err := sarama.NewClient(cfg.Brokers, cfg.Sarama())
	if err != nil {
		t.Fatalf("connecting to %v: %v", cfg.Brokers, err)
	}
	defer client.Close()
	Eventually(t, time.Minute, func() error {
		if err := client.RefreshMetadata(topic); err != nil {
			return err
		}
		for p := range partitions {
			if _, err := client.Leader(topic, p); err != nil {
				return fmt.Errorf("partition %d of %s has no leader yet: %v", p, topic, err)
			}
		}
		return nil
	})
}

// DeleteTopics deletes topics, reporting (not failing on) errors, so a test's
// topics do not pile up on a long-lived local broker.
func DeleteTopics(t testing.TB, cfg kafkaclient.Config, topics ...string) {
	t.Helper()
	admin, err := sarama.NewClusterAdmin(cfg.Brokers, cfg.Sarama())
	if err != nil {
		t.Logf("deleting topics %v: %v", topics, err)
		return
	}
	defer admin.Close()
	for _, topic := range topics {
		if err := admin.DeleteTopic(topic); err != nil {
			t.Logf("deleting topic %s: %v", topic, err)
		}
	}
}

// Eventually polls cond every 50 ms until it returns nil or timeout passes,
// then fails the test with cond's last error and the path of a file that
// holds every goroutine's stack at that moment (what a stuck job waits on).
func Eventually(t testing.TB, timeout time.Duration, cond func() error) {
	t.Helper()
	if err := poll(timeout, cond); err != nil {
		t.Fatalf("condition not met after %v: %v (goroutines: %s)", timeout, err, DumpGoroutines(t))
	}
}

// poll calls cond every 50 ms until it returns nil or timeout passes, and
// returns its last error.
func poll(timeout time.Duration, cond func() error) error {
	deadline := time.Now().Add(timeout)
	for {
		err := cond()
		if err == nil || time.Now().After(deadline) {
			return err
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// DumpGoroutines writes every goroutine's stack to a file in the system's
// temporary directory, which outlives the test, and returns its path.
func DumpGoroutines(t testing.TB) string {
	f, err := os.CreateTemp("", "ripple-goroutines-"+regexp.MustCompile(`[^A-Za-z0-9]+`).ReplaceAllString(t.Name(), "-")+"-*.txt")
	if err != nil {
		return "not written: " + err.Error()
	}
	defer f.Close()
	if err := pprof.Lookup("goroutine").WriteTo(f, 2); err != nil {
		return "not written: " + err.Error()
	}
	return f.Name()
}
