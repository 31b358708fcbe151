package schematest

import (
	"encoding/json"
	"errors"
	"testing"

	"github.com/ripplestream/ripple/event"
	"github.com/ripplestream/ripple/schemas"
)

// Mutate returns the JSON event raw changed by change.
func Mutate(t *testing.T, raw []byte, change func(map[string]any)) []byte {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	change(m)
	b, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// Violation checks that the repository refuses raw, first at path.
func Violation(t *testing.T, repo *event.Repository, name string, raw []byte, path string) {
	t.Helper()
	var ve *event.ValidationError
	if err := repo.Validate(raw); !errors.As(err, &ve) {
		t.Errorf("%s: Validate = %v, want a *event.ValidationError", name, err)
	} else if ve.Path != path {
		t.Errorf("%s: violation at %s (%v), want at %s", name, ve.Path, ve, path)
	}
}

// Repository opens ripple's own schema repository (package schemas).
func Repository(t testing.TB) *event.Repository {
	t.Helper()
	repo, err := event.OpenRepositoryFS(schemas.FS())
	if err != nil {
		t.Fatal(err)
	}
	return repo
}
