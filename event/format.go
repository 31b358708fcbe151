package event

import (
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// uriFormats replace the validator's uri and uri-reference formats, which
// only ask Go's url.Parse and so accept what RFC 3986 does not: spaces,
// quotes, braces, raw non-ASCII bytes. A purge URI with a space in it would
// reach the CDN as a URL no cache holds.
var uriFormats = []*jsonschema.Format{
	{Name: "uri", Validate: validateURI},
	{Name: "uri-reference", Validate: validateURIReference},
}

// validateURI checks a format: uri value: an absolute URI (RFC 3986
// section 4.3 allows no fragment there, but JSON Schema's uri does).
func validateURI(v any) error {
	s, ok := v.(string)
	if !ok {
		return nil
	}
	if err := checkURIReference(s); err != nil {
		return err
	}
	if !hasScheme(s) {
		return errors.New("not an absolute URI: no scheme (such as https:) before the first / ? or #")
	}
	return nil
}

// validateURIReference checks a format: uri-reference value: a URI or a
// relative reference.
func validateURIReference(v any) error {
	s, ok := v.(string)
	if !ok {
		return nil
	}
	return checkURIReference(s)
}

// checkURIReference checks s against RFC 3986's URI-reference: only
// unreserved, reserved and percent-encoded characters, one # at most, and
// brackets only around an IP literal host; then url.Parse checks the parts.
func checkURIReference(s string) error {
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '%':
			if i+2 >= len(s) || !isHex(s[i+1]) || !isHex(s[i+2]) {
				return fmt.Errorf("%% at byte %d is not followed by two hex digits (RFC 3986 percent-encoding)", i)
			}
			i += 2
		case !isURIChar(c):
			return fmt.Errorf("character %q at byte %d is not allowed in a URI (RFC 3986); percent-encode it", c, i)
		}
	}
	if strings.Count(s, "#") > 1 {
		return errors.New("more than one # (a fragment cannot hold #)")
	}
	if err := checkBrackets(s); err != nil {
		return err
	}
	if _, err := url.Parse(s); err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return fmt.Errorf("not a URI: %w", err)
	}
	return nil
}

// checkBrackets allows [ and ] only as the first and last characters of an
// authority's host (an IP literal such as [::1]).
func checkBrackets(s string) error {
	if !strings.ContainsAny(s, "[]") {
		return nil
	}
	rest := s
	if i := strings.Index(s, "//"); i >= 0 && !strings.ContainsAny(s[:i], "/?#") {
		rest = s[i+2:]
		end := strings.IndexAny(rest, "/?#")
		if end < 0 {
			end = len(rest)
		}
		authority := rest[:end]
		if at := strings.LastIndexByte(authority, '@'); at >= 0 {
			authority = authority[at+1:]
		}
		if strings.HasPrefix(authority, "[") {
			rb := strings.IndexByte(authority, ']')
			if rb < 0 || strings.ContainsAny(authority[1:rb], "[") ||
				strings.ContainsAny(authority[rb+1:], "[]") {
				return errors.New("malformed IP literal host")
			}
			rest = rest[end:]
		}
	}
	if strings.ContainsAny(rest, "[]") {
		return errors.New("[ or ] outside an IP literal host; percent-encode it (%5B, %5D)")
	}
	return nil
}

// hasScheme reports whether s starts with scheme ":" (RFC 3986 section 3.1).
func hasScheme(s string) bool {
	i := strings.IndexByte(s, ':')
	if i <= 0 || strings.ContainsAny(s[:i], "/?#") || !isAlpha(s[0]) {
		return false
	}
	for j := 1; j < i; j++ {
		c := s[j]
		if !isAlpha(c) && !isDigit(c) && c != '+' && c != '-' && c != '.' {
			return false
		}
	}
	return true
}

// isURIChar reports whether c is an unreserved or reserved character of RFC
// 3986 (percent signs are checked apart).
func isURIChar(c byte) bool {
	return isAlpha(c) || isDigit(c) || strings.IndexByte("-._~:/?#[]@!$&'()*+,;=", c) >= 0
}

func isAlpha(c byte) bool { return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' }
func isDigit(c byte) bool { return '0' <= c && c <= '9' }
func isHex(c byte) bool   { return isDigit(c) || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F' }
