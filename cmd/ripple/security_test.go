package main

import (
	"bytes"
	"context"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spf13/cobra"

	"github.com/ripplestream/ripple/processor/prommetrics"
)

// kafkaSecurityFlags are the flags securityFlags declares.
var kafkaSecurityFlags = []string{"kafka-tls", "kafka-ca-file", "kafka-cert-file", "kafka-key-file", "kafka-server-name",
	"kafka-sasl-mechanism", "kafka-user", "kafka-password"}

// walkCommands calls f for every command of the tree.
func walkCommands(c *cobra.Command, f func(*cobra.Command)) {
	f(c)
	for _, s := range c.Commands() {
		walkCommands(s, f)
	}
}

// TestEveryKafkaCommandTakesSecurity: a command that talks to Kafka (it
// has --brokers) takes the TLS and SASL flags too, so none of them can
// only reach a PLAINTEXT listener.
func TestEveryKafkaCommandTakesSecurity(t *testing.T) {
	var names []string
	walkCommands(newRoot(io.Discard, io.Discard), func(c *cobra.Command) {
		if c.Flags().Lookup("brokers") == nil {
			return
		}
		names = append(names, c.CommandPath())
		for _, name := range kafkaSecurityFlags {
			if c.Flags().Lookup(name) == nil {
				t.Errorf("%s has --brokers but no --%s", c.CommandPath(), name)
			}
		}
	})
	if len(names) < 7 { // run, topology plan, produce, consume, errors list and replay, bench changeprop
		t.Errorf("only %v have --brokers", names)
	}
	t.Logf("%d commands take --brokers and the security flags: %v", len(names), names)
}

// TestHTTPServersBindLoopbackByDefault: the one HTTP server ripple starts
// (/metrics, /healthz, /readyz of `ripple run` and topology.Run) listens
// on loopback unless told otherwise.
func TestHTTPServersBindLoopbackByDefault(t *testing.T) {
	loopback := func(what, addr string) {
		host, _, err := net.SplitHostPort(addr)
		if ip := net.ParseIP(host); err != nil || ip == nil || !ip.IsLoopback() {
			t.Errorf("%s %q is not a loopback address", what, addr)
		}
	}
	loopback("prommetrics.DefaultAddr (what topology.Run serves on when RunConfig.MetricsAddr is empty)", prommetrics.DefaultAddr)
	walkCommands(newRoot(io.Discard, io.Discard), func(c *cobra.Command) {
		for _, name := range []string{"metrics-addr", "addr", "listen", "http-addr"} {
			if f := c.Flags().Lookup(name); f != nil {
				loopback(c.CommandPath()+" --"+name+" default", f.DefValue)
			}
		}
	})
}

// TestSecuritySettingsErrorsHideThePassword: settings that cannot work,
// from flags, the environment or the --config file, fail before any
// connection with errors that say what to fix and do not hold the
// password.
func TestSecuritySettingsErrorsHideThePassword(t *testing.T) {
	const password = "s3cret-Pa55word"
	dir := t.TempDir()
	topo := filepath.Join(dir, "topology.yaml")
	writeFile(t, topo, "streams:\n  in: {partitions: 1}\n  out: {partitions: 1}\njobs:\n  j:\n    kind: errorlog\n    inputs: {client_errors: in}\n    outputs: {errors: out}\n")
	badBool := filepath.Join(dir, "bad-bool.yaml")
	writeFile(t, badBool, "kafka-password: "+password+"\nkafka-tls: maybe\n")
	plainNoTLS := filepath.Join(dir, "plain.yaml")
	writeFile(t, plainNoTLS, "kafka-user: ripple\nkafka-password: "+password+"\nkafka-sasl-mechanism: PLAIN\n")
	for _, tc := range []struct {
		name string
		env  string // RIPPLE_KAFKA_PASSWORD
		args []string
		want string
	}{
		{"password flag without user", "", []string{"consume", "s", "--brokers", "127.0.0.1:1", "--kafka-password", password}, "a SASL password without a user"},
		{"password from the environment without user", password, []string{"produce", "s", "--brokers", "127.0.0.1:1"}, "a SASL password without a user"},
		{"bad value beside the password in --config", "", []string{"consume", "s", "--brokers", "127.0.0.1:1", "--config", badBool}, `kafka-tls="maybe"`},
		{"PLAIN without TLS from --config", "", []string{"errors", "list", "j", "--brokers", "127.0.0.1:1", "--config", plainNoTLS}, "SASL PLAIN without TLS would send the password in clear"},
		{"missing CA file", password, []string{"topology", "plan", topo, "--apply", "--brokers", "127.0.0.1:1", "--kafka-user", "ripple", "--kafka-ca-file", filepath.Join(dir, "none.pem")}, "TLS CA file: open"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv("RIPPLE_KAFKA_PASSWORD", tc.env)
			if tc.env == "" {
				os.Unsetenv("RIPPLE_KAFKA_PASSWORD") // set but empty would win over --config
			}
			var stderr bytes.Buffer
			err := run(context.Background(), tc.args, io.Discard, &stderr)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v; want one saying %q", err, tc.want)
			}
			if strings.Contains(err.Error()+stderr.String(), password) {
				t.Errorf("the error or the output holds the password: %v\n%s", err, stderr.String())
			}
		})
	}
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}
