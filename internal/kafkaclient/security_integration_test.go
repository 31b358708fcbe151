//go:build integration

package kafkaclient_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/IBM/sarama"

	"github.com/ripplestream/ripple/internal/kafkaclient"
	"github.com/ripplestream/ripple/internal/testenv"
)

// saslPort is the port of this package's own broker when the shared one
// has no SASL_SSL listener (see testenv.KafkaSASL).
const saslPort = 19592

// TestIntegrationSASLSSL creates a topic and sends and reads records over
// the broker's SASL_SSL listener (SCRAM-SHA-512, TLS with a client
// certificate) with nothing but Config.Security, and checks that a wrong
// password and an untrusted CA fail fast with errors that say what to do and never contain
// the password.
func TestIntegrationSASLSSL(t *testing.T) {
	secure, _ := testenv.KafkaSASL(t, saslPort)
	password := string(secure.Security.SASL.Password)

	t.Run("works", func(t *testing.T) {
		topic := testenv.Name(t, "sasl")
		tm, err := secure.TopicManager()
		if err != nil {
			t.Fatal(err)
		}
		defer tm.Close()
		t.Cleanup(func() { testenv.DeleteTopics(t, secure, topic) })
		if err := tm.EnsureStreamExists(topic, 2); err != nil {
			t.Fatal(err)
		}
		testenv.Produce(t, secure, topic, []testenv.Record{{Key: []byte("a"), Value: []byte("1")}, {Key: []byte("b"), Value: []byte("2")}})
		got := testenv.ReadTopic(t, secure, topic, 2, 30*time.Second)
		if len(got) != 2 {
			t.Fatalf("read %d records over SASL_SSL, want 2", len(got))
		}
	})

	wrongPassword := secure
	wrongPassword.Security.SASL.Password = kafkaclient.Secret(password + "-wrong")
	untrusted := secure
	untrusted.Security.TLS.CAFile = testenv.UntrustedCA(t)
	for _, tc := range []struct {
		name string
		cfg  kafkaclient.Config
		hint string
	}{
		{"wrong password", wrongPassword, `the brokers refused the SASL credentials of user "ripple" (SCRAM-SHA-512): check the password`},
		{"untrusted CA", untrusted, "the brokers' TLS certificate is not signed by the CA in " + untrusted.Security.TLS.CAFile},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sc := tc.cfg.Sarama()
			sc.Metadata.Retry.Max = 0
			start := time.Now()
			c, err := sarama.NewClient(tc.cfg.Brokers, sc)
			if err == nil {
				c.Close()
				t.Fatal("connected; want a refusal")
			}
			err = tc.cfg.Security.Explain(err)
			var re *kafkaclient.RefusedError
			if !errors.As(err, &re) || !kafkaclient.Refused(err) {
				t.Fatalf("error %q (%T) is no RefusedError", err, err)
			}
			if !strings.Contains(err.Error(), tc.hint) {
				t.Errorf("error %q\nwant the hint %q", err, tc.hint)
			}
			if strings.Contains(err.Error(), password) {
				t.Errorf("error %q contains the password", err)
			}
			t.Logf("failed after %v: %v", time.Since(start).Round(time.Millisecond), err)
		})
	}
}
