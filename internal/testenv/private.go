package testenv

import (
	"encoding/json"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ripplestream/ripple/internal/kafkaclient"
)

// PrivateKafka is a Kafka broker of one test's own, started by the
// project's script (deploy/local/kafka) on its own port, so that the test
// can stop and restart it without touching the broker other tests share.
type PrivateKafka struct {
	t    testing.TB
	port int
	sasl bool
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
	return startPrivateKafka(t, port, false)
}

func startPrivateKafka(t testing.TB, port int, sasl bool) *PrivateKafka {
	t.Helper()
	Kafka(t) // the shared broker's jars and JDK are installed
	k := &PrivateKafka{t: t, port: port, sasl: sasl, root: RepoRoot(t)}
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
	sasl := "off"
	if k.sasl {
		sasl = strconv.Itoa(k.port + 2)
	}
	cmd.Env = append(os.Environ(), "RIPPLE_KAFKA_PORT="+strconv.Itoa(k.port), "RIPPLE_KAFKA_HEAP=512m",
		"RIPPLE_KAFKA_SASL_PORT="+sasl)
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

// PrivateDgraph is a Dgraph instance (one zero, one alpha or a group of
// replicas) of one test's own, started by the project's script
// (deploy/local/dgraph) with its own port offset, so that the test can
// stop, kill or freeze its alphas without touching the instance other
// tests share.
type PrivateDgraph struct {
	t      testing.TB
	offset int
	opts   DgraphOptions
	root   string
	// Addr is alpha 0's gRPC address.
	Addr string
	// Addrs are the gRPC addresses of every alpha, alpha i's at i.
	Addrs []string
}

// DgraphOptions shape a private Dgraph instance. The zero value is one
// alpha of the version make test runs, in plaintext.
type DgraphOptions struct {
	// Alphas is how many alphas, all replicas of one group (zero's
	// --replicas); odd. Default 1.
	Alphas int
	// TLSDir, when set, makes the alphas serve TLS with certificates the
	// script makes there (ca.crt, node.crt for 127.0.0.1,
	// client.ripple.crt and their keys).
	TLSDir string
	// Version is the Dgraph version, such as v24.1.0, built from the tools
	// module ~/.cache/ripple/tools/dgraph-VERSION. Default: the script's.
	Version string
}

// StartPrivateDgraph starts an instance whose ports are Dgraph's defaults
// plus offset (alpha gRPC 9080+offset; pick one no other instance uses: the
// shared one has 100), and stops and deletes it when the test ends. It
// needs the shared instance's environment (the cached binary), so it runs
// only where Dgraph does (it fails the test otherwise).
func StartPrivateDgraph(t testing.TB, offset int) *PrivateDgraph {
	t.Helper()
	return StartPrivateDgraphWith(t, offset, DgraphOptions{})
}

// StartPrivateDgraphWith is StartPrivateDgraph with options. Alpha i takes
// the ports of offset+i, so leave room up to offset+Alphas-1.
func StartPrivateDgraphWith(t testing.TB, offset int, opts DgraphOptions) *PrivateDgraph {
	t.Helper()
	Dgraph(t) // the shared instance runs, so the binary is built
	if opts.Alphas == 0 {
		opts.Alphas = 1
	}
	d := &PrivateDgraph{t: t, offset: offset, opts: opts, root: RepoRoot(t), Addr: "127.0.0.1:" + strconv.Itoa(9080+offset)}
	for i := range opts.Alphas {
		d.Addrs = append(d.Addrs, "127.0.0.1:"+strconv.Itoa(9080+offset+i))
	}
	d.script("down") // leftovers of an interrupted run
	t.Cleanup(func() {
		if out, err := d.script("down"); err != nil {
			t.Logf("deploy/local/dgraph down (offset %d): %v\n%s", offset, err, out)
		}
	})
	if opts.TLSDir != "" {
		d.must("certs")
	}
	d.must("up")
	return d
}

// DgraphCerts makes a CA, a node certificate for 127.0.0.1 and localhost,
// and the client certificate client.ripple.crt with their keys in dir,
// with `dgraph cert` (deploy/local/dgraph certs), and returns the path of
// the CA's certificate.
func DgraphCerts(t testing.TB, dir string) string {
	t.Helper()
	Dgraph(t) // the binary is built
	cmd := exec.Command(filepath.Join(RepoRoot(t), "deploy", "local", "dgraph"), "certs")
	cmd.Env = append(os.Environ(), "RIPPLE_DGRAPH_TLS_DIR="+dir)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("deploy/local/dgraph certs in %s: %v\n%s", dir, err, out)
	}
	return filepath.Join(dir, "ca.crt")
}

