package errorlog

import (
	"crypto/sha256"
	"encoding/hex"
	"regexp"
	"strings"
)

// maxFrames is how many stack frames the fingerprint reads: the frames
// nearest the throw say where the error is; deeper ones differ with the
// path that led there.
const maxFrames = 8

var (
	// A URL's query string: load.php's module lists, cache-busting
	// versions.
	queryString = regexp.MustCompile(`\?[^\s):]*`)
	// The line and column at the end of a frame or URL: they move with
	// every deploy of the same code.
	lineColumn = regexp.MustCompile(`(:\d+)+(\)?)$`)
	// Runs of digits and hex hashes (build ids, versions in paths,
	// element ids, counts).
	numbers = regexp.MustCompile(`\b(0x)?[0-9a-f]*[0-9][0-9a-f]*\b`)
	spaces  = regexp.MustCompile(`\s+`)
)

// Fingerprint names what an error is, not where or when it was met:
// errors that differ only in line and column numbers, URL query strings,
// numbers and hashes, white space, or frames deeper than the first
// maxFrames share it. It is the first 16 hex digits of the SHA-256 of the
// error class, the normalized message and the normalized stack.
func Fingerprint(class, message, stack string) string {
	h := sha256.New()
	h.Write([]byte(strings.TrimSpace(class)))
	h.Write([]byte{'\n'})
	h.Write([]byte(NormalizeMessage(message)))
	h.Write([]byte{'\n'})
	h.Write([]byte(NormalizeStack(stack)))
	return hex.EncodeToString(h.Sum(nil))[:16]
}

// NormalizeMessage collapses white space and replaces numbers and hashes
// with "N".
func NormalizeMessage(m string) string {
	m = numbers.ReplaceAllString(m, "N")
	return strings.TrimSpace(spaces.ReplaceAllString(m, " "))
}

// NormalizeStack keeps the first maxFrames non-empty lines of a stack
// trace (Chrome's "at f (url:line:col)" and Firefox's "f@url:line:col"
// alike), each without line and column, query string and surrounding
// white space.
func NormalizeStack(stack string) string {
	var frames []string
	for line := range strings.SplitSeq(stack, "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		line = queryString.ReplaceAllString(line, "")
		line = lineColumn.ReplaceAllString(line, "$2")
		line = numbers.ReplaceAllString(line, "N")
		frames = append(frames, spaces.ReplaceAllString(line, " "))
		if len(frames) == maxFrames {
			break
		}
	}
	return strings.Join(frames, "\n")
}
