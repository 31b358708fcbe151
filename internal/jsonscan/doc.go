// Package jsonscan checks JSON text without decoding it. It owns one rule,
// encoding/json's grammar of a JSON value (RFC 8259, nesting at most
// 10,000 deep), and applies it several times faster than encoding/json's
// scanner, for the operators that check each event of a stream before
// passing it on unchanged. It imports nothing of ripple.
package jsonscan
