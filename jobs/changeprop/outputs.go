package changeprop

import (
	"strconv"

	"github.com/ripplestream/ripple/deps/propagate"
	"github.com/ripplestream/ripple/event"
)

// The coalesce job's outputs, encoded as encoding/json does, byte for
// byte, without reflection: one purge per page a fan-out reaches, and
// reflection was a tenth of the fan-out's CPU. An event with a time the
// event appenders do not write (not UTC) takes encoding/json itself. Both
// decode as event.JSON.

// purgeCodec encodes a resource_change event.
type purgeCodec struct {
	event.JSON[propagate.ResourceChange]
}

// Encode returns the JSON of rc.
func (c purgeCodec) Encode(rc propagate.ResourceChange) ([]byte, error) {
	b, ok := rc.Envelope.AppendJSON(append(make([]byte, 0, 512), '{'))
	if !ok {
		return c.JSON.Encode(rc)
	}
	b = append(b, `,"tags":`...)
	if rc.Tags == nil {
		b = append(b, "null"...)
	} else {
		b = appendJSONStrings(b, rc.Tags)
	}
	if rc.Rule != "" {
		b = event.AppendJSONString(append(b, `,"ripple_rule":`...), rc.Rule)
	}
	if len(rc.Explanation) > 0 {
		b = appendJSONStrings(append(b, `,"ripple_explanation":`...), rc.Explanation)
	}
	if rc.Coalesced != 0 {
		b = strconv.AppendInt(append(b, `,"ripple_coalesced":`...), int64(rc.Coalesced), 10)
	}
	return append(b, '}'), nil
}

// rerenderCodec encodes a page_rerender event.
type rerenderCodec struct {
	event.JSON[propagate.PageRerender]
}

// Encode returns the JSON of rr.
func (c rerenderCodec) Encode(rr propagate.PageRerender) ([]byte, error) {
	b, ok := rr.Envelope.AppendJSON(append(make([]byte, 0, 512), '{'))
	if !ok {
		return c.JSON.Encode(rr)
	}
	b = event.AppendJSONString(append(b, `,"wiki_id":`...), rr.WikiID)
	b = strconv.AppendInt(append(b, `,"page_id":`...), rr.PageID, 10)
	b = event.AppendJSONString(append(b, `,"page_title":`...), rr.PageTitle)
	b = strconv.AppendInt(append(b, `,"namespace_id":`...), int64(rr.NamespaceID), 10)
	b = strconv.AppendBool(append(b, `,"is_redirect":`...), rr.IsRedirect)
	b = event.AppendJSONString(append(b, `,"reason":`...), rr.Reason)
	b = event.AppendJSONString(append(b, `,"cirrussearch_cluster_group":`...), rr.ClusterGroup)
	b = event.AppendJSONString(append(b, `,"cirrussearch_index_name":`...), rr.IndexName)
	return append(b, '}'), nil
}

// appendJSONStrings appends ss, not nil, as a JSON array of strings.
func appendJSONStrings(b []byte, ss []string) []byte {
	b = append(b, '[')
	for i, s := range ss {
		if i > 0 {
			b = append(b, ',')
		}
		b = event.AppendJSONString(b, s)
	}
	return append(b, ']')
}
