// Package wikitext derives a page's dependency set from its wikitext: the
// templates and modules it transcludes, the pages it links to, the files
// and categories it uses, and the Wikibase entity aspects it reads. The
// result feeds the ripple/page/dependencies event; package deps stores it
// and propagates changes along it.
//
// # What Parse reads
//
//   - {{Name|args}}: a transclusion of Template:Name, or of the page named
//     when Name has a namespace ({{User:X/sig}}) or a leading colon
//     ({{:Page}}); safesubst:, msgnw:, msg: and raw: are read through and
//     subst: transcludes nothing. Magic words ({{PAGENAME}}, {{!}}) and
//     parser functions ({{#if:...}}, {{lc:...}}, {{DEFAULTSORT:...}}) are
//     not templates, but what their arguments hold is read.
//   - {{#invoke:Name|fn}}: Module:Name.
//   - {{#property:P31}}, {{#statements:P18|from=Q1}}: aspect C.P31 of the
//     connected entity (Options.ConnectedEntity), or C.P18 of Q1.
//   - [[Target]], [[Target|text]], [[Target#section]]: a link to Target;
//     [[File:X]], [[Image:X]] and [[Media:X]] use File:X (and link=
//     links); [[Category:X]] is a category; [[:Category:X]] and
//     [[:File:X]] are links; interwiki and language links, special pages
//     and [[#section]] name nothing local.
//   - A template argument whose whole value is a media file name
//     (| image = Portrait.jpg): infoboxes render it as an image, and
//     MediaWiki records the file as used by the page that passes it.
//   - <gallery> lines (files, with captions read as wikitext), the image
//     and links of <imagemap>, and <templatestyles src="...">.
//
// Titles are normalized as MediaWiki normalizes them: namespace names and
// aliases in any case, spaces and underscores alike, character references
// and (in links) %XX escapes decoded, the first letter upper-cased
// ($wgCapitalLinks), and invalid titles dropped. Comments, <nowiki>, <pre>,
// <math>, <syntaxhighlight> and similar elements hide their content.
//
// # Two renderings
//
// A page renders on its own page and, transcluded, in other pages, and
// MediaWiki's preprocessor reads its text differently for each:
// <noinclude> parts render on the page itself only, <includeonly> parts
// only in transcluders, and when the page has <onlyinclude> only its parts
// are transcluded. Deps holds the page's own sets, and for templates
// Deps.PassesOn what they pass on (include.go states the rules exactly:
// unclosed tags, case, no nesting, comments and nowiki hiding tags), and
// PassesOnDigest, a digest of the text transcluders read, so that an edit
// that leaves it alone needs no transcluder purged.
//
// # What Parse cannot know
//
// Parse reads the text, not its expansion. A name computed at render time
// ({{ {{{1}}} }}, [[{{PAGENAME}}/Archive]], from={{{qid}}}) is skipped,
// and what a template or module transcludes, links to or reads from
// Wikibase is in that template's or module's own set: the propagation
// engine follows transclusion transitively. Arguments a template never
// shows are still read, so the sets err on the side of recall.
//
// Package wikitext does not fetch pages, expand templates, or emit events.
// It is a leaf: operators (processor/diff) and the dependency graph (deps,
// cmd/ripple) both use it, and it imports nothing of ripple.
package wikitext
