package propagate

import "slices"

// Wikimedia's streams of resource_change events, and the consumers that
// act on them:
//
//   - resource-purge: MediaWiki's CDN purges (CdnPurgeEventRelayer);
//     purged reads it and sends a PURGE of meta.uri to the caches;
//   - change-prop.transcludes.resource-change,
//     change-prop.backlinks.resource-change and
//     change-prop.wikidata.resource-change: the leaf events of
//     change-propagation's dependency tracking (sys/dep_updates.js), on
//     which its rules on_transclusion_update, on_backlinks_update and
//     on_wikidata_description_change re-render the page in RESTBase.
//
// ripple takes the place of that dependency tracking (and of MediaWiki's
// HTMLCacheUpdate fan-out), so its purges of dependent pages go where
// change-propagation's went, with the tags it wrote; purged then reads
// these streams too (its -topics flag) to purge the CDN. A purge of the
// changed page itself goes to resource-purge only: change-propagation
// already re-renders it from MediaWiki's own events (revision-create,
// page-delete and so on).
const (
	StreamPagePurge   = "resource-purge"
	StreamTranscludes = "change-prop.transcludes.resource-change"
	StreamBacklinks   = "change-prop.backlinks.resource-change"
	StreamWikidata    = "change-prop.wikidata.resource-change"
)

// PurgeStreams names the stream of each kind of purge.
type PurgeStreams struct {
	// Page receives purges of the changed page itself (RulePageEdit,
	// RuleDeleted, RuleRestored, RuleMovedAway, RuleVisibility).
	Page string
	// Transcludes receives purges of pages that transclude a changed
	// template or module, or show a changed file.
	Transcludes string
	// Backlinks receives purges of pages that link to a created,
	// deleted, undeleted or moved title.
	Backlinks string
	// Wikidata receives purges of pages that use a changed entity.
	Wikidata string
}

// WikimediaPurgeStreams returns the streams Wikimedia's consumers read.
func WikimediaPurgeStreams() PurgeStreams {
	return PurgeStreams{Page: StreamPagePurge, Transcludes: StreamTranscludes, Backlinks: StreamBacklinks, Wikidata: StreamWikidata}
}

// OneStream sends every purge to stream.
func OneStream(stream string) PurgeStreams {
	return PurgeStreams{Page: stream, Transcludes: stream, Backlinks: stream, Wikidata: stream}
}

// WithDefaults fills the unset streams with Wikimedia's.
func (s PurgeStreams) WithDefaults() PurgeStreams {
	d := WikimediaPurgeStreams()
	for _, f := range []struct {
		v *string
		d string
	}{{&s.Page, d.Page}, {&s.Transcludes, d.Transcludes}, {&s.Backlinks, d.Backlinks}, {&s.Wikidata, d.Wikidata}} {
		if *f.v == "" {
			*f.v = f.d
		}
	}
	return s
}

// Names returns the distinct streams of s, in a fixed order.
func (s PurgeStreams) Names() []string {
	var out []string
	for _, n := range []string{s.Page, s.Transcludes, s.Backlinks, s.Wikidata} {
		if n != "" && !slices.Contains(out, n) {
			out = append(out, n)
		}
	}
	return out
}

// Route returns the stream and tags of a purge for rule. The tags are
// those change-propagation wrote on the same stream: its rules match on
// them, and on_transclusion_update passes tags[1] to RESTBase as
// x-restbase-mode ("templates" or "files").
func (s PurgeStreams) Route(rule string) (stream string, tags []string) {
	switch rule {
	case RuleTransclusion:
		return s.Transcludes, []string{"transcludes", "templates"}
	case RuleUsesFile:
		return s.Transcludes, []string{"transcludes", "files"}
	case RuleLinksTo:
		return s.Backlinks, []string{"backlinks"}
	case RuleUsesEntity:
		return s.Wikidata, []string{"wikidata"}
	default:
		// MediaWiki's own CDN purges carry the tag "mediawiki"; ripple's
		// say what they are. purged reads no tag.
		return s.Page, []string{"purge"}
	}
}
