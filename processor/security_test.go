package processor_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/ripplestream/ripple/event"
	"github.com/ripplestream/ripple/processor"
)

// TestConfigSecurity: a job's config checks its Kafka security when the
// runner is made, and prints without the password.
func TestConfigSecurity(t *testing.T) {
	const password = "s3cret-Pa55word"
	job := processor.Job[int]{Name: "sec", Inputs: []processor.Input[int]{processor.On("in", event.Raw{}, func(*processor.Context[int], string, []byte) error { return nil })}}
	cfg := processor.Config{Brokers: []string{"127.0.0.1:19094"}, Security: processor.Security{
		TLS: processor.TLS{Enable: true}, SASL: processor.SASL{User: "ripple", Password: password}}}
	if _, err := processor.NewRunner(job, cfg); err != nil {
		t.Fatalf("NewRunner with SCRAM over TLS: %v", err)
	}
	for _, s := range []string{fmt.Sprintf("%+v", cfg), fmt.Sprintf("%#v", cfg), fmt.Sprint(cfg.WithDefaults())} {
		if strings.Contains(s, password) {
			t.Fatalf("the config prints its password: %s", s)
		}
	}
	if got := cfg.WithDefaults().Security.SASL.Mechanism; got != "SCRAM-SHA-512" {
		t.Errorf("default mechanism %q, want SCRAM-SHA-512", got)
	}

	cfg.Security.SASL.Password = ""
	_, err := processor.NewRunner(job, cfg)
	if !errors.Is(err, processor.ErrInvalidConfig) || !strings.Contains(err.Error(), `SASL user "ripple" has no password`) {
		t.Fatalf("NewRunner with a user and no password: %v; want ErrInvalidConfig saying so", err)
	}
}
