package main

import (
	"fmt"
	"runtime/debug"

	"github.com/spf13/cobra"
)

func versionCmd() *cobra.Command {
	return &cobra.Command{
		Use:     "version",
		Short:   "print ripple's module version and the revision it was built from",
		Long:    "Prints ripple's module version and the version control revision it was built from (as Go recorded them in the binary).",
		Example: "  ripple version\n  ripple --version",
		Args:    exactArgs("ripple version"),
		RunE: func(cmd *cobra.Command, _ []string) error {
			_, err := fmt.Fprintln(cmd.OutOrStdout(), version())
			return err
		},
	}
}

// version returns "ripple VERSION (revision REV[, modified], TIME)" from
// the build information Go records in the binary.
func version() string {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return "ripple (no build information)"
	}
	v := info.Main.Version
	if v == "" {
		v = "(devel)"
	}
	var rev, at, modified string
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.time":
			at = s.Value
		case "vcs.modified":
			if s.Value == "true" {
				modified = ", modified"
			}
		}
	}
	if rev == "" {
		return "ripple " + v + " (no vcs revision: built outside a checkout or with -buildvcs=false)"
	}
	return fmt.Sprintf("ripple %s (revision %s%s, %s)", v, rev, modified, at)
}
