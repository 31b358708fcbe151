package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/ripplestream/ripple/event"
)

const baseRepoHelp = "another schema repository whose schemas $refs may name, such as the primary repository for the secondary one (repeatable)"

func schemaCmd() *cobra.Command {
	return group(&cobra.Command{
		Use:   "schema",
		Short: "a schema repository: materialize its current.yaml files, check conventions and compatibility",
		Long: `A schema repository laid out like Wikimedia's schemas-event-primary:
jsonschema/<title>/current.yaml is the source of a schema's next version,
with $refs to fragments; jsonschema/<title>/<X.Y.Z>.yaml the released
versions, materialized from it. Both commands read the repository's
` + event.RepoConfigFile + ` as Wikimedia's jsonschema-tools does (contentTypes,
symlinks, enforcedNumericBounds, skipSchemaTestCases).`,
		Example: `  ripple schema materialize ./schemas-event-primary
  ripple schema check ./schemas-event-primary
  ripple schema check ./schemas-event-secondary --base-repo ./schemas-event-primary`,
	}, schemaMaterializeCmd(), schemaCheckCmd())
}

func schemaMaterializeCmd() *cobra.Command {
	var opts event.MaterializeOptions
	cmd := &cobra.Command{
		Use:   "materialize REPO_DIR",
		Short: "write each current.yaml as the version its $id names, as jsonschema-tools does",
		Long: `Writes each jsonschema/<title>/current.yaml of REPO_DIR as the version its
$id names: $refs inlined, every allOf merged, numbers given the enforced
bounds, written as X.Y.Z.yaml (and .json, as contentTypes says) with the
X.Y.Z and latest symlinks, as jsonschema-tools' materialize-all does (it
does not generate examples). A version that exists and equals what
current.yaml materializes to is left alone; one that differs is an error,
because a released version must not change: bump the version in $id.`,
		Example: `  ripple schema materialize ./schemas-event-primary
  ripple schema materialize ./schemas-event-secondary --base-repo ./schemas-event-primary`,
		Args: exactArgs("ripple schema materialize ./schemas-event-primary", "REPO_DIR"),
		RunE: func(cmd *cobra.Command, args []string) error {
			ms, err := event.MaterializeRepository(args[0], opts)
			return reportMaterialized(cmd.OutOrStdout(), cmd.ErrOrStderr(), args[0], ms, err)
		},
	}
	cmd.Flags().StringSliceVar(&opts.Bases, "base-repo", nil, baseRepoHelp)
	cmd.Flags().BoolVar(&opts.Overwrite, "overwrite", false, "rewrite a version file that differs from its current.yaml (only for a version never released)")
	return cmd
}

// reportMaterialized prints what MaterializeRepository did and returns the
// command's error.
func reportMaterialized(stdout, stderr io.Writer, dir string, ms []event.Materialized, err error) error {
	if ms == nil {
		return err // the repository itself could not be read
	}
	written := 0
	for _, m := range ms {
		if len(m.Written) > 0 {
			written++
			fmt.Fprintf(stdout, "/%s/%s: wrote %s\n", m.Title, m.Version, strings.Join(m.Written, ", "))
		}
	}
	var failed []error
	if err != nil {
		failed = unjoin(err)
		for _, e := range failed {
			fmt.Fprintf(stderr, "%v\n", e)
		}
	}
	fmt.Fprintf(stderr, "ripple schema materialize %s: %d current.yaml: %d written, %d up to date, %d failed\n",
		dir, len(ms)+len(failed), written, len(ms)-written, len(failed))
	if len(failed) > 0 && errors.Is(err, event.ErrSchemaNotFound) {
		return fmt.Errorf("%d current.yaml could not be materialized (see above); where a $ref names a schema of another repository, give it with --base-repo DIR", len(failed))
	}
	if len(failed) > 0 {
		return fmt.Errorf("%d current.yaml could not be materialized (see above); fix them and rerun", len(failed))
	}
	return nil
}

// unjoin returns the errors errors.Join joined, or err alone.
func unjoin(err error) []error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		return j.Unwrap()
	}
	return []error{err}
}

func schemaCheckCmd() *cobra.Command {
	var opts event.CheckOptions
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "check REPO_DIR",
		Short: "check conventions and compatibility across versions; exits non-zero on a problem (a CI step)",
		Long: `Checks the schema repository in REPO_DIR, as a CI step of the repository:

  - every file: a title that names its directory, an $id that is
    /<title>/<version> of its place, snake_case property names;
  - event schemas (titles outside fragment/): the $schema and meta envelope
    fields, required from 1.0.0 on;
  - current.yaml: its $id names the latest version and it materializes to
    that version's file (else: run ripple schema materialize);
  - compatibility: each version against the one before it in its major
    version, and current.yaml against the latest: no field removed, no type
    changed, no field newly required or no longer required, no enum value
    dropped, no other validation keyword removed or changed. A major
    version is how a schema breaks compatibility.

Each problem names the schema, version and field, and says what to do.
skipSchemaTestCases in ` + event.RepoConfigFile + ` skips a check for the $ids
it matches (schema-version-compatibility, schema-snake-case-properties and
the other names --json reports).`,
		Example: `  ripple schema check ./schemas-event-primary
  ripple schema check ./schemas-event-secondary --base-repo ./schemas-event-primary --json`,
		Args: exactArgs("ripple schema check ./schemas-event-primary", "REPO_DIR"),
		RunE: func(cmd *cobra.Command, args []string) error {
			rep, err := event.CheckRepository(args[0], opts)
			if err != nil {
				return err
			}
			if asJSON {
				enc := json.NewEncoder(cmd.OutOrStdout())
				enc.SetIndent("", "  ")
				if err := enc.Encode(rep); err != nil {
					return err
				}
			} else {
				printCheck(cmd.OutOrStdout(), rep)
			}
			fmt.Fprintf(cmd.ErrOrStderr(), "ripple schema check %s: %d schema files, %d version pairs compared, %d checks skipped by %s, %d problems\n",
				args[0], len(rep.Schemas), len(rep.Compared), len(rep.Skipped), event.RepoConfigFile, len(rep.Problems))
			if !rep.OK() {
				return fmt.Errorf("%d problems in %s (each says what to do)", len(rep.Problems), args[0])
			}
			return nil
		},
	}
	cmd.Flags().StringSliceVar(&opts.Bases, "base-repo", nil, baseRepoHelp)
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the report (schemas, pairs compared, problems, skipped checks) as one JSON object")
	return cmd
}

// printCheck prints the problems, each with what to do, then the skipped
// checks.
func printCheck(w io.Writer, rep *event.CheckReport) {
	for _, p := range rep.Problems {
		fix := p.Fix
		p.Fix = ""
		fmt.Fprintf(w, "%s\n    fix: %s\n", p, fix)
	}
	for _, s := range rep.Skipped {
		fmt.Fprintf(w, "skipped: %s %s (%s)\n", s.URI, s.Check, s.Reason)
	}
}
