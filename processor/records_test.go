package processor

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

// TestDecodeErrorRecordGivesTheEventBack checks that what toError writes
// gives back the failed event byte for byte, and that records which cannot
// are refused with ErrNotReplayable.
func TestDecodeErrorRecordGivesTheEventBack(t *testing.T) {
	const maxBytes = 64
	record := func(raw []byte, reason string) []byte {
		rec := ErrorRecord{Schema: errorSchema, Message: reason, ErroredStreamName: "edits", Key: "k", Offset: 7}
		rec.SetRaw(raw, maxBytes)
		b, err := json.Marshal(rec)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	for _, c := range []struct {
		name       string
		raw        []byte
		reason     string
		replayable bool
	}{
		{"json object", []byte(`{"page":"A","n":1}`), "boom", true},
		{"html-like and escapes", []byte(` {"t":"<a href=\"x\">&amp;</a>\u2028\\ufffd"}` + "\n"), "boom", true},
		{"real U+FFFD and other unicode", []byte(`{"t":"� Zürich 東京 😀"}`), "boom", true},
		{"not json", []byte(`{"truncated`), "decode", true},
		{"empty", []byte{}, "empty", true},
		{"exactly the limit", bytes.Repeat([]byte("a"), maxBytes), "big", true},
		{"ends like a note but whole", []byte(`xxxxx... [truncated: 3 bytes in all]`), "odd", true},
		{"truncated", bytes.Repeat([]byte("a"), maxBytes+1), "big", false},
		{"truncated inside a rune", []byte(strings.Repeat("é", maxBytes)), "big", false},
		{"invalid utf-8", []byte("{\"t\":\"\xff\xfe\"}"), "decode", true},
		{"invalid utf-8, not json", []byte("\xc3\x28\xa0\xa1 \xed\xa0\x80 \xf8\x88\x80\x80\x80"), "decode", true},
		{"invalid utf-8, truncated", append(bytes.Repeat([]byte("a"), maxBytes), 0xff), "big", false},
		{"unreadable retry record", []byte(`{"retries_left":`), unreadableRetry + ": unexpected end of JSON input", false},
	} {
		t.Run(c.name, func(t *testing.T) {
			rec, got, err := DecodeErrorRecord(record(c.raw, c.reason))
			if rec.Message != c.reason || rec.Key != "k" || rec.Offset != 7 {
				t.Errorf("record decoded as %+v", rec)
			}
			if !c.replayable {
				if !errors.Is(err, ErrNotReplayable) || got != nil {
					t.Fatalf("got %q, %v; want ErrNotReplayable", got, err)
				}
				if !strings.Contains(err.Error(), "edits") {
					t.Errorf("error %q does not name the stream", err)
				}
				return
			}
			if err != nil || !bytes.Equal(got, c.raw) {
				t.Fatalf("got %q, %v; want %q", got, err, c.raw)
			}
		})
	}
	// A ripple/error 1.0.0 record has no raw_event_base64: its raw_event
	// shows U+FFFD for invalid bytes, and it cannot be replayed.
	old, err := json.Marshal(ErrorRecord{Schema: "/ripple/error/1.0.0", Message: "decode",
		RawEvent: "{\"t\":\"\xff\"}", ErroredStreamName: "edits", Key: "k", Offset: 7})
	if err != nil {
		t.Fatal(err)
	}
	if _, got, err := DecodeErrorRecord(old); !errors.Is(err, ErrNotReplayable) || got != nil {
		t.Errorf("a 1.0.0 record of invalid UTF-8: got %q, %v; want ErrNotReplayable", got, err)
	}
	if _, _, err := DecodeErrorRecord([]byte(`{"message":`)); err == nil || errors.Is(err, ErrNotReplayable) {
		t.Errorf("an unreadable record: %v", err)
	}
}
