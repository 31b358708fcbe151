// Package schematest holds the helpers the processors' schema tests share:
// change a valid JSON event and check that an event.Repository refuses it at
// the expected path. It owns no schema and no event; each test brings both.
package schematest
