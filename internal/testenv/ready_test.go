package testenv_test

import (
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"

	"github.com/ripplestream/ripple/internal/testenv"
)

// TestWaitsUntilReady: a service that is up but not ready yet (as
// Alertmanager is while it loads, on a loaded machine) is waited for, not
// failed at the first answer.
func TestWaitsUntilReady(t *testing.T) {
	var asked atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/-/ready" {
			http.NotFound(w, r)
			return
		}
		if asked.Add(1) <= 3 {
			http.Error(w, "loading", http.StatusServiceUnavailable)
		}
	}))
	defer srv.Close()
	t.Setenv(testenv.EnvAlertmanager, srv.URL)
	if got := testenv.Alertmanager(t); got != srv.URL {
		t.Errorf("Alertmanager = %q, want %q", got, srv.URL)
	}
	if n := asked.Load(); n != 4 {
		t.Errorf("/-/ready asked %d times, want 4 (three 503s, then 200)", n)
	}
}
