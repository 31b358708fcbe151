package processor

import (
	"bytes"
	"testing"
)

func TestQuotesCanaryIsContainsQuotedCanary(t *testing.T) {
	for _, raw := range []string{
		``, `canary`, `canary"`, `"canary"`, `"canary`, `xcanary"`, `"xcanary"`, `canary""canary"`, `canary" "canary"`,
		`{"meta":{"domain":"canary"}}`, `{"meta":{"domain":"en.wikipedia.org"},"note":"a canary"}`,
		`{"a":"canary","b":1}`, `{"a":"notcanary"}`, `""canary"`, `"canary"canary"`,
	} {
		if got, want := quotesCanary([]byte(raw)), bytes.Contains([]byte(raw), []byte(`"canary"`)); got != want {
			t.Errorf("quotesCanary(%q) = %v, want %v", raw, got, want)
		}
	}
}

func FuzzQuotesCanary(f *testing.F) {
	f.Add([]byte(`{"meta":{"domain":"canary"}}`))
	f.Add([]byte(`xcanary""canary"`))
	f.Fuzz(func(t *testing.T, raw []byte) {
		if got, want := quotesCanary(raw), bytes.Contains(raw, []byte(`"canary"`)); got != want {
			t.Errorf("quotesCanary(%q) = %v, want %v", raw, got, want)
		}
	})
}
