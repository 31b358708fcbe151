package configerr_test

import (
	"errors"
	"fmt"
	"io"
	"testing"

	"github.com/ripplestream/ripple/internal/configerr"
)

func TestOneIdentityAcrossPackages(t *testing.T) {
	a, b := configerr.New("dedupe"), configerr.New("state")
	err := fmt.Errorf("%w: TTL -1s is negative", a)
	if got := err.Error(); got != "dedupe: invalid config: TTL -1s is negative" {
		t.Errorf("message %q", got)
	}
	if !errors.Is(err, a) || !errors.Is(err, b) {
		t.Errorf("errors.Is(%v, each package's ErrInvalidConfig) = %v, %v; want true, true", err, errors.Is(err, a), errors.Is(err, b))
	}
	if errors.Is(io.EOF, a) || errors.Is(errors.New("dedupe: invalid config"), a) {
		t.Error("an error that does not wrap an ErrInvalidConfig matches it")
	}
}
