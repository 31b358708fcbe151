// Package tokens is ripple's word tokenizer and the stream operator built on
// it: for each new revision of a page it emits the revision's tokens and the
// token delta (the multiset of tokens added and removed) against the
// previous revision of the same page.
//
// # Tokenizing
//
// Segments implements the word boundaries of UAX #29 (Unicode Text
// Segmentation) from the tables of package unicode (Unicode 15.0.0 in Go
// 1.26). It was checked during development against all 1,823 cases of that
// version's WordBreakTest.txt; the file itself is not kept here, and the
// tests check representative cases of each rule.
// Normalize applies NFKC and full case folding; Tokenize keeps the segments
// that are words (see Words for how each script comes out: each Han
// ideograph and Hiragana character is a token, as UAX #29 has it; a
// Katakana run, a number with its separators, a word with an inner
// apostrophe, an emoji ZWJ sequence with skin tones, are one token each).
//
// # The operator
//
// The pure core is Tokenizer.Revise(state, change) -> (next state, Result):
// compose it in your own handler, or run Job, the ready stage, which reads
// mediawiki/page/change events with content, keyed by page, and emits
// Events. The state per page is the latest revision's id and token counts,
// capped at Config.MaxStateTokens distinct tokens (the most frequent are
// kept; the next delta says it is approximate). Revisions older than the
// state's, or equal to it, are ignored and counted (Config.Counters,
// State.Ignored); a page deletion drops the state.
//
// Bad input never stops the stage: an event without text or ids, a text
// over Config.MaxTextBytes, or a key holding another page's state goes to
// the job's error topic with the reason. Invalid UTF-8 is replaced by
// U+FFFD. Text in any language is tokenized; there is no language setting
// to get wrong.
//
// The package does not stem, remove stop words, or segment Chinese, Japanese
// or Thai words with a dictionary.
package tokens
