package propagate

import (
	"cmp"
	"slices"
	"time"

	"github.com/ripplestream/ripple/event"
)

// Output schemas and default streams.
const (
	ResourceChangeSchema = "/resource_change/1.0.0"
	PageRerenderSchema   = "/mediawiki/cirrussearch/page_rerender/1.0.0"
	// ResourceChangeStream is the stream of change-propagation's own
	// resource_change events (RESTBase's and MediaWiki's purge and
	// null_edit); ripple writes none there by default.
	ResourceChangeStream = "resource_change"
	// PageRerenderStream is the stream Wikimedia declares for the
	// page_rerender schema (CirrusSearch's PageRerenderSerializer::STREAM).
	PageRerenderStream = "mediawiki.cirrussearch.page_rerender.v1"
)

// ResourceChange is a resource_change purge event.
type ResourceChange struct {
	event.Envelope
	// Tags are what Wikimedia's consumers route on (see PurgeStreams).
	Tags []string `json:"tags"`
	// Rule is ripple's reason for the purge (RulePageEdit and so on); with
	// several merged, the rule of the latest.
	Rule string `json:"ripple_rule,omitempty"`
	// Explanation is the dependency path that justifies the purge.
	Explanation []string `json:"ripple_explanation,omitempty"`
	// Coalesced is how many purges of the URI this event stands for when
	// a Window merged several (root_event is the latest of them).
	Coalesced int `json:"ripple_coalesced,omitempty"`
}

// PageRerender is a mediawiki/cirrussearch/page_rerender event.
type PageRerender struct {
	event.Envelope
	WikiID       string `json:"wiki_id"`
	PageID       int64  `json:"page_id"`
	PageTitle    string `json:"page_title"`
	NamespaceID  int    `json:"namespace_id"`
	IsRedirect   bool   `json:"is_redirect"`
	Reason       string `json:"reason"`
	ClusterGroup string `json:"cirrussearch_cluster_group"`
	IndexName    string `json:"cirrussearch_index_name"`
}

// Targets says which URLs a purge of a page invalidates.
type Targets struct {
	// Sites gives each wiki's server and article path. A purge on a wiki
	// it lacks fails with an *UnknownWikiError.
	Sites Sites
	// Mobile also purges each page's URL on its wiki's mobile site, for
	// wikis that have one.
	Mobile bool
	// Streams says which stream each purge goes to; unset ones are
	// Wikimedia's (WikimediaPurgeStreams).
	Streams PurgeStreams
	// Rerenders is the stream of page_rerender events; default
	// PageRerenderStream.
	Rerenders string
}

// Events turns a purge into its resource_change events, one per URL it
// invalidates (the page's canonical URL, then with Targets.Mobile its
// mobile one), and, when the page's text changed, its page_rerender event.
// Each carries the wiki's domain as meta.domain.
func (f *Fanout) Events(p Purge, t Targets, now time.Time) ([]ResourceChange, *PageRerender, error) {
	site, err := t.Sites.Site(p.Wiki)
	if err != nil {
		return nil, nil, err
	}
	domain := site.Domain()
	urls := []string{site.URL(p.Page.Title)}
	if t.Mobile && site.MobileServer != "" {
		urls = append(urls, site.MobileURL(p.Page.Title))
	}
	stream, tags := t.Streams.WithDefaults().Route(p.Rule)
	rcs := make([]ResourceChange, len(urls))
	for i, uri := range urls {
		root := f.Root
		rcs[i] = ResourceChange{
			Envelope: event.Envelope{
				Schema:      ResourceChangeSchema,
				Meta:        event.Meta{Stream: stream, ID: event.NewID(), DT: now, URI: uri, Domain: domain},
				DT:          now,
				RootEvent:   &root,
				TriggeredBy: f.TriggeredBy,
			},
			Tags:        slices.Clone(tags),
			Rule:        p.Rule,
			Explanation: p.Path,
		}
	}
	if !p.Rerender {
		return rcs, nil, nil
	}
	index := p.Wiki + "_general"
	if p.Page.Namespace == 0 {
		index = p.Wiki + "_content"
	}
	// page_rerender's schema allows no root_event or triggered_by.
	rr := &PageRerender{
		Envelope: event.Envelope{
			Schema: PageRerenderSchema,
			Meta:   event.Meta{Stream: cmp.Or(t.Rerenders, PageRerenderStream), ID: event.NewID(), DT: now, URI: urls[0], Domain: domain},
			DT:     now,
		},
		WikiID: p.Wiki, PageID: p.Page.ID, PageTitle: p.Page.Title, NamespaceID: int(p.Page.Namespace),
		Reason: p.Rule, ClusterGroup: "default", IndexName: index,
	}
	return rcs, rr, nil
}
