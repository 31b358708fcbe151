package errorlog

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/ripplestream/ripple/processor/ratelimit"
)

// Two deploys of the same broken gadget, as Chrome and Firefox report
// them: the line and column, load.php's query string and the version in
// the path differ; the error does not.
const (
	chromeDeploy1 = `TypeError: Cannot read properties of undefined (reading 'title')
    at Object.render (https://en.wikipedia.org/w/load.php?lang=en&modules=ext.gadget.Navpopups&skin=vector-2022&version=1a2b3:12:345)
    at https://en.wikipedia.org/w/load.php?lang=en&modules=startup&version=9f8e7:3:17
    at Array.forEach (<anonymous>)`
	chromeDeploy2 = `TypeError: Cannot read properties of undefined (reading 'title')
    at Object.render (https://en.wikipedia.org/w/load.php?lang=en&modules=ext.gadget.Navpopups&skin=vector&version=4c5d6:14:2)
    at https://en.wikipedia.org/w/load.php?lang=en&modules=startup&version=0a1b2:3:99
    at Array.forEach (<anonymous>)`
	firefox = `render@https://en.wikipedia.org/static/1.44.0-wmf.5/resources/navpopups.js:12:345
@https://en.wikipedia.org/w/load.php?modules=startup:3:17`
	firefoxNextDeploy = `render@https://en.wikipedia.org/static/1.44.0-wmf.6/resources/navpopups.js:19:3
@https://en.wikipedia.org/w/load.php?modules=startup:4:1`
)

func TestFingerprintIgnoresWhereAndWhen(t *testing.T) {
	msg := "Uncaught TypeError: Cannot read properties of undefined (reading 'title')"
	if a, b := Fingerprint("TypeError", msg, chromeDeploy1), Fingerprint("TypeError", msg, chromeDeploy2); a != b {
		t.Errorf("two deploys of one error: %s and %s\n%s\n%s", a, b, NormalizeStack(chromeDeploy1), NormalizeStack(chromeDeploy2))
	}
	if a, b := Fingerprint("TypeError", msg, firefox), Fingerprint("TypeError", msg, firefoxNextDeploy); a != b {
		t.Errorf("two deploys in Firefox: %s and %s\n%s\n%s", a, b, NormalizeStack(firefox), NormalizeStack(firefoxNextDeploy))
	}
	if a, b := Fingerprint("", "Script error at row 12", ""), Fingerprint("", "Script  error at row 345 ", ""); a != b {
		t.Errorf("messages differing in numbers and spaces: %s and %s", a, b)
	}
	common := chromeDeploy1 + strings.Repeat("\n    at common (https://x/c.js:1:1)", maxFrames-4) // maxFrames lines
	deep := common + strings.Repeat("\n    at deeper (https://x/a.js:1:1)", 10)
	deeper := common + strings.Repeat("\n    at elsewhere (https://x/b.js:1:1)", 10)
	if a, b := Fingerprint("TypeError", msg, deep), Fingerprint("TypeError", msg, deeper); a != b {
		t.Errorf("frames past the first %d count: %s and %s", maxFrames, a, b)
	}
}

func TestFingerprintTellsErrorsApart(t *testing.T) {
	msg := "Uncaught TypeError: Cannot read properties of undefined (reading 'title')"
	base := Fingerprint("TypeError", msg, chromeDeploy1)
	for name, other := range map[string]string{
		"another message": Fingerprint("TypeError", "Uncaught TypeError: x is not a function", chromeDeploy1),
		"another class":   Fingerprint("ReferenceError", msg, chromeDeploy1),
		"another stack":   Fingerprint("TypeError", msg, strings.Replace(chromeDeploy1, "Object.render", "Object.preview", 1)),
		"no stack":        Fingerprint("TypeError", msg, ""),
	} {
		if other == base {
			t.Errorf("%s: same fingerprint %s", name, base)
		}
	}
	if len(base) != 16 {
		t.Errorf("fingerprint %q: want 16 hex digits", base)
	}
}

func TestFingerprinted(t *testing.T) {
	raw := []byte(`{"$schema":"/mediawiki/client/error/2.0.0","meta":{"stream":"mediawiki.client.error","id":"e1"},"message":"Uncaught TypeError: x is undefined","error_class":"TypeError","stack_trace":"at f (https://x/a.js:1:2)","url":"https://en.wikipedia.org/wiki/Main_Page"}`)
	fp, v, err := fingerprinted(raw)
	if err != nil {
		t.Fatal(err)
	}
	if want := Fingerprint("TypeError", "Uncaught TypeError: x is undefined", "at f (https://x/a.js:1:2)"); fp != want {
		t.Errorf("fingerprint %s, want %s", fp, want)
	}
	var got map[string]any
	if err := json.Unmarshal(v, &got); err != nil {
		t.Fatal(err)
	}
	if got["fingerprint"] != fp || got["url"] != "https://en.wikipedia.org/wiki/Main_Page" || got["meta"].(map[string]any)["id"] != "e1" {
		t.Errorf("the event with its fingerprint lost or changed a field: %s", v)
	}
	for _, c := range []struct{ raw, want string }{
		{`not json`, "not a JSON object"},
		{`[1,2]`, "not a JSON object"},
		{`null`, "not a JSON object"},
		{`{"meta":{"id":"x"}}`, "no message"},
		{`{"message":42}`, "message"},
		{`{"message":"x"}`, "no meta.id"},
		{`{"message":"x","meta":"x"}`, "no meta.id"},
		{`{"message":"x","meta":{"id":7}}`, "no meta.id"},
		{"{\"message\":\"x\xff\",\"meta\":{\"id\":\"x\"}}", "not UTF-8"},
	} {
		if _, _, err := fingerprinted([]byte(c.raw)); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("fingerprinted(%s) = %v, want an error saying %q", c.raw, err, c.want)
		}
	}
}

func TestConfig(t *testing.T) {
	var c Config
	if err := c.Validate(); !errors.Is(err, ErrInvalidConfig) {
		t.Errorf("an empty config: %v", err)
	}
	c = Config{Name: "errs", Input: "in", Output: "out", Summaries: "sums"}
	p, err := Jobs(c)
	if err != nil {
		t.Fatal(err)
	}
	if p.Fingerprint.Name != "errs-fingerprint" || p.Dedupe.Name != "errs-dedupe" || p.RateLimit.Name != "errs-ratelimit" {
		t.Errorf("job names %s, %s, %s", p.Fingerprint.Name, p.Dedupe.Name, p.RateLimit.Name)
	}
	if d := c.WithDefaults(); d.Validate() != nil || d.Limit != DefaultLimit || d.MaxIDs != DefaultMaxIDs || d.DedupeTTL != DefaultDedupeTTL {
		t.Errorf("defaults: %+v, %v", d, d.Validate())
	}
	c.Summaries = "out"
	if _, err := Jobs(c); err == nil {
		t.Error("Output and Summaries the same stream: no error")
	}
	c.Summaries, c.Limit = "sums", ratelimit.Limit{Rate: -1}
	if _, err := Jobs(c); err == nil {
		t.Error("a negative rate: no error")
	}
}
