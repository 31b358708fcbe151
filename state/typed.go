package state

import (
	"fmt"

	"github.com/lovoo/goka/storage"
)

// Codec encodes and decodes values of type T. It is the part of
// event.Codec[T] that the typed helpers need, declared here where it is
// used; every event.Codec[T] satisfies it.
type Codec[T any] interface {
	Encode(T) ([]byte, error)
	Decode([]byte) (T, error)
}

// GetTyped reads key from s and decodes it with c. It returns false and the
// zero T if the key does not exist.
func GetTyped[T any](s storage.Storage, c Codec[T], key string) (T, bool, error) {
	var zero T
	data, err := s.Get(key)
	if err != nil || data == nil {
		return zero, false, err
	}
	v, err := c.Decode(data)
	if err != nil {
		return zero, false, fmt.Errorf("state: decode key %q: %w", key, err)
	}
	return v, true, nil
}

// SetTyped encodes v with c and stores it under key.
func SetTyped[T any](s storage.Storage, c Codec[T], key string, v T) error {
	data, err := c.Encode(v)
	if err != nil {
		return fmt.Errorf("state: encode key %q: %w", key, err)
	}
	return s.Set(key, data)
}
