package main

import (
	"context"
	"fmt"
	"io"
	"os"
)

// openInput opens the file path, or stdin for "-" or "", which ctx's
// cancel stops waiting on.
func openInput(ctx context.Context, path string) (io.ReadCloser, error) {
	r, _, err := openInputSize(ctx, path)
	return r, err
}

// openInputSize is openInput that also returns the input's size, or -1
// when it is not known (stdin, a pipe).
func openInputSize(ctx context.Context, path string) (io.ReadCloser, int64, error) {
	if path == "-" || path == "" {
		return io.NopCloser(cancelable(ctx, os.Stdin)), -1, nil
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, 0, fmt.Errorf("input: %w", err)
	}
	size := int64(-1)
	if st, err := f.Stat(); err == nil && st.Mode().IsRegular() {
		size = st.Size()
	}
	return f, size, nil
}

// cancelable returns a reader of r whose Read returns ctx's error once ctx
// is done, even while r blocks (stdin waiting for a line): Ctrl-C stops a
// command that reads stdin.
func cancelable(ctx context.Context, r io.Reader) io.Reader { return ctxReader{ctx, r} }

type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

type readResult struct {
	n   int
	err error
}

func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	// The read runs on a buffer of its own: after a cancel it may still
	// complete, with nobody to read the result. The goroutine then ends
	// with the read (or with the process, which is stopping).
	buf := make([]byte, len(p))
	done := make(chan readResult, 1)
	go func() {
		n, err := c.r.Read(buf)
		done <- readResult{n, err}
	}()
	select {
	case res := <-done:
		return copy(p, buf[:res.n]), res.err
	case <-c.ctx.Done():
		return 0, c.ctx.Err()
	}
}
