package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strings"
	"text/tabwriter"
	"unicode/utf8"

	"github.com/spf13/cobra"

	"github.com/ripplestream/ripple/cmd/ripple/internal/progress"
	"github.com/ripplestream/ripple/processor"
	"github.com/ripplestream/ripple/processor/errortopic"
)

func errorsCmd() *cobra.Command {
	return group(&cobra.Command{
		Use:   "errors",
		Short: "a job's error topic: list the failures by reason, replay them once fixed",
		Long: `A job's error topic, JOB.error, holds each event the job gave up on, with
its input stream, key, partition, offset and the reason.`,
		Example: `  ripple errors list changeprop --brokers 127.0.0.1:19092
  ripple errors replay changeprop --brokers 127.0.0.1:19092 --reason timeout --dry-run`,
	}, errorsListCmd(), errorsReplayCmd())
}

// errorsFlags declares on cmd the flags that list and replay share and
// returns the function that makes the config of the one JOB argument.
func errorsFlags(cmd *cobra.Command) (config func(args []string) (errortopic.Config, error)) {
	brokers := cmd.Flags().String("brokers", "", "Kafka bootstrap addresses, comma-separated (required; the local broker is 127.0.0.1:19092)")
	version := cmd.Flags().String("kafka-version", "", "Kafka protocol version (default 4.0.0)")
	group := cmd.Flags().String("group", "", "consumer group keeping the replay position (default JOB.errors-replay)")
	var sec securityFlags
	sec.declare(cmd.Flags())
	cmd.Args = exactArgs(cmd.CommandPath()+" changeprop --brokers 127.0.0.1:19092", "the job's name (processor.Job.Name)")
	return func(args []string) (errortopic.Config, error) {
		if *brokers == "" {
			return errortopic.Config{}, errors.New("--brokers is required (or RIPPLE_BROKERS), such as --brokers 127.0.0.1:19092")
		}
		return errortopic.Config{Brokers: strings.Split(*brokers, ","), KafkaVersion: *version, Security: sec.security(),
			Job: processor.Group(args[0]), Group: *group}, nil
	}
}

func errorsListCmd() *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "list JOB",
		Short: "count the error records by input stream, type and reason",
		Long: `Reads the error topic JOB.error from its start to its current end and
counts its records by input stream, failure type and reason: RECORDS in
the topic, PENDING of them not yet replayed (after the replay position),
and NOT REPLAYABLE, which replay passes over (events cut to
processor.Config.MaxRecordBytes, and non-UTF-8 events in records written
before ripple/error 1.1.0; since then raw_event_base64 keeps every byte).`,
		Example: "  ripple errors list changeprop --brokers 127.0.0.1:19092",
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the counts as one JSON object")
	config := errorsFlags(cmd)
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		cfg, err := config(args)
		if err != nil {
			return err
		}
		sum, err := errortopic.List(cmd.Context(), cfg)
		err = cfg.Security.Explain(err)
		if errors.Is(err, context.Canceled) {
			return errors.New("stopped before the end of the error topic; nothing was changed")
		}
		if err != nil {
			return err
		}
		if asJSON {
			enc := json.NewEncoder(cmd.OutOrStdout())
			enc.SetIndent("", "  ")
			return enc.Encode(sum)
		}
		return printSummary(cmd.OutOrStdout(), sum, cfg)
	}
	return cmd
}

