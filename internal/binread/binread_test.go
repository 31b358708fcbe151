package binread_test

import (
	"encoding/binary"
	"errors"
	"fmt"
	"testing"

	"github.com/ripplestream/ripple/internal/binread"
)

var errBad = errors.New("bad")

func fail(what string, off, size int) error {
	return fmt.Errorf("%w: %s at %d of %d", errBad, what, off, size)
}

func TestReader(t *testing.T) {
	valid := binary.AppendUvarint(nil, 300)
	valid = binary.AppendVarint(valid, -5)
	valid = append(valid, 7)
	valid = append(binary.AppendUvarint(valid, 2), "hi"...)
	read := func(r *binread.Reader) string {
		return fmt.Sprintf("%d %d %d %s %d", r.Uvarint(), r.Varint(), r.Byte(), r.String(), r.Remaining())
	}
	for _, tc := range []struct {
		name    string
		in      []byte
		off     int
		read    func(*binread.Reader) string
		want    string
		wantErr string // "" for no error
		wantOff int
	}{
		{name: "all kinds", in: valid, read: read, want: "300 -5 7 hi 0", wantOff: len(valid)},
		{name: "from an offset", in: append([]byte{9}, valid...), off: 1, read: read, want: "300 -5 7 hi 0", wantOff: len(valid) + 1},
		{name: "one-byte uvarint", in: []byte{0x7f, 0}, read: func(r *binread.Reader) string { return fmt.Sprint(r.Uvarint(), r.Uvarint()) }, want: "127 0", wantOff: 2},
		{name: "empty byte", in: nil, read: func(r *binread.Reader) string { return fmt.Sprint(r.Byte()) }, want: "0",
			wantErr: "bad: truncated at 0 of 0"},
		{name: "bad uvarint", in: []byte{0x80}, read: func(r *binread.Reader) string { return fmt.Sprint(r.Uvarint()) }, want: "0",
			wantErr: "bad: bad uvarint at 0 of 1"},
		{name: "bad varint", in: []byte{1, 0x80}, off: 1, read: func(r *binread.Reader) string { return fmt.Sprint(r.Varint()) }, want: "0",
			wantErr: "bad: bad varint at 1 of 2", wantOff: 1},
		{name: "bools", in: []byte{0, 1}, read: func(r *binread.Reader) string { return fmt.Sprint(r.Bool(), r.Bool()) }, want: "false true", wantOff: 2},
		{name: "bad bool", in: []byte{2}, read: func(r *binread.Reader) string { return fmt.Sprint(r.Bool()) }, want: "false",
			wantErr: "bad: bool at 1 of 1", wantOff: 1},
		{name: "short bytes are zero", in: []byte{1, 2}, read: func(r *binread.Reader) string { return fmt.Sprint(r.Bytes(3)) }, want: "[0 0 0]",
			wantErr: "bad: truncated at 0 of 2"},
		{name: "string longer than input", in: []byte{5, 'a'}, read: func(r *binread.Reader) string { return fmt.Sprintf("%q", r.String()) }, want: `""`,
			wantErr: "bad: truncated at 1 of 2", wantOff: 1},
		{name: "first error kept", in: []byte{0x80, 0x80}, read: func(r *binread.Reader) string {
			r.Uvarint()
			r.Fail("later")
			return fmt.Sprint(r.Byte(), r.Remaining())
		}, want: "0 0", wantErr: "bad: bad uvarint at 0 of 2"},
		{name: "own check", in: []byte{1, 2}, read: func(r *binread.Reader) string {
			r.Byte()
			r.Fail("odd")
			return fmt.Sprint(r.Byte())
		}, want: "0", wantErr: "bad: odd at 1 of 2", wantOff: 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := binread.New(tc.in, tc.off, fail)
			if got := tc.read(&r); got != tc.want {
				t.Errorf("read = %s, want %s", got, tc.want)
			}
			err := r.Err()
			switch {
			case tc.wantErr == "" && err != nil:
				t.Errorf("Err() = %v, want nil", err)
			case tc.wantErr != "" && (err == nil || err.Error() != tc.wantErr || !errors.Is(err, errBad)):
				t.Errorf("Err() = %v, want %q wrapping errBad", err, tc.wantErr)
			}
			if r.Offset() != tc.wantOff {
				t.Errorf("Offset() = %d, want %d", r.Offset(), tc.wantOff)
			}
		})
	}
}
