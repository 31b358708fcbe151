// Package binread owns the reading half of ripple's small hand-written state
// codecs: a Reader that walks a byte slice front to back, decoding varints,
// uvarints, bytes and length-prefixed strings, and that keeps the first
// failure so a decoder can read every field and check for an error once.
//
// It does not own any format, sentinel error or message: the codec that
// creates a Reader passes the function that turns a failure into its own
// error. Writing is left to encoding/binary's Append functions, but for
// AppendString, the one writer of what String reads.
package binread
