//go:build integration

package kafkaclient_test

import (
	"testing"
	"time"

	"github.com/ripplestream/ripple/internal/testenv"
)

// TestIntegrationTopicManagerCreates creates a stream and a table and finds
// both, with their partition counts, in the metadata as soon as the calls
// return (goka's own wait is turned off), and a second call for an existing
// topic succeeds.
func TestIntegrationTopicManagerCreates(t *testing.T) {
	kc := testenv.Kafka(t)
	tm, err := kc.TopicManager()
	if err != nil {
		t.Fatal(err)
	}
	defer tm.Close()
	stream, table := testenv.Name(t, "tm-stream"), testenv.Name(t, "tm-table")
	t.Cleanup(func() { testenv.DeleteTopics(t, kc, stream, table) })

	start := time.Now()
	if err := tm.EnsureStreamExists(stream, 3); err != nil {
		t.Fatal(err)
	}
	if err := tm.EnsureTableExists(table, 2); err != nil {
		t.Fatal(err)
	}
	took := time.Since(start)
	for topic, want := range map[string]int{stream: 3, table: 2} {
		parts, err := tm.Partitions(topic)
		if err != nil || len(parts) != want {
			t.Fatalf("%s right after creation: %d partitions, %v; want %d", topic, len(parts), err, want)
		}
	}
	t.Logf("created two topics in %v", took)
	if err := tm.EnsureStreamExists(stream, 3); err != nil {
		t.Fatalf("EnsureStreamExists on the existing stream: %v", err)
	}

}
