//go:build integration

package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ripplestream/ripple/internal/testenv"
)

// saslPort is the port of this package's own broker when the shared one
// has no SASL_SSL listener (see testenv.KafkaSASL).
const saslPort = 19692

// The CLI on a SASL_SSL listener (SCRAM-SHA-512, TLS with a client
// certificate), its settings from all three places (--brokers on the
// command line, the password in RIPPLE_KAFKA_PASSWORD, the TLS files and
// the user in the --config file): `topology plan --apply` creates the
// topics, `produce` sends a page edit, `run` runs changeprop on it with
// debug logs, and `consume` reads the purge back. Then a wrong password
// (run and consume), an untrusted CA, a user without a password and a
// password SCRAM cannot use fail with errors that say what to do. No log
// line and no error of any of it holds the password, the wrong one or the
// client key.
func TestIntegrationSASLSSLCommands(t *testing.T) {
	secure, plain := testenv.KafkaSASL(t, saslPort)
	sec := secure.Security
	password := string(sec.SASL.Password)
	keyPEM, err := os.ReadFile(sec.TLS.KeyFile)
	if err != nil {
		t.Fatal(err)
	}
	secrets := map[string]string{"the password": password, "the wrong password": "wrong-" + password,
		"the unusable password": "bad\x07" + password}
	for i, line := range strings.Split(string(keyPEM), "\n") {
		if len(line) > 40 && !strings.HasPrefix(line, "-----") {
			secrets[fmt.Sprintf("line %d of the client key", i+1)] = line
		}
	}
	var seen strings.Builder // every output and error of every command
	noSecrets := func(t *testing.T) {
		t.Helper()
		for what, s := range secrets {
			if strings.Contains(seen.String(), s) {
				t.Errorf("the output of the commands holds %s", what)
			}
		}
	}
	defer noSecrets(t)

	job := testenv.Name(t, "sasl")
	pcTopic, purgeTopic := job+".page_change", job+".purge"
	dir := t.TempDir()
	topo := filepath.Join(dir, "topology.yaml")
	writeFile(t, topo, fmt.Sprintf(`streams:
  %[2]s: {partitions: 1, compact: true, schema: ripple/page/dependencies}
  %[3]s: {partitions: 1, retention: 1h, schema: mediawiki/page/change}
  %[4]s: {partitions: 1, schema: ripple/entity/change}
  %[5]s: {partitions: 1, schema: resource_change}
  %[6]s: {partitions: 1}
jobs:
  %[1]s:
    kind: changeprop
    inputs: {dependencies: %[2]s, page_changes: %[3]s, entity_changes: %[4]s}
    outputs: {purges: %[5]s, rerenders: %[6]s}
`, job, job+".deps", pcTopic, job+".entity_change", purgeTopic, job+".rerender"))
	settings := filepath.Join(dir, "ripple.yaml")
	writeFile(t, settings, fmt.Sprintf("kafka-ca-file: %s\nkafka-cert-file: %s\nkafka-key-file: %s\nkafka-user: %s\n",
		sec.TLS.CAFile, sec.TLS.CertFile, sec.TLS.KeyFile, sec.SASL.User))
	t.Setenv("RIPPLE_KAFKA_PASSWORD", password)
	t.Cleanup(func() { deleteTopicsWithPrefix(t, plain.Brokers, job) })
	brokers := strings.Join(secure.Brokers, ",")
	ripple := func(ctx context.Context, stdout io.Writer, args ...string) error {
		logs := &testenv.Buffer{}
		err := run(ctx, append(args, "--brokers", brokers, "--config", settings), stdout, logs)
		fmt.Fprintf(&seen, "%s\n%v\n", logs.String(), err)
		return err
	}

	if err := ripple(context.Background(), io.Discard, "topology", "plan", topo, "--apply"); err != nil {
		t.Fatalf("topology plan --apply over SASL_SSL: %v", err)
	}
	edits := filepath.Join(dir, "edits.jsonl")
	writeFile(t, edits, pageEdit("Secure_page", 1)+"\n")
	if err := ripple(context.Background(), io.Discard, "produce", pcTopic, edits, "--key-field", "wiki_id,page.page_title"); err != nil {
		t.Fatalf("produce over SASL_SSL: %v", err)
	}

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	logs := &testenv.Buffer{}
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"run", topo, "--brokers", brokers, "--config", settings, "--state-dir", t.TempDir(),
			"--metrics-addr", freeAddr(t), "--verbose"}, io.Discard, logs)
	}()
	out := &testenv.Buffer{}
	err = ripple(context.Background(), out, "consume", purgeTopic, "--from-beginning", "--follow", "--max", "1", "--timeout", "90s")
	stopRun(t, cancel, done, logs, time.Minute)
	seen.WriteString(logs.String())
	if err != nil || !strings.Contains(out.String(), `"uri":"https://en.wikipedia.org/wiki/Secure_page"`) {
		t.Fatalf("consume over SASL_SSL: %v; read %q, want the purge of Secure_page\nrun's log:\n%s", err, out.String(), logs.String())
	}
	if !strings.Contains(logs.String(), "kafka=\"SASL_SSL (SCRAM-SHA-512 as ripple, CA "+sec.TLS.CAFile) {
		t.Errorf("run's log does not say how it connects:\n%s", logs.String())
	}

	for _, tc := range []struct {
		name, password string
		args           []string
		want           string
	}{
		{"run with a wrong password", "wrong-" + password, []string{"run", topo, "--state-dir", t.TempDir(), "--metrics-addr", freeAddr(t), "--verbose"},
			`the brokers refused the SASL credentials of user "ripple" (SCRAM-SHA-512): check the password`},
		{"consume with a wrong password", "wrong-" + password, []string{"consume", purgeTopic, "--max", "1"},
			`the brokers refused the SASL credentials of user "ripple" (SCRAM-SHA-512): check the password`},
		{"consume with an untrusted CA", password, []string{"consume", purgeTopic, "--max", "1", "--kafka-ca-file", testenv.UntrustedCA(t)},
			"the brokers' TLS certificate is not signed by the CA in"},
		{"produce without a password", "", []string{"produce", pcTopic, edits},
			`SASL user "ripple" has no password: set it`},
		{"run with a password SCRAM cannot use", "bad\x07" + password, []string{"run", topo, "--state-dir", t.TempDir(), "--metrics-addr", freeAddr(t)},
			"the SASL user name or password has characters SCRAM cannot use"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv("RIPPLE_KAFKA_PASSWORD", tc.password)
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
			defer cancel()
			start := time.Now()
			err := ripple(ctx, io.Discard, tc.args...)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v\nwant one that says %q", err, tc.want)
			}
			t.Logf("failed after %v: %v", time.Since(start).Round(time.Millisecond), err)
		})
	}
}
