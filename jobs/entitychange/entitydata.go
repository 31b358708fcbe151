package entitychange

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/ripplestream/ripple/deps/propagate"
	"github.com/ripplestream/ripple/processor"
)

// DefaultMaxFetchBytes is the default EntityData.MaxBytes.
const DefaultMaxFetchBytes = 16 << 20

// EntityData is a Source that reads revisions from the repository's
// Special:EntityData, as in
// https://www.wikidata.org/wiki/Special:EntityData/Q42.json?revision=123.
//
// A 404 or 410 (the revision is gone) wraps ErrNoRevision; a 429, a 5xx
// or a network error is processor.Unavailable, so the job waits for the
// wiki rather than failing events.
type EntityData struct {
	// Sites gives each repository wiki's server. Default
	// propagate.WikimediaSites().
	Sites propagate.Sites
	// Client makes the requests. Default: a client with a 30 s timeout.
	Client *http.Client
	// UserAgent is sent with every request; Wikimedia asks for one that
	// names the tool and a contact.
	UserAgent string
	// MaxBytes is the largest response read. Default DefaultMaxFetchBytes.
	MaxBytes int64
}

// EntityJSON implements Source.
func (s EntityData) EntityJSON(ctx context.Context, wiki, entityID string, revID int64) ([]byte, error) {
	sites := s.Sites
	if sites == nil {
		sites = propagate.WikimediaSites()
	}
	site, err := sites.Site(wiki)
	if err != nil {
		return nil, err
	}
	url := site.URL("Special:EntityData/"+entityID+".json") + "?revision=" + strconv.FormatInt(revID, 10)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Accept", "application/json")
	if s.UserAgent != "" {
		req.Header.Set("User-Agent", s.UserAgent)
	}
	client := s.Client
	if client == nil {
		client = &http.Client{Timeout: 30 * time.Second}
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil, processor.Unavailable(fmt.Errorf("GET %s: %w", url, err))
	}
	defer resp.Body.Close()
	limit := s.MaxBytes
	if limit <= 0 {
		limit = DefaultMaxFetchBytes
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, limit+1))
	switch {
	case err != nil:
		return nil, processor.Unavailable(fmt.Errorf("GET %s: reading the response: %w", url, err))
	case resp.StatusCode == http.StatusNotFound || resp.StatusCode == http.StatusGone:
		return nil, fmt.Errorf("GET %s: %s: %w", url, resp.Status, ErrNoRevision)
	case resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode >= 500:
		return nil, processor.Unavailable(fmt.Errorf("GET %s: %s", url, resp.Status))
	case resp.StatusCode != http.StatusOK:
		return nil, fmt.Errorf("GET %s: %s", url, resp.Status)
	case int64(len(body)) > limit:
		return nil, fmt.Errorf("GET %s: the response is over %d bytes (EntityData.MaxBytes)", url, limit)
	}
	return body, nil
}
