package propagate

import "strings"

// EncodeTitle returns a page title in database key form (spaces as
// underscores, namespace prefix included: "File:Iris_(05).jpg") as it
// appears in the page's URL path. It is MediaWiki's wfUrlencode: PHP's
// urlencode, which percent-encodes every byte but A-Z a-z 0-9 - _ . with
// uppercase hex (and a space as +, which a database key never has), and
// then ; @ $ ! * ( ) , / ~ : put back as they are. A CDN purge must carry
// exactly the URL MediaWiki serves and caches the page under, so ' & + = ?
// # % " stay encoded and these do not.
func EncodeTitle(dbkey string) string {
	n := 0
	for i := 0; i < len(dbkey); i++ {
		if !titleSafe(dbkey[i]) {
			n++
		}
	}
	if n == 0 {
		return dbkey
	}
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	b.Grow(len(dbkey) + 2*n)
	for i := 0; i < len(dbkey); i++ {
		switch c := dbkey[i]; {
		case titleSafe(c):
			b.WriteByte(c)
		case c == ' ':
			b.WriteByte('+')
		default:
			b.WriteByte('%')
			b.WriteByte(hex[c>>4])
			b.WriteByte(hex[c&15])
		}
	}
	return b.String()
}

// titleSafe reports whether wfUrlencode leaves c as it is: PHP urlencode's
// unreserved bytes and the ones MediaWiki unescapes after it.
func titleSafe(c byte) bool {
	switch {
	case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		return true
	}
	return strings.IndexByte("-_.;@$!*(),/~:", c) >= 0
}
