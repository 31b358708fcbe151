package schemas

import (
	"embed"
	"io/fs"
)

//go:embed jsonschema
var files embed.FS

// FS returns the schema tree. Its root holds the jsonschema/ directory, as a
// checkout of a Wikimedia schema repository does. The returned FS is
// read-only.
func FS() fs.FS {
	return files
}
