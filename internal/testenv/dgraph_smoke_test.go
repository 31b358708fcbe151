//go:build integration

package testenv_test

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/dgraph-io/dgo/v230"
	"github.com/dgraph-io/dgo/v230/protos/api"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"

	"github.com/ripplestream/ripple/internal/testenv"
)

// TestDgraphSmoke checks the real Dgraph through dgo v230: a schema with a
// reverse edge is altered in, an upsert keeps a node unique by its key, and a
// reverse query finds the dependents.
func TestDgraphSmoke(t *testing.T) {
	addr := testenv.Dgraph(t)
	conn, err := grpc.Dial(addr, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatalf("dial %s: %v", addr, err)
	}
	defer conn.Close()
	dg := dgo.NewDgraphClient(api.NewDgraphClient(conn))
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()

	// Predicates are scoped by a run-unique prefix so reruns on one server
	// never see each other's nodes.
	p := fmt.Sprintf("smoke_%d", time.Now().UnixNano())
	schema := fmt.Sprintf(`%[1]s_key: string @index(exact) @upsert .
%[1]s_uses: [uid] @reverse .`, p)
	if err := dg.Alter(ctx, &api.Operation{Schema: schema}); err != nil {
		t.Fatalf("alter schema: %v", err)
	}

	upsert := func(page, template string) {
		t.Helper()
		q := fmt.Sprintf(`query {
  page as var(func: eq(%[1]s_key, %[2]q))
  tpl as var(func: eq(%[1]s_key, %[3]q))
}`, p, page, template)
		nquads := fmt.Sprintf(`uid(page) <%[1]s_key> %[2]q .
uid(tpl) <%[1]s_key> %[3]q .
uid(page) <%[1]s_uses> uid(tpl) .`, p, page, template)
		req := &api.Request{Query: q, Mutations: []*api.Mutation{{SetNquads: []byte(nquads)}}, CommitNow: true}
		if _, err := dg.NewTxn().Do(ctx, req); err != nil {
			t.Fatalf("upsert %s -> %s: %v", page, template, err)
		}
	}
	upsert("enwiki:Alpha", "enwiki:Template:Box")
	upsert("enwiki:Beta", "enwiki:Template:Box")
	upsert("enwiki:Alpha", "enwiki:Template:Box") // the same edge again: no new node

	q := fmt.Sprintf(`{
  tpl(func: eq(%[1]s_key, "enwiki:Template:Box")) {
    count(uid)
    users: ~%[1]s_uses(orderasc: %[1]s_key) { key: %[1]s_key }
  }
  all(func: has(%[1]s_key)) { count(uid) }
}`, p)
	resp, err := dg.NewReadOnlyTxn().Query(ctx, q)
	if err != nil {
		t.Fatalf("query: %v", err)
	}
	var got struct {
		Tpl []struct {
			Count int `json:"count"`
			Users []struct {
				Key string `json:"key"`
			} `json:"users"`
		} `json:"tpl"`
		All []struct {
			Count int `json:"count"`
		} `json:"all"`
	}
	if err := json.Unmarshal(resp.Json, &got); err != nil {
		t.Fatalf("decode %s: %v", resp.Json, err)
	}
	if len(got.All) != 1 || got.All[0].Count != 3 {
		t.Fatalf("want 3 unique nodes, got %s", resp.Json)
	}
	var users []string
	for _, tpl := range got.Tpl {
		for _, u := range tpl.Users {
			users = append(users, u.Key)
		}
	}
	if fmt.Sprint(users) != "[enwiki:Alpha enwiki:Beta]" {
		t.Fatalf("reverse edge: want [enwiki:Alpha enwiki:Beta], got %v (%s)", users, resp.Json)
	}
	if err := dg.Alter(ctx, &api.Operation{DropOp: api.Operation_ATTR, DropValue: p + "_uses"}); err != nil {
		t.Errorf("drop %s_uses: %v", p, err)
	}
	if err := dg.Alter(ctx, &api.Operation{DropOp: api.Operation_ATTR, DropValue: p + "_key"}); err != nil {
		t.Errorf("drop %s_key: %v", p, err)
	}
}
