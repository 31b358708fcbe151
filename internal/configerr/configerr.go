// Package configerr makes the ErrInvalidConfig of each ripple package: one
// name everywhere, one identity under errors.Is, and a message that names
// the package. It owns nothing else; the Config types and their Validate
// stay in their packages.
package configerr

// invalid is a package's ErrInvalidConfig.
type invalid struct{ msg string }

func (e *invalid) Error() string { return e.msg }

// Is makes every package's ErrInvalidConfig match every other's, so one
// check tells a configuration error from a runtime one, whichever config
// it came from (the processor's, an operator's, a store's): a command that
// assembles many jobs says "fix the configuration" on errors.Is(err,
// processor.ErrInvalidConfig), while the error's text still names the
// package and field.
func (e *invalid) Is(target error) bool {
	_, ok := target.(*invalid)
	return ok
}

// New returns the ErrInvalidConfig of package pkg, whose message is
// "<pkg>: invalid config".
func New(pkg string) error { return &invalid{msg: pkg + ": invalid config"} }
