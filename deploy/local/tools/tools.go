//go:build tools

// Package tools pins the versions of the services ripple's local scripts
// build from the Go module proxy. It is a module of its own so that Dgraph's
// large dependency tree never enters ripple's go.mod.
package tools

import _ "github.com/dgraph-io/dgraph/v24/dgraph"
