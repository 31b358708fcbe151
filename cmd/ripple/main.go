// Command ripple is ripple's one CLI: it runs jobs, the embedded demo,
// dependency-graph tools and benchmarks. Run `ripple help` for the commands.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/spf13/cobra"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	go func() {
		// After the first Ctrl-C the command winds down; a second one
		// kills the process, as without ripple's handler.
		<-ctx.Done()
		stop()
	}()
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	if err != nil {
		fmt.Fprintf(os.Stderr, "ripple: %v\n", err)
		os.Exit(1)
	}
}

// run runs the command line args, writing to stdout and stderr; ctx's
// cancel (Ctrl-C in main) stops any command.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	root := newRoot(stdout, stderr)
	root.SetArgs(args)
	return root.ExecuteContext(ctx)
}

// newRoot returns the command tree, writing to stdout and stderr.
func newRoot(stdout, stderr io.Writer) *cobra.Command {
	root := &cobra.Command{
		Use:   "ripple",
		Short: "stream processing on Kafka with dependency tracking",
		Long: `ripple: stream processing on Kafka with dependency tracking.

` + settingsHelp,
		Example: `  ripple demo
  ripple deps gen --changes 2000 > work.jsonl
  RIPPLE_BROKERS=127.0.0.1:19092 ripple run deploy/topology/wikimedia.yaml --apply`,
		Version:       version(),
		SilenceErrors: true, // main prints it once, prefixed
		SilenceUsage:  true, // an error says what to do; the whole usage would bury it
		Args:          unknownCommand,
		RunE:          func(cmd *cobra.Command, _ []string) error { return cmd.Help() },
	}
	root.SetOut(stdout)
	root.SetErr(stderr)
	root.SetVersionTemplate("{{.Version}}\n")
	root.SetUsageTemplate(root.UsageTemplate() + `{{if .HasAvailableLocalFlags}}
Any flag may also be set as RIPPLE_<FLAG> (RIPPLE_BROKERS for --brokers) or in a
--config YAML file; see ripple --help.
{{end}}`)
	root.SetFlagErrorFunc(func(cmd *cobra.Command, err error) error {
		return fmt.Errorf("%w; run `%s --help` for its flags", err, cmd.CommandPath())
	})
	root.PersistentFlags().String("config", "", "YAML file of flag values (keys are flag names, such as brokers: 127.0.0.1:19092)")
	root.PersistentPreRunE = func(cmd *cobra.Command, _ []string) error { return applySettings(cmd) }
	root.AddCommand(demoCmd(), depsCmd(), errorsCmd(), runCmd(), topologyCmd(), produceCmd(), consumeCmd(), benchCmd(), schemaCmd(), intakeCmd(), versionCmd())
	root.InitDefaultHelpCmd()
	root.InitDefaultCompletionCmd()
	for _, c := range root.Commands() {
		if c.Name() == "completion" {
			completionExamples(c)
		}
		if c.Name() == "help" {
			c.Example = "  ripple help deps replay"
		}
	}
	return root
}

// group makes cmd a command that only holds subcommands: without one it
// prints its help, and an unknown one is an error that names the help.
func group(cmd *cobra.Command, subs ...*cobra.Command) *cobra.Command {
	cmd.Args = unknownCommand
	cmd.RunE = func(cmd *cobra.Command, _ []string) error { return cmd.Help() }
	cmd.AddCommand(subs...)
	return cmd
}

// unknownCommand refuses the arguments of a command that only holds
// subcommands: they are an unknown subcommand.
func unknownCommand(cmd *cobra.Command, args []string) error {
	if len(args) == 0 {
		return nil
	}
	msg := fmt.Sprintf("unknown command %q for %q", args[0], cmd.CommandPath())
	if cmd.SuggestionsMinimumDistance <= 0 {
		cmd.SuggestionsMinimumDistance = 2
	}
	if s := cmd.SuggestionsFor(args[0]); len(s) > 0 {
		msg += fmt.Sprintf("; did you mean %q?", s[0])
	}
	return fmt.Errorf("%s; run `%s --help` for the commands", msg, cmd.CommandPath())
}

// exactArgs accepts the positional arguments names (such as "JOB"; a
// name in brackets, "[FILE]", is optional and only last ones may be), and
// says with example what to give when one is missing.
func exactArgs(example string, names ...string) cobra.PositionalArgs {
	required := 0
	for _, n := range names {
		if !strings.HasPrefix(n, "[") {
			required++
		}
	}
	return func(cmd *cobra.Command, args []string) error {
		switch {
		case len(args) < required:
			return fmt.Errorf("give %s, such as: %s", names[len(args)], example)
		case len(args) > len(names) && len(names) == 0:
			return fmt.Errorf("unexpected argument %q: %s takes no arguments, only flags; see `%s --help`",
				args[0], cmd.CommandPath(), cmd.CommandPath())
		case len(args) > len(names):
			return fmt.Errorf("unexpected argument %q: %s takes %s; flags go before or after them",
				args[len(names)], cmd.CommandPath(), strings.Join(names, " "))
		}
		return nil
	}
}

func completionExamples(c *cobra.Command) {
	c.Example = "  source <(ripple completion bash)\n  ripple completion zsh > \"${fpath[1]}/_ripple\""
	for _, sh := range c.Commands() {
		switch sh.Name() {
		case "bash":
			sh.Example = "  source <(ripple completion bash)"
		case "zsh":
			sh.Example = "  ripple completion zsh > \"${fpath[1]}/_ripple\""
		case "fish":
			sh.Example = "  ripple completion fish > ~/.config/fish/completions/ripple.fish"
		case "powershell":
			sh.Example = "  ripple completion powershell | Out-String | Invoke-Expression"
		}
	}
}
