package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ripplestream/ripple/processor/embedded"
	"github.com/ripplestream/ripple/topology/streamconfig"
)

// clickEvent returns a client event of session (no performer: "").
func clickEvent(session string, n int) string {
	performer := ""
	if session != "" {
		performer = fmt.Sprintf(`,"performer":{"session_id":%q}`, session)
	}
	return fmt.Sprintf(`{"$schema":"/mediawiki/client/error/2.0.0","meta":{"stream":"clicks"},"message":"click %d"%s}`, n, performer)
}

// TestProduceSamples: a stream the topology samples by session keeps
// exactly the events of the sessions streamconfig.Sampled keeps, both
// events of a session together; the others are counted, not errors; an
// event without the session id is bad.
func TestProduceSamples(t *testing.T) {
	b, err := embedded.Start()
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	const stream = "clicks"
	if err := b.CreateTopic(stream, 3); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	topo := filepath.Join(dir, "topology.yaml")
	if err := os.WriteFile(topo, []byte(`streams:
  clicks:
    partitions: 3
    schema_title: mediawiki/client/error
    sample: {rate: 0.25, unit: session}
`), 0o644); err != nil {
		t.Fatal(err)
	}
	var lines []string
	want := map[string]int{} // session id: events sent
	const sessions = 200
	for i := range sessions {
		id := fmt.Sprintf("s%d", i)
		for n := range 2 {
			lines = append(lines, clickEvent(id, n))
			if streamconfig.Sampled(streamconfig.Sample{Rate: 0.25}, id) {
				want[id]++
			}
		}
	}
	lines = append(lines, clickEvent("", 0))
	file := filepath.Join(dir, "in.jsonl")
	if err := os.WriteFile(file, []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	kafka := []string{"--brokers", strings.Join(b.Addrs(), ","), "--kafka-version", embedded.KafkaVersion}
	schemas := []string{"--schemas", filepath.Join("testdata", "platform", "schemas")}
	var errOut bytes.Buffer
	err = run(context.Background(), append(append([]string{"produce", stream, file, "--topology", topo}, schemas...), kafka...), io.Discard, &errOut)
	if err == nil || !strings.Contains(err.Error(), "1 of 401 lines were bad") {
		t.Fatalf("produce: %v, want 1 bad line\n%s", err, errOut.String())
	}
	sent := 0
	for _, n := range want {
		sent += n
	}
	if sent < 60 || sent > 140 { // 2 × 200 × 0.25 = 100
		t.Fatalf("Sampled keeps %d of 400 events at rate 0.25", sent)
	}
	for _, w := range []string{"line 401: sampling unit session: no field performer.session_id (skipped)",
		fmt.Sprintf("401 lines: %d sent, 1 bad (skipped), 0 blank, %d not in the sample (skipped)", sent, 400-sent)} {
		if !strings.Contains(errOut.String(), w) {
			t.Errorf("produce did not say %q:\n%s", w, errOut.String())
		}
	}
	recs, err := b.Consume(stream)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]int{}
	for _, r := range recs {
		var ev struct {
			Performer struct {
				SessionID string `json:"session_id"`
			} `json:"performer"`
		}
		if err := json.Unmarshal([]byte(r.Value), &ev); err != nil {
			t.Fatal(err)
		}
		got[ev.Performer.SessionID]++
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("the stream holds the events of sessions %v, want %v", got, want)
	}

	// What cannot be sampled is refused before anything is sent.
	device := filepath.Join(dir, "device.yaml")
	if err := os.WriteFile(device, []byte("streams:\n  clicks: {partitions: 3, sample: {rate: 0.5, unit: device}}\n  other: {partitions: 3}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"produce", stream, file, "--topology", device}, `stream clicks is sampled by "device": give --sample-field`},
		{[]string{"produce", "other", file, "--topology", device, "--sample-field", "x"}, "--sample-field x, but --topology " + device + " declares no sample for other"},
		{[]string{"produce", stream, file, "--sample-field", "x"}, "--sample-field needs --topology FILE"},
	} {
		err := run(context.Background(), append(tc.args, kafka...), io.Discard, io.Discard)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: %v, want %q", tc.args, err, tc.want)
		}
	}
}
