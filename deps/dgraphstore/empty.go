package dgraphstore

import (
	"context"
	"encoding/json"
	"fmt"
)

// Empty reports whether the store holds no node under its prefix: no page
// and no target of an edge.
func (s *Store) Empty(ctx context.Context) (bool, error) {
	release, err := s.acquire(ctx)
	if err != nil {
		return false, err
	}
	defer release()
	txn := s.dg().NewReadOnlyTxn()
	defer txn.Discard(ctx)
	resp, err := txn.Query(ctx, fmt.Sprintf("{ n(func: has(%s), first: 1) { uid } }", s.p.key))
	if err != nil {
		return false, s.wrap(ctx, "empty", err)
	}
	var res struct {
		N []struct{ UID string } `json:"n"`
	}
	if err := json.Unmarshal(resp.Json, &res); err != nil {
		return false, fmt.Errorf("dgraphstore: decoding the empty query: %w", err)
	}
	return len(res.N) == 0, nil
}