// StopAlpha stops alpha 0, keeping its data.
func (d *PrivateDgraph) StopAlpha() { d.t.Helper(); d.must("alpha-down") }

// StartAlpha starts alpha 0 again on its data, returning once it is
// healthy.
func (d *PrivateDgraph) StartAlpha() { d.t.Helper(); d.must("alpha-up") }

// FreezeAlpha stops alpha 0's process with SIGSTOP: its ports stay open
// but it answers nothing, as a hung server.
func (d *PrivateDgraph) FreezeAlpha() { d.t.Helper(); d.must("alpha-freeze") }

// ThawAlpha resumes a frozen alpha 0 with SIGCONT.
func (d *PrivateDgraph) ThawAlpha() { d.t.Helper(); d.must("alpha-thaw") }

// KillAlpha kills alpha i with SIGKILL (kill -9), keeping its data, and
// returns once the process is gone.
func (d *PrivateDgraph) KillAlpha(i int) { d.t.Helper(); d.must("alpha-kill", strconv.Itoa(i)) }

// RestartAlpha starts alpha i again on its data after KillAlpha,
// returning once it is healthy.
func (d *PrivateDgraph) RestartAlpha(i int) { d.t.Helper(); d.must("alpha-up", strconv.Itoa(i)) }

// Leader returns the index of the alpha that leads group 1, as zero's
// /state says, failing the test when none does.
func (d *PrivateDgraph) Leader() int {
	d.t.Helper()
	url := "http://127.0.0.1:" + strconv.Itoa(6080+d.offset) + "/state"
	client := http.Client{Timeout: 5 * time.Second}
	resp, err := client.Get(url)
	if err != nil {
		d.t.Fatalf("asking Dgraph zero for the group's leader: %v", err)
	}
	defer resp.Body.Close()
	var state struct {
		Groups map[string]struct {
			Members map[string]struct {
				Addr   string `json:"addr"`
				Leader bool   `json:"leader"`
			} `json:"members"`
		} `json:"groups"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&state); err != nil {
		d.t.Fatalf("decoding %s: %v", url, err)
	}
	for _, m := range state.Groups["1"].Members {
		if !m.Leader {
			continue
		}
		_, port, _ := strings.Cut(m.Addr, ":")
		if i, err := strconv.Atoi(port); err == nil && i-7080-d.offset >= 0 && i-7080-d.offset < len(d.Addrs) {
			return i - 7080 - d.offset
		}
	}
	d.t.Fatalf("zero (%s) names no leader of group 1 among the alphas", url)
	return -1
}

func (d *PrivateDgraph) must(args ...string) {
	d.t.Helper()
	if out, err := d.script(args...); err != nil {
		d.t.Fatalf("deploy/local/dgraph %s with offset %d: %v\n%s", strings.Join(args, " "), d.offset, err, out)
	}
}

func (d *PrivateDgraph) script(args ...string) ([]byte, error) {
	cmd := exec.Command(filepath.Join(d.root, "deploy", "local", "dgraph"), args...)
	cmd.Env = append(os.Environ(), "RIPPLE_DGRAPH_PORT_OFFSET="+strconv.Itoa(d.offset),
		"RIPPLE_DGRAPH_ALPHAS="+strconv.Itoa(d.opts.Alphas), "RIPPLE_DGRAPH_TLS_DIR="+d.opts.TLSDir)
	if d.opts.Version != "" {
		cmd.Env = append(cmd.Env, "RIPPLE_DGRAPH_VERSION="+d.opts.Version)
	}
	return cmd.CombinedOutput()
}