func printSummary(w io.Writer, sum errortopic.Summary, cfg errortopic.Config) error {
	if sum.Records == 0 {
		_, err := fmt.Fprintf(w, "%s has no error records.\n", sum.Topic)
		return err
	}
	fmt.Fprintf(w, "%s: %d error records, %d pending (not replayed; replay position in group %s)", sum.Topic, sum.Records, sum.Pending, sum.Group)
	if sum.Unreadable > 0 {
		fmt.Fprintf(w, ", %d unreadable", sum.Unreadable)
	}
	fmt.Fprint(w, "\n\n")
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprint(tw, "RECORDS\tPENDING\tNOT REPLAYABLE\tSTREAM\tTYPE\tREASON\n")
	for _, c := range sum.Counts {
		fmt.Fprintf(tw, "%d\t%d\t%d\t%s\t%s\t%s\n", c.Records, c.Pending, c.NotReplayable, c.Stream, c.Type, oneLine(c.Reason, 100))
	}
	fmt.Fprint(tw, "\nRECORDS\tPENDING\tNOT REPLAYABLE\tSTREAM\n")
	for _, c := range sum.Streams {
		fmt.Fprintf(tw, "%d\t%d\t%d\t%s\n", c.Records, c.Pending, c.NotReplayable, c.Stream)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	_, err := fmt.Fprintf(w, "\nOnce a cause is fixed: ripple errors replay %s --brokers %s --reason TEXT --dry-run, then without --dry-run\n",
		cfg.Job, strings.Join(cfg.Brokers, ","))
	return err
}

// oneLine returns s on one line, cut to at most n runes.
func oneLine(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}

type errorsReplayFlags struct {
	reason, reasonRE, stream      string
	dryRun, fromBeginning, asJSON bool
}

func errorsReplayCmd() *cobra.Command {
	var f errorsReplayFlags
	cmd := &cobra.Command{
		Use:   "replay JOB",
		Short: "send error records back to their input streams, once the cause is fixed",
		Long: `Sends the records of the error topic JOB.error back to their input
streams, with their original key and bytes, to the partition they were read
from, once the cause of the failures is fixed. It reads from the replay
position, a consumer group offset (JOB.errors-replay) committed only after
the broker acknowledged what was sent before it, to the topic's current end:
run twice, it sends nothing twice. Records the filters do not select are
passed over: they stay in the topic, and --from-beginning with other filters
reaches them later. Ctrl-C stops it: what the broker acknowledged stays
committed, and a rerun goes on from there.`,
		Example: "  ripple errors replay changeprop --brokers 127.0.0.1:19092 --reason 'deps: store unavailable' --dry-run",
	}
	fs := cmd.Flags()
	fs.StringVar(&f.reason, "reason", "", "send only records whose reason contains this text")
	fs.StringVar(&f.reasonRE, "reason-regexp", "", "send only records whose reason matches this regular expression (RE2 syntax)")
	fs.StringVar(&f.stream, "stream", "", "send only records of this input stream")
	fs.BoolVar(&f.dryRun, "dry-run", false, "print what would be sent; send nothing and keep the replay position")
	fs.BoolVar(&f.fromBeginning, "from-beginning", false, "read from the start of the error topic, not from the replay position")
	fs.BoolVar(&f.asJSON, "json", false, "print the result as one JSON object")
	config := errorsFlags(cmd)
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		cfg, err := config(args)
		if err != nil {
			return err
		}
		return errorsReplay(cmd.Context(), cmd.OutOrStdout(), cmd.ErrOrStderr(), cfg, f)
	}
	return cmd
}

func errorsReplay(ctx context.Context, stdout, stderr io.Writer, cfg errortopic.Config, f errorsReplayFlags) error {
	reason, reasonRE, stream, dryRun, fromBeginning, asJSON := &f.reason, &f.reasonRE, &f.stream, &f.dryRun, &f.fromBeginning, &f.asJSON
	var err error
	opts := errortopic.ReplayOptions{DryRun: *dryRun, FromBeginning: *fromBeginning, Filter: errortopic.Filter{Stream: processor.Stream(*stream)}}
	switch {
	case *reason != "" && *reasonRE != "":
		return errors.New("give --reason or --reason-regexp, not both")
	case *reason != "":
		opts.Filter.Reason = regexp.MustCompile(regexp.QuoteMeta(*reason))
	case *reasonRE != "":
		if opts.Filter.Reason, err = regexp.Compile(*reasonRE); err != nil {
			return fmt.Errorf("--reason-regexp: %w; for a plain text use --reason", err)
		}
	}
	if *dryRun && !*asJSON {
		opts.Sent = func(e errortopic.Entry) {
			fmt.Fprintf(stdout, "would send to %s/%d key %q (%s/%d/%d, %s): %s\n", e.Record.ErroredStreamName, e.Record.Partition,
				e.Record.Key, cfg.Job+".error", e.Partition, e.Offset, oneLine(e.Record.Message, 60), oneLine(string(e.Event), 80))
		}
	}
	opts.Skipped = func(e errortopic.Entry) {
		fmt.Fprintf(stderr, "passed over %s/%d/%d: %v\n", cfg.Job+".error", e.Partition, e.Offset, e.Err)
	}
	var bar *progress.Bar // made at the first report, which knows the total
	if progress.Terminal(stderr) {
		opts.Progress = func(p errortopic.Progress) {
			if bar == nil {
				bar = progress.New(stderr, p.Total, "errors replay", "records")
			}
			bar.Describe("errors replay: %d sent", p.Sent)
			bar.Set(p.Read)
		}
	}
	res, err := errortopic.Replay(ctx, cfg, opts)
	err = cfg.Security.Explain(err)
	bar.Done()
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if jerr := enc.Encode(res); jerr != nil {
			return jerr
		}
	} else {
		fmt.Fprintf(stderr, "ripple errors replay %s (%s): %v\n", cfg.Job, opts.Filter, res)
	}
	if errors.Is(err, context.Canceled) {
		return fmt.Errorf("stopped: the records sent were committed; rerun the same command to go on")
	}
	return err
}
