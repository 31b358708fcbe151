package propagate

import (
	"bytes"
	_ "embed"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/url"
	"os"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/ripplestream/ripple/deps"
)

// DefaultArticlePath is the article path of every Wikimedia wiki, and of a
// site whose table entry names none.
const DefaultArticlePath = "/wiki/$1"

// Site is where a wiki serves its pages, as MediaWiki's settings say.
type Site struct {
	// Server is $wgCanonicalServer: scheme, host and port if not the
	// default, no path and no trailing slash ("https://en.wikipedia.org").
	Server string `yaml:"server" json:"server"`
	// ArticlePath is $wgArticlePath: the path of a page, $1 standing for
	// its encoded title. Default DefaultArticlePath.
	ArticlePath string `yaml:"article_path,omitempty" json:"article_path,omitempty"`
	// MobileServer is the server of the wiki's mobile site
	// ("https://en.m.wikipedia.org"), if it has one; mobile purges go
	// there.
	MobileServer string `yaml:"mobile_server,omitempty" json:"mobile_server,omitempty"`
}

// URL returns the canonical URL of the page titled dbkey (database key
// form, namespace prefix included), byte for byte as MediaWiki's
// Title::getCanonicalURL builds it: the server, then the article path with
// $1 replaced by EncodeTitle(dbkey).
func (s Site) URL(dbkey string) string { return s.Server + s.path(dbkey) }

// MobileURL returns the page's URL on the mobile site, or "" when the wiki
// has none.
func (s Site) MobileURL(dbkey string) string {
	if s.MobileServer == "" {
		return ""
	}
	return s.MobileServer + s.path(dbkey)
}

func (s Site) path(dbkey string) string {
	p := s.ArticlePath
	if p == "" {
		p = DefaultArticlePath
	}
	return strings.ReplaceAll(p, "$1", EncodeTitle(dbkey))
}

// Domain returns the server's host name without its port, as MediaWiki's
// $wgServerName and the events' meta.domain have it.
func (s Site) Domain() string {
	u, err := url.Parse(s.Server)
	if err != nil {
		return ""
	}
	return u.Hostname()
}

// Validate checks that the site's URLs are well formed: servers with a
// scheme and host only, an article path with $1.
func (s Site) Validate() error {
	if err := checkServer(s.Server); err != nil {
		return fmt.Errorf("server: %w", err)
	}
	if s.MobileServer != "" {
		if err := checkServer(s.MobileServer); err != nil {
			return fmt.Errorf("mobile_server: %w", err)
		}
	}
	if p := s.ArticlePath; p != "" && (!strings.HasPrefix(p, "/") || !strings.Contains(p, "$1")) {
		return fmt.Errorf("article_path %q: want a path starting with / with $1 for the title, such as %s", s.ArticlePath, DefaultArticlePath)
	}
	return nil
}

func checkServer(server string) error {
	u, err := url.Parse(server)
	if err != nil {
		return err
	}
	if (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.Hostname() == "" || u.User != nil ||
		u.Path != "" || u.RawQuery != "" || u.Fragment != "" || strings.HasSuffix(server, "/") || strings.Contains(server, "?") {
		return fmt.Errorf("%q: want scheme and host only, such as https://en.wikipedia.org", server)
	}
	return nil
}

// Sites maps wiki ids (database names: enwiki, commonswiki) to their sites:
// the site table purge URIs are built from. WikimediaSites is the table
// ripple ships; LoadSites reads one from a file, and Merge lays one over
// another. A wiki missing from the table is an error (ErrUnknownWiki),
// never a guessed domain: a purge of a URL the CDN does not cache purges
// nothing.
type Sites map[string]Site

// ErrUnknownWiki is wrapped by every UnknownWikiError.
var ErrUnknownWiki = errors.New("propagate: unknown wiki")

// UnknownWikiError says that a wiki is not in the site table.
type UnknownWikiError struct {
	Wiki string
}

// Error names the wiki and says how to add it.
func (e *UnknownWikiError) Error() string {
	return fmt.Sprintf("%v %q: no site for its purge URIs; add it to a site table file "+
		"(%s: {server: https://host, mobile_server: https://mobile-host, article_path: %s}) "+
		"and load it (ripple deps replay --sites FILE; changeprop.Config.Sites, propagate.LoadSites)",
		ErrUnknownWiki, e.Wiki, e.Wiki, DefaultArticlePath)
}

// Unwrap returns ErrUnknownWiki.
func (e *UnknownWikiError) Unwrap() error { return ErrUnknownWiki }

// Site returns the site of wiki, or an *UnknownWikiError.
func (s Sites) Site(wiki string) (Site, error) {
	site, ok := s[wiki]
	if !ok {
		return Site{}, &UnknownWikiError{Wiki: wiki}
	}
	return site, nil
}

// Merge returns a new table with the sites of s and over, over's entries
// replacing those of s for the same wiki.
func (s Sites) Merge(over Sites) Sites {
	out := make(Sites, len(s)+len(over))
	maps.Copy(out, s)
	maps.Copy(out, over)
	return out
}

// Validate checks every wiki id and site of the table.
func (s Sites) Validate() error {
	for _, wiki := range s.Wikis() {
		if err := deps.ValidateWiki(wiki); err != nil {
			return fmt.Errorf("propagate: site table: %w", err)
		}
		if err := s[wiki].Validate(); err != nil {
			return fmt.Errorf("propagate: site table: wiki %q: %w", wiki, err)
		}
	}
	return nil
}

// Wikis returns the table's wiki ids, sorted.
func (s Sites) Wikis() []string { return slices.Sorted(maps.Keys(s)) }

//go:embed wikimedia_sites.yaml
var wikimediaSites []byte

// WikimediaSites returns the site table ripple ships: the Wikimedia wikis
// seen in Wikimedia's own events (wikimedia_sites.yaml in this package).
// Each call returns a new table, safe to change.
func WikimediaSites() Sites {
	s, err := ParseSites(bytes.NewReader(wikimediaSites))
	if err != nil {
		panic("propagate: the embedded wikimedia_sites.yaml is invalid: " + err.Error())
	}
	return s
}

// ParseSites reads a site table in YAML (JSON is YAML too): a mapping from
// wiki id to server, article_path (default /wiki/$1) and mobile_server:
//
//	enwiki:
//	  server: https://en.wikipedia.org
//	  mobile_server: https://en.m.wikipedia.org
//	my_wiki:
//	  server: http://localhost:8080
//	  article_path: /index.php/$1
func ParseSites(r io.Reader) (Sites, error) {
	dec := yaml.NewDecoder(r)
	dec.KnownFields(true)
	var s Sites
	if err := dec.Decode(&s); err != nil {
		if errors.Is(err, io.EOF) {
			return Sites{}, nil
		}
		return nil, fmt.Errorf("propagate: site table: %w", err)
	}
	if err := s.Validate(); err != nil {
		return nil, err
	}
	if s == nil {
		s = Sites{}
	}
	return s, nil
}

// LoadSites reads the site table file at path (see ParseSites).
func LoadSites(path string) (Sites, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("propagate: site table: %w", err)
	}
	defer f.Close()
	s, err := ParseSites(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return s, nil
}
