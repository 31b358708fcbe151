//go:build integration

package main

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ripplestream/ripple/internal/testenv"
)

// `ripple produce` then `ripple consume` on the real broker: the good lines
// arrive keyed by their title, a bad line is skipped, and a consumer that
// follows the stream sees a record produced after it started.
func TestIntegrationProduceConsume(t *testing.T) {
	kc := testenv.Kafka(t)
	stream := testenv.Name(t, "produce")
	testenv.CreateTopic(t, kc, stream, 2)
	t.Cleanup(func() { testenv.DeleteTopics(t, kc, stream) })
	brokers := []string{"--brokers", strings.Join(kc.Brokers, ",")}

	file := filepath.Join(t.TempDir(), "in.jsonl")
	in := pageEdit("A", 1) + "\n" + `{"$schema":"/mediawiki/page/change/1.2.0"}` + "\n" + pageEdit("B", 2) + "\n"
	if err := os.WriteFile(file, []byte(in), 0o644); err != nil {
		t.Fatal(err)
	}
	var errOut bytes.Buffer
	err := run(context.Background(), append([]string{"produce", stream, file, "--key-field", "page.page_title"}, brokers...), io.Discard, &errOut)
	if err == nil || !strings.Contains(errOut.String(), "3 lines: 2 sent, 1 bad") {
		t.Fatalf("produce: %v\n%s", err, errOut.String())
	}
	recs := testenv.ReadTopic(t, kc, stream, 2, 30*time.Second)
	keys := map[string]bool{}
	for _, r := range recs {
		keys[string(r.Key)] = true
	}
	if !keys["A"] || !keys["B"] {
		t.Fatalf("records keyed %v, want A and B", keys)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	out := &testenv.Buffer{}
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, append([]string{"consume", stream, "--from-beginning", "--follow", "--max", "3", "--timeout", "50s"}, brokers...), out, io.Discard)
	}()
	testenv.Eventually(t, 30*time.Second, func() error {
		if n := strings.Count(out.String(), "\n"); n < 2 {
			return io.ErrShortBuffer
		}
		return nil
	})
	if err := os.WriteFile(file, []byte(pageEdit("C", 3)+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := run(context.Background(), append([]string{"produce", stream, "--file", file, "--key-field", "page.page_title"}, brokers...), io.Discard, io.Discard); err != nil {
		t.Fatalf("second produce: %v", err)
	}
	if err := <-done; err != nil {
		t.Fatalf("consume --follow: %v\n%s", err, out.String())
	}
	if got := out.String(); strings.Count(got, "\n") != 3 || !strings.Contains(got, `"page_title":"C"`) {
		t.Fatalf("consume --follow printed:\n%s", got)
	}
}
