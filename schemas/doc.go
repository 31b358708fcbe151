// Package schemas holds ripple's schema repository: the JSON schemas of the
// events ripple defines (ripple/page/dependencies, ripple/entity/change,
// ripple/alert, ripple/window/result, ripple/revision/diff,
// ripple/revision/tokens, ripple/filter/match, ripple/ratelimit/summary,
// ripple/ratelimit/delayed) and copies of the Wikimedia schemas its jobs
// consume and produce, laid out like Wikimedia's schemas-event-primary
// (jsonschema/<title>/<version>.yaml, with current.yaml as the source of the
// next version). SOURCES.md says where the copies come from.
//
// The files are embedded in the binary; open them with
// event.OpenRepositoryFS(schemas.FS()). This package owns the files only;
// reading and validating them is package event's job.
package schemas
