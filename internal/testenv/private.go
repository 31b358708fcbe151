package testenv

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/ripplestream/ripple/internal/kafkaclient"
)

// PrivateKafka is a Kafka broker of one test's own, started by the
// project's script (deploy/local/kafka) on its own port, so that the test
// can stop and restart it without touching the broker other tests share.
type PrivateKafka struct {
	t    testing.TB
	port int
	root string
	// Config is the client configuration for the broker.
	Config kafkaclient.Config
}

// StartPrivateKafka starts a broker on 127.0.0.1:port (its controller
// takes port+1) with the same cached jars as the shared one, and stops and
// deletes it when the test ends. It needs the shared broker's environment,
// so it runs only where Kafka does (it fails the test otherwise).
func StartPrivateKafka(t testing.TB, port int) *PrivateKafka {
	t.Helper()
	Kafka(t) // the shared broker's jars and JDK are installed
	k := &PrivateKafka{t: t, port: port, root: RepoRoot(t)}
	k.Config = kafkaclient.Config{Brokers: []string{"127.0.0.1:" + strconv.Itoa(port)}}.WithDefaults()
	if err := k.Config.Validate(); err != nil {
		t.Fatal(err)
	}
	k.script("clean") // leftovers of an interrupted run
	t.Cleanup(func() { k.script("clean") })
	k.Start()
	return k
}

// Start starts the broker (again), returning once it answers.
func (k *PrivateKafka) Start() { k.t.Helper(); k.must("up") }

// Stop stops the broker, keeping its data.
func (k *PrivateKafka) Stop() { k.t.Helper(); k.must("down") }

func (k *PrivateKafka) must(verb string) {
	k.t.Helper()
	if out, err := k.script(verb); err != nil {
		k.t.Fatalf("deploy/local/kafka %s on port %d: %v\n%s", verb, k.port, err, out)
	}
}

func (k *PrivateKafka) script(verb string) ([]byte, error) {
	cmd := exec.Command(filepath.Join(k.root, "deploy", "local", "kafka"), verb)
	cmd.Env = append(os.Environ(), "RIPPLE_KAFKA_PORT="+strconv.Itoa(k.port), "RIPPLE_KAFKA_HEAP=512m")
	return cmd.CombinedOutput()
}

// RepoRoot returns the repository's root: the directory of go.mod above the
// test's working directory.
func RepoRoot(t testing.TB) string {
	t.Helper()
	out, err := exec.Command("go", "env", "GOMOD").Output()
	gomod := strings.TrimSpace(string(out))
	if err != nil || gomod == "" || gomod == os.DevNull {
		t.Fatalf("finding the repository root with `go env GOMOD`: %v (%q)", err, gomod)
	}
	return filepath.Dir(gomod)
}

// PrivateDgraph is a Dgraph instance (one zero, one alpha) of one test's
// own, started by the project's script (deploy/local/dgraph) with its own
// port offset, so that the test can stop or freeze its alpha without
// touching the instance other tests share.
type PrivateDgraph struct {
	t      testing.TB
	offset int
	root   string
	// Addr is the alpha's gRPC address.
	Addr string
}

// StartPrivateDgraph starts an instance whose ports are Dgraph's defaults
// plus offset (alpha gRPC 9080+offset; pick one no other instance uses: the
// shared one has 100), and stops and deletes it when the test ends. It
// needs the shared instance's environment (the cached binary), so it runs
// only where Dgraph does (it fails the test otherwise).
func StartPrivateDgraph(t testing.TB, offset int) *PrivateDgraph {
	t.Helper()
	Dgraph(t) // the shared instance runs, so the binary is built
	d := &PrivateDgraph{t: t, offset: offset, root: RepoRoot(t), Addr: "127.0.0.1:" + strconv.Itoa(9080+offset)}
	d.script("down") // leftovers of an interrupted run
	t.Cleanup(func() {
		if out, err := d.script("down"); err != nil {
			t.Logf("deploy/local/dgraph down (offset %d): %v\n%s", offset, err, out)
		}
	})
	d.must("up")
	return d
}

// StopAlpha stops the alpha, keeping its data.
func (d *PrivateDgraph) StopAlpha() { d.t.Helper(); d.must("alpha-down") }

// StartAlpha starts the alpha again on its data, returning once it is
// healthy.
func (d *PrivateDgraph) StartAlpha() { d.t.Helper(); d.must("alpha-up") }

// FreezeAlpha stops the alpha's process with SIGSTOP: its ports stay open
// but it answers nothing, as a hung server.
func (d *PrivateDgraph) FreezeAlpha() { d.t.Helper(); d.must("alpha-freeze") }

// ThawAlpha resumes a frozen alpha with SIGCONT.
func (d *PrivateDgraph) ThawAlpha() { d.t.Helper(); d.must("alpha-thaw") }

func (d *PrivateDgraph) must(verb string) {
	d.t.Helper()
	if out, err := d.script(verb); err != nil {
		d.t.Fatalf("deploy/local/dgraph %s with offset %d: %v\n%s", verb, d.offset, err, out)
	}
}

func (d *PrivateDgraph) script(verb string) ([]byte, error) {
	cmd := exec.Command(filepath.Join(d.root, "deploy", "local", "dgraph"), verb)
	cmd.Env = append(os.Environ(), "RIPPLE_DGRAPH_PORT_OFFSET="+strconv.Itoa(d.offset))
	return cmd.CombinedOutput()
}
