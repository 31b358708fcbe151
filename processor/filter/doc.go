// Package filter is a keyword and regular-expression filter for event
// streams: it matches one string field of each JSON event against a
// pattern list and emits the events that match, with the patterns that
// matched attached.
//
// Keywords are matched all at once by an Aho-Corasick automaton compiled to
// a DFA over byte classes, so matching costs one table lookup per byte of
// text whether the list has ten keywords or a hundred thousand. Regular
// expressions (RE2, package regexp) are compiled once per list and run one
// after the other, each in linear time. Options make keyword matching
// case-insensitive (Unicode full case folding) and whole-word (UAX #29 word
// boundaries, from package tokens).
//
// The pure core is Matcher.Match(text), or Filter.Apply(rawEvent) for the
// stage's whole step. A Filter holds its Matcher behind an atomic pointer:
// Reload swaps in a new list without a restart, and Watch polls a pattern
// file (bounded in size, checked every PollInterval, stopped by its
// context) and reloads it when its content changes; a bad new list is
// logged and refused, and the old one stays. Job and Filter.Job return the
// ready stage, which is stateless.
//
// An input event that is not a JSON object, lacks the field, has a
// non-string field, or a field longer than MaxTextBytes goes to the job's
// error topic with the reason. The package does not index, stem, or match
// approximately.
package filter
