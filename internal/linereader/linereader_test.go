package linereader

import (
	"errors"
	"io"
	"strings"
	"testing"
)

func TestNext(t *testing.T) {
	long := strings.Repeat("x", 100)
	in := "a\r\n\n" + long + "\nb\n" + long + "c" + long + "\nlast"
	r := New(strings.NewReader(in), 50)
	type got struct {
		line string
		num  int
		long int64
	}
	want := []got{{"a", 1, 0}, {"", 2, 0}, {"", 3, 100}, {"b", 4, 0}, {"", 5, 201}, {"last", 6, 0}}
	for _, w := range want {
		line, num, err := r.Next()
		var tl *TooLongError
		var g got
		switch {
		case errors.As(err, &tl):
			g = got{"", num, tl.Bytes}
		case err != nil:
			t.Fatalf("line %d: %v", w.num, err)
		default:
			g = got{string(line), num, 0}
		}
		if g != w {
			t.Errorf("got %+v, want %+v", g, w)
		}
	}
	if _, _, err := r.Next(); err != io.EOF {
		t.Errorf("after the last line: %v, want EOF", err)
	}
}

// TestLongerThanBuffer: lines longer than the reader's buffer but within
// the bound come back whole.
func TestLongerThanBuffer(t *testing.T) {
	long := strings.Repeat("y", 200<<10)
	r := New(strings.NewReader(long+"\nz\n"), 300<<10)
	if line, _, err := r.Next(); err != nil || string(line) != long {
		t.Fatalf("long line: %d bytes, %v", len(line), err)
	}
	if line, num, err := r.Next(); err != nil || string(line) != "z" || num != 2 {
		t.Fatalf("next line: %q %d %v", line, num, err)
	}
}
