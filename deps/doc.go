// Package deps owns dependency tracking: the page, template, module, file and
// entity model, the Store interface with its embedded Pebble and Dgraph
// implementations, the propagation engine and purge coalescing.
//
// It does not own Kafka I/O; the changeprop job in package jobs wires it to
// streams.
package deps
