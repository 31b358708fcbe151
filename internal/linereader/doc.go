// Package linereader reads newline-delimited input, such as JSON lines,
// with a bound on the length of a line: a longer line is an error for that
// line alone, skipped whole, and reading goes on with the next one. It
// owns no format: callers decode the lines. (bufio.Scanner stops at the
// first line over its buffer, losing every line after it.)
package linereader
