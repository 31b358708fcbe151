package linereader

import (
	"bufio"
	"errors"
	"fmt"
	"io"
)

// DefaultMax is the longest line NewReader accepts when given 0.
const DefaultMax = 16 << 20

// TooLongError reports a line longer than the reader's bound; the line
// was skipped.
type TooLongError struct {
	// Bytes is the line's length, without its newline.
	Bytes int64
	// Max is the bound.
	Max int
}

func (e *TooLongError) Error() string {
	return fmt.Sprintf("line of %d bytes, over the limit of %d", e.Bytes, e.Max)
}

// Reader reads lines. It is not safe for concurrent use.
type Reader struct {
	r    *bufio.Reader
	max  int
	num  int
	line []byte
}

// New returns a Reader of r whose lines are at most max bytes
// (0: DefaultMax).
func New(r io.Reader, max int) *Reader {
	if max <= 0 {
		max = DefaultMax
	}
	return &Reader{r: bufio.NewReaderSize(r, 64<<10), max: max}
}

// Next returns the next line, without its line ending ("\n" or "\r\n"),
// and its number (from 1). The line is valid until the next call. For a
// line over the bound it returns the number and a *TooLongError, having
// skipped the line. At the end of the input it returns io.EOF; a last
// line without a newline is a line. Any other error is the input's.
func (r *Reader) Next() (line []byte, num int, err error) {
	r.line = r.line[:0]
	var long int64 // bytes of an over-long line, once it is over
	for {
		chunk, err := r.r.ReadSlice('\n')
		switch {
		case long > 0:
			long += int64(len(chunk))
		case len(r.line)+len(chunk) > r.max+2: // room for "\r\n"
			long = int64(len(r.line) + len(chunk))
			r.line = r.line[:0]
		default:
			r.line = append(r.line, chunk...)
		}
		if errors.Is(err, bufio.ErrBufferFull) {
			continue
		}
		if err != nil && err != io.EOF {
			return nil, r.num, err
		}
		if err == io.EOF && long == 0 && len(r.line) == 0 {
			return nil, r.num, io.EOF
		}
		r.num++
		if long > 0 {
			if err == nil {
				long-- // the newline
			}
			return nil, r.num, &TooLongError{Bytes: long, Max: r.max}
		}
		line = trimEOL(r.line)
		if len(line) > r.max {
			return nil, r.num, &TooLongError{Bytes: int64(len(line)), Max: r.max}
		}
		return line, r.num, nil
	}
}

func trimEOL(b []byte) []byte {
	if n := len(b); n > 0 && b[n-1] == '\n' {
		b = b[:n-1]
		if n := len(b); n > 0 && b[n-1] == '\r' {
			b = b[:n-1]
		}
	}
	return b
}
