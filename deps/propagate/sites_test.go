package propagate_test

import (
	"errors"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ripplestream/ripple/deps/propagate"
)

func TestEncodeTitle(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"Douglas_Adams", "Douglas_Adams"},
		{"File:Iris_foetidissima_fruit_(05).jpg", "File:Iris_foetidissima_fruit_(05).jpg"},
		{"Wow!", "Wow!"},
		{"C++", "C%2B%2B"},
		{"Q&A", "Q%26A"},
		{"Zürich", "Z%C3%BCrich"},
		{"Why?", "Why%3F"},
		{"C#", "C%23"},
		{"100%", "100%25"},
		{"%41", "%2541"}, // an escape in a title is text, not an escape
		{"Rock_'n'_roll", "Rock_%27n%27_roll"},
		{`"Weird_Al"_Yankovic`, "%22Weird_Al%22_Yankovic"},
		{"AC/DC", "AC/DC"},
		{"User:DCausse_(WMF)/Test", "User:DCausse_(WMF)/Test"},
		{";@$!*(),/~:", ";@$!*(),/~:"},
		{"a=b", "a%3Db"},
		{"a b", "a+b"}, // PHP urlencode; a database key has no spaces
		{"-_.", "-_."},
		{"\\^`|", "%5C%5E%60%7C"},
		{"東京", "%E6%9D%B1%E4%BA%AC"},
		{"", ""},
	} {
		if got := propagate.EncodeTitle(tc.in); got != tc.want {
			t.Errorf("EncodeTitle(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// wfUrlencode is MediaWiki's definition, written the way MediaWiki writes
// it: Go's QueryEscape differs from PHP's urlencode only in leaving ~ as it
// is, which wfUrlencode restores anyway.
var wfUrlencode = strings.NewReplacer("%3B", ";", "%40", "@", "%24", "$", "%21", "!", "%2A", "*",
	"%28", "(", "%29", ")", "%2C", ",", "%2F", "/", "%7E", "~", "%3A", ":")

func FuzzEncodeTitle(f *testing.F) {
	for _, s := range []string{"C++", "Zürich", "File:A_(1).jpg", "%3B", "~!*'", "\x00\xff"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := propagate.EncodeTitle(s), wfUrlencode.Replace(url.QueryEscape(s)); got != want {
			t.Fatalf("EncodeTitle(%q) = %q, wfUrlencode gives %q", s, got, want)
		}
	})
}

func TestSites(t *testing.T) {
	sites := propagate.WikimediaSites()
	for wiki, want := range map[string]string{
		"enwiki":           "https://en.wikipedia.org/wiki/C%2B%2B",
		"wikidatawiki":     "https://www.wikidata.org/wiki/C%2B%2B",
		"testwikidatawiki": "https://test.wikidata.org/wiki/C%2B%2B",
		"commonswiki":      "https://commons.wikimedia.org/wiki/C%2B%2B",
		"mediawikiwiki":    "https://www.mediawiki.org/wiki/C%2B%2B",
	} {
		site, err := sites.Site(wiki)
		if err != nil {
			t.Fatal(err)
		}
		if got := site.URL("C++"); got != want {
			t.Errorf("%s: URL = %s, want %s", wiki, got, want)
		}
		u, _ := url.Parse(want)
		if site.Domain() != u.Host {
			t.Errorf("%s: Domain = %q, want %q", wiki, site.Domain(), u.Host)
		}
	}
	en, _ := sites.Site("enwiki")
	if got := en.MobileURL("Q&A"); got != "https://en.m.wikipedia.org/wiki/Q%26A" {
		t.Errorf("MobileURL = %s", got)
	}
	if got := (propagate.Site{Server: "https://x.org"}).MobileURL("A"); got != "" {
		t.Errorf("MobileURL without a mobile server = %q, want none", got)
	}
	// A wiki the table lacks is an error, never a guess: foundationwiki
	// is not foundation.wikipedia.org.
	_, err := sites.Site("foundationwiki")
	var unknown *propagate.UnknownWikiError
	if !errors.Is(err, propagate.ErrUnknownWiki) || !errors.As(err, &unknown) || unknown.Wiki != "foundationwiki" {
		t.Fatalf("Site(foundationwiki) = %v, want an UnknownWikiError", err)
	}
	if msg := err.Error(); !strings.Contains(msg, `"foundationwiki"`) || !strings.Contains(msg, "--sites") {
		t.Errorf("the error does not say which wiki and how to add it: %s", msg)
	}
}

func TestLoadSitesMerges(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sites.yaml")
	own := `
foundationwiki:
  server: https://foundation.wikimedia.org
enwiki:                      # replaces the shipped entry
  server: https://en.wikipedia.example
  article_path: /w/index.php?title=$1
local_wiki:
  server: http://localhost:8080
  article_path: /index.php/$1
`
	if err := os.WriteFile(path, []byte(own), 0o600); err != nil {
		t.Fatal(err)
	}
	loaded, err := propagate.LoadSites(path)
	if err != nil {
		t.Fatal(err)
	}
	sites := propagate.WikimediaSites().Merge(loaded)
	for wiki, want := range map[string]string{
		"foundationwiki": "https://foundation.wikimedia.org/wiki/Main_Page",
		"enwiki":         "https://en.wikipedia.example/w/index.php?title=Main_Page",
		"local_wiki":     "http://localhost:8080/index.php/Main_Page",
		"dewiki":         "https://de.wikipedia.org/wiki/Main_Page",
	} {
		site, err := sites.Site(wiki)
		if err != nil {
			t.Fatal(err)
		}
		if got := site.URL("Main_Page"); got != want {
			t.Errorf("%s: URL = %s, want %s", wiki, got, want)
		}
	}
	if local, _ := sites.Site("local_wiki"); local.Domain() != "localhost" {
		t.Errorf("Domain = %q, want the host without its port", local.Domain())
	}
	if en, _ := sites.Site("enwiki"); en.MobileServer != "" {
		t.Errorf("an entry of the file replaces the shipped one whole, but the mobile server %q stayed", en.MobileServer)
	}
	if en, _ := propagate.WikimediaSites().Site("enwiki"); en.Server != "https://en.wikipedia.org" {
		t.Errorf("Merge changed the table it was called on: %+v", en)
	}
}

func TestParseSitesRejects(t *testing.T) {
	for name, doc := range map[string]string{
		"no server":          "enwiki: {mobile_server: https://en.m.wikipedia.org}",
		"server with a path": "enwiki: {server: https://en.wikipedia.org/wiki}",
		"trailing slash":     "enwiki: {server: https://en.wikipedia.org/}",
		"no scheme":          "enwiki: {server: en.wikipedia.org}",
		"ftp":                "enwiki: {server: ftp://en.wikipedia.org}",
		"bad mobile server":  "enwiki: {server: https://en.wikipedia.org, mobile_server: en.m.wikipedia.org}",
		"no $1":              "enwiki: {server: https://en.wikipedia.org, article_path: /wiki/}",
		"relative path":      "enwiki: {server: https://en.wikipedia.org, article_path: wiki/$1}",
		"unknown field":      "enwiki: {server: https://en.wikipedia.org, domain: en.wikipedia.org}",
		"bad wiki id":        "en wiki: {server: https://en.wikipedia.org}",
		"not a mapping":      "- enwiki",
	} {
		if _, err := propagate.ParseSites(strings.NewReader(doc)); err == nil {
			t.Errorf("%s: ParseSites(%s) did not fail", name, doc)
		}
	}
	if _, err := propagate.LoadSites(filepath.Join(t.TempDir(), "missing.yaml")); err == nil {
		t.Error("LoadSites of a missing file did not fail")
	}
}
